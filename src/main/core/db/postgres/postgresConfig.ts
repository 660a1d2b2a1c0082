/**
 * The connection settings every PostgreSQL connection of one Db shares (the pool, the LISTEN
 * client, lease clients), derived once from the URL the person gave.
 *
 * - TLS: `sslmode` in the URL is honoured with libpq's meanings (we add `uselibpqcompat=true`, so
 *   pg does not read require/verify-ca as verify-full and does not print its deprecation warning):
 *   `require` encrypts without checking the certificate (with `sslrootcert`, it checks the chain),
 *   `verify-ca` checks the chain against `sslrootcert`, `verify-full` checks the chain against the
 *   system's CAs (or `sslrootcert`) and the host name. No sslmode: no TLS (a server on localhost).
 * - The password may come apart from the URL (a secret store): node-postgres lets the URL's empty
 *   password override a separate `password` field, so it is written into the URL instead.
 * - int8 (count(*), bigint columns) reads as a JS number like SQLite's integers, and fails loudly
 *   beyond 2^53 instead of rounding; the parser is per connection, never pg's global one.
 */
import pg from 'pg'
import { CsError } from '../../../../shared/errors'
import { unreachable } from '../../util/invariant'

export interface PostgresConnectOptions {
  /** postgres://user@host:5432/database?sslmode=verify-full */
  url: string
  password?: string
  readonly?: boolean
  /** Shown in pg_stat_activity, so whoever runs the server sees which desk holds what. */
  applicationName?: string
}

export interface PostgresSettings {
  /** For pg.Client and pg.Pool (before the pool's own sizing). */
  client: pg.ClientConfig
  /** host:port/database: for people and logs, never a user or a password. */
  location: string
}

const INT8_OID = 20
const DEFAULT_APPLICATION_NAME = 'countersign'
const POSTGRES_PROTOCOLS: ReadonlySet<string> = new Set(['postgres:', 'postgresql:'])
/** A connection that does not answer within this is treated as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000
/**
 * A session idle inside a transaction this long is broken — transactions never await the network
 * (docs/STYLE.md) — so the server ends it and frees the write lock for the other desks.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000

function parseInt8(text: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) unreachable(`int8 value ${text} is beyond Number.MAX_SAFE_INTEGER — read that column as text`)
  return value
}

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
}

export function postgresSettings(options: PostgresConnectOptions): PostgresSettings {
  const client: pg.ClientConfig = {
    connectionString: connectionUrl(options),
    types: typeParsers,
    keepAlive: true,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
  }
  // pg's own parse of the URL (and of PGHOST & co.) names the place; nothing connects here.
  let probe: pg.Client
  try {
    probe = new pg.Client(client)
  } catch {
    throw invalidUrl()
  }
  return { client, location: `${probe.host}:${probe.port}/${probe.database}` }
}

function connectionUrl(options: PostgresConnectOptions): string {
  let url: URL
  try {
    url = new URL(options.url)
  } catch {
    throw invalidUrl()
  }
  if (!POSTGRES_PROTOCOLS.has(url.protocol)) throw invalidUrl()
  if (options.password) {
    // encodeURIComponent leaves only characters the URL setter keeps as they are; pg decodes it back.
    url.password = encodeURIComponent(options.password)
    if (!url.password) {
      throw new CsError(
        'INVALID_INPUT',
        'The team database URL names no host to send the password to — write it as postgres://user@host:5432/database.',
      )
    }
  }
  if (options.applicationName !== undefined || !url.searchParams.has('application_name')) {
    url.searchParams.set('application_name', options.applicationName ?? DEFAULT_APPLICATION_NAME)
  }
  if (url.searchParams.has('sslmode') && !url.searchParams.has('uselibpqcompat')) url.searchParams.set('uselibpqcompat', 'true')
  return url.toString()
}

function invalidUrl(): CsError {
  // No cause: the parser's error carries the whole URL, password included, and causes reach the log.
  return new CsError('INVALID_INPUT', 'The team database URL is not valid — write it as postgres://user@host:5432/database.')
}
