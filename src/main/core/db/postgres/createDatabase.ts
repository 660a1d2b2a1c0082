/**
 * Creating and dropping a team database on a server, for tests and `sandbox up --database`: the
 * server URL names any database the account may connect to (postgres://postgres@host/postgres);
 * the new database's URL is the same with the name swapped in.
 *
 * Names are plain lower-case SQL names, so they are quoted safely and need no escaping.
 */
import pg from 'pg'
import { CsError } from '../../../../shared/errors'
import { postgresSettings } from './postgresConfig'
import { mapPostgresError } from './postgresErrors'

/** [a-z0-9_], at most PostgreSQL's 63-byte identifier length. */
const DATABASE_NAME_RE = /^[a-z0-9_]{1,63}$/

export async function createPostgresDatabase(serverUrl: string, name: string, options: { template?: string } = {}): Promise<string> {
  // FILE_COPY: a small template is copied as files, far faster than WAL_LOG's page by page.
  const template = options.template === undefined ? '' : ` TEMPLATE "${databaseName(options.template)}" STRATEGY FILE_COPY`
  await onServer(serverUrl, `CREATE DATABASE "${databaseName(name)}"${template}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

export async function renamePostgresDatabase(serverUrl: string, from: string, to: string): Promise<void> {
  await onServer(serverUrl, `ALTER DATABASE "${databaseName(from)}" RENAME TO "${databaseName(to)}"`)
}

/** Does the server have this database? */
export async function postgresDatabaseExists(serverUrl: string, name: string): Promise<boolean> {
  const { client: config, location } = postgresSettings({ url: serverUrl })
  const client = new pg.Client(config)
  client.on('error', () => undefined)
  try {
    await client.connect()
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName(name)])
    return (r.rowCount ?? 0) > 0
  } catch (error) {
    throw mapPostgresError(error, { location })
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Drops the database even while others are connected (WITH (FORCE), PostgreSQL 13+); absent is fine. */
export async function dropPostgresDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, `DROP DATABASE IF EXISTS "${databaseName(name)}" WITH (FORCE)`)
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const { client: config, location } = postgresSettings({ url: serverUrl })
  const client = new pg.Client(config)
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query(statement)
  } catch (error) {
    throw mapPostgresError(error, { location })
  } finally {
    await client.end().catch(() => undefined)
  }
}

function databaseName(name: string): string {
  if (!DATABASE_NAME_RE.test(name)) {
    throw new CsError(
      'INVALID_INPUT',
      `"${name.slice(0, 64)}" cannot be a database name — use lower-case letters, digits and _ (at most 63).`,
    )
  }
  return name
}
