/**
 * The PostgreSQL adapter of the database port (../Db.ts): team mode, several desks on one set of
 * books. A small pg pool serves reads; every write runs in a transaction that first takes the
 * workspace's write lock (./postgresTx.ts says why), so writers are serialised as on SQLite.
 *
 * Kysely (PostgresDialect over the same pool) compiles the core's queries and runs the
 * migrations; execution goes through `all` / `first` / `run`, so a statement inside `tx(fn)`
 * lands on the transaction's connection. A write outside any transaction — `run`, the bulk
 * calls, or `all` / `first` of anything but a SELECT — is wrapped in one, so no write ever
 * bypasses the lock.
 *
 * Connections of its own, apart from the pool: one LISTEN connection while anyone subscribes to
 * remote changes (./postgresChanges.ts), and one per held lease (./tryPostgresLease.ts).
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely'
import type { Database } from '../schema'
import type { Db, DbQuery, DbRunResult } from '../Db'
import { compileQuery } from '../dbQuery'
import { createColumnTypes, insertStatements, updateStatements, type BulkStatement } from './postgresBulk'
import { createChangeFeed } from './postgresChanges'
import { postgresSettings, type PostgresConnectOptions } from './postgresConfig'
import { mapPostgresError } from './postgresErrors'
import { createPostgresTxRunner } from './postgresTx'
import { migratePostgres } from './migratePostgres'
import { tryPostgresLease } from './tryPostgresLease'

export type OpenPostgresDbOptions = PostgresConnectOptions

/** A desk runs one transaction at a time (writers queue in-process) plus a few concurrent reads. */
const POOL_CONNECTIONS_MAX = 6
/** An idle pooled connection is closed after this; the server's connection slots are shared by every desk. */
const POOL_IDLE_TIMEOUT_MS = 2_000
/** A statement that starts with SELECT only reads (outside a transaction it may go to the pool). */
const READ_SQL_RE = /^\s*select\b/i

export async function openPostgresDb(options: OpenPostgresDbOptions): Promise<Db> {
  const { client: clientConfig, location } = postgresSettings(options)
  const pool = new pg.Pool({ ...clientConfig, max: POOL_CONNECTIONS_MAX, idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS, allowExitOnIdle: true })
  // An idle connection the server drops (restart, failover) must not crash the process; the next statement reports it.
  pool.on('error', () => undefined)
  const k = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  try {
    await pool.query('SELECT 1')
    if (!options.readonly) await migratePostgres(k, location)
  } catch (error) {
    await shutDown(k, pool).catch(() => undefined)
    throw mapPostgresError(error, { location })
  }
  return assemble(k, pool, clientConfig, location, options.readonly === true)
}

function assemble(k: Kysely<Database>, pool: pg.Pool, clientConfig: pg.ClientConfig, location: string, readonly: boolean): Db {
  const runner = createPostgresTxRunner(pool, location, { readonly })
  const columnTypes = createColumnTypes(runner.query)
  const feed = createChangeFeed({ client: clientConfig, origin: randomUUID(), query: runner.query })
  const leases = new Set<pg.Client>()
  let closing: Promise<void> | undefined

  const execute = <R>(query: DbQuery<R>): Promise<pg.QueryResult> => {
    const compiled = compileQuery(k, query)
    const call = (): Promise<pg.QueryResult> => runner.query(compiled.sql, compiled.parameters)
    return runner.inTransaction() || isRead(compiled) ? call() : runner.tx(call)
  }
  const runAll = async (statements: BulkStatement[]): Promise<number> => {
    let changes = 0
    for (const s of statements) changes += (await runner.query(s.text, s.values)).rowCount ?? 0
    return changes
  }
  const writing = <T>(fn: () => Promise<T>): Promise<T> => (runner.inTransaction() ? fn() : runner.tx(fn))

  return {
    backend: 'postgres',
    location,
    k,
    async all<R>(query: DbQuery<R>): Promise<R[]> {
      return (await execute(query)).rows as R[]
    },
    async first<R>(query: DbQuery<R>): Promise<R | undefined> {
      return (await execute(query)).rows[0] as R | undefined
    },
    async run(query: DbQuery<unknown>): Promise<DbRunResult> {
      return { changes: (await execute(query)).rowCount ?? 0 }
    },
    tx: runner.tx,
    inTransaction: runner.inTransaction,
    async insertRows(table, columns, rows): Promise<void> {
      if (rows.length === 0) return
      await writing(async () => runAll(insertStatements(table, columns, rows, await columnTypes(table))))
    },
    async updateRows(table, key, columns, rows): Promise<number> {
      if (rows.length === 0) return 0
      return writing(async () => runAll(updateStatements(table, key, columns, rows, await columnTypes(table))))
    },
    announce: (change) => feed.announce(change),
    onRemoteChange: (listener) => feed.subscribe(listener),
    tryLease: (name) => tryPostgresLease(clientConfig, name, location, leases),
    close(): Promise<void> {
      closing ??= (async () => {
        await feed.close()
        await Promise.all([...leases].map((c) => c.end().catch(() => undefined)))
        leases.clear()
        await shutDown(k, pool)
      })()
      return closing
    },
  }
}

/** Kysely ends the pool only if it ever used it (a read-only open never does), so end it here otherwise. */
async function shutDown(k: Kysely<Database>, pool: pg.Pool): Promise<void> {
  await k.destroy()
  if (!pool.ending && !pool.ended) await pool.end()
}

/** Reads may run on any pooled connection; anything else outside a transaction takes the write lock. */
function isRead(compiled: CompiledQuery<unknown>): boolean {
  const kind = compiled.query.kind
  if (kind === 'SelectQueryNode') return !('with' in compiled.query && compiled.query.with)
  return kind === 'RawNode' && READ_SQL_RE.test(compiled.sql)
}
