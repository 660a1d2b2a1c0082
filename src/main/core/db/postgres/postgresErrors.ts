/**
 * What a PostgreSQL or network failure means to the person at the desk: the server cannot be
 * reached, the login was refused, the database does not exist, or the books are busy. Everything
 * else (a constraint, a syntax error: a bug in Countersign) passes through unchanged, so the
 * caller sees the driver's error with its SQLSTATE `code`.
 *
 * `location` is host:port/database (never a user or password). A connection that breaks while
 * COMMIT is on the wire leaves the outcome unknown — the server may have committed before the
 * answer was lost — so that one case says so instead of "nothing was changed".
 */
import { CsError } from '../../../../shared/errors'

/** Node socket and DNS failures: the server was never reached, or the link broke. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
])
/** SQLSTATEs of a server that is going away or not accepting yet (57P01 admin shutdown, 57P03 starting up …). */
const SERVER_GONE_SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006'])
/** invalid_password, invalid_authorization_specification. */
const AUTH_SQLSTATES: ReadonlySet<string> = new Set(['28P01', '28000'])
const DATABASE_MISSING_SQLSTATE = '3D000'
const TOO_MANY_CONNECTIONS_SQLSTATE = '53300'
/** disk_full: the server could not write (its disk, or the tablespace's) — the transaction was rolled back. */
const DISK_FULL_SQLSTATE = '53100'
/** lock_not_available: the write lock was not granted within its timeout. */
const LOCK_TIMEOUT_SQLSTATE = '55P03'
/** node-postgres and pg-pool say "the link is gone" only in words. */
const CONNECTION_LOST_RE =
  /connection terminated|connection timeout|timeout exceeded when trying to connect|connection error and is not queryable/i
/** TLS refused: the server speaks no TLS, or its certificate was not accepted (sslmode=verify-full). */
const TLS_ERROR_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])
const TLS_REFUSED_RE = /does not support SSL connections/i

export interface PostgresErrorContext {
  /** host:port/database, for the sentence. */
  location: string
  /** The failure happened while COMMIT was on the wire: the outcome is unknown. */
  duringCommit?: boolean
}

/** A CsError for failures a person can act on; any other error is returned as it came. */
export function mapPostgresError(error: unknown, context: PostgresErrorContext): unknown {
  if (error instanceof CsError || typeof error !== 'object' || error === null) return error
  const { location } = context
  const details = { location }
  const code = errorCode(error)
  if (code !== undefined && AUTH_SQLSTATES.has(code)) {
    return new CsError(
      'DB_AUTH_FAILED',
      `The team database at ${location} refused the login — check the user name and password in the database settings; nothing was changed.`,
      { cause: error, details },
    )
  }
  // node-postgres says this before it even answers the server: a password is wanted and none was given.
  if (/client password must be a string/i.test(String((error as { message?: unknown }).message))) {
    return new CsError(
      'DB_AUTH_FAILED',
      `The team database at ${location} asks for a password and this desk has none — save it as database.password in the SecretStore (CLI: COUNTERSIGN_SECRET_DATABASE_PASSWORD); nothing was changed.`,
      { cause: error, details },
    )
  }
  if (code === DATABASE_MISSING_SQLSTATE) {
    return new CsError(
      'DB_NOT_FOUND',
      `There is no database ${location} on that server — check the database name in the URL, or ask whoever runs the server to create it.`,
      { cause: error, details },
    )
  }
  if (code === LOCK_TIMEOUT_SQLSTATE) {
    return new CsError(
      'DB_LOCKED',
      'The books are busy with a change from another desk — wait a moment and try again; nothing was changed.',
      {
        cause: error,
        details,
      },
    )
  }
  if (code === DISK_FULL_SQLSTATE) {
    return new CsError(
      'DISK_FULL',
      `The team database at ${location} could not save: its server's disk is full. The change was not saved — ask whoever runs the server to free disk space, then try again.`,
      { cause: error, details: { reason: 'full' } },
    )
  }
  if (code === TOO_MANY_CONNECTIONS_SQLSTATE) {
    return new CsError(
      'DB_UNREACHABLE',
      `The team database at ${location} has no free connections — close Countersign on a desk that does not need it, or ask whoever runs the server to allow more; nothing was changed.`,
      { cause: error, details },
    )
  }
  if (isTlsFailure(error, code)) {
    return new CsError(
      'DB_UNREACHABLE',
      `Cannot open a secure connection to the team database at ${location} — check sslmode in the URL and the server's certificate (sslrootcert); nothing was changed.`,
      { cause: error, details },
    )
  }
  if (!isConnectionFailure(error, code)) return error
  if (context.duringCommit) {
    return new CsError(
      'DB_UNREACHABLE',
      `The connection to the team database at ${location} broke while saving — the change may or may not have been saved; reconnect and look before you repeat it.`,
      { cause: error, details: { location, outcome: 'unknown' } },
    )
  }
  return new CsError(
    'DB_UNREACHABLE',
    `Cannot reach the team database at ${location} — check the network or ask whoever runs the server; nothing was changed.`,
    { cause: error, details },
  )
}

/** Whether the error means the server or the link is gone (a retry later may work). */
export function isConnectionFailure(error: object, code = errorCode(error)): boolean {
  if (code !== undefined && (NETWORK_ERROR_CODES.has(code) || SERVER_GONE_SQLSTATES.has(code))) return true
  const message = (error as { message?: unknown }).message
  if (typeof message === 'string' && CONNECTION_LOST_RE.test(message)) return true
  // Node's happy-eyeballs connect (localhost → ::1 and 127.0.0.1) fails with an AggregateError.
  const inner = (error as { errors?: unknown }).errors
  return Array.isArray(inner) && inner.some((e) => typeof e === 'object' && e !== null && isConnectionFailure(e))
}

function isTlsFailure(error: object, code: string | undefined): boolean {
  if (code !== undefined && TLS_ERROR_CODES.has(code)) return true
  const message = (error as { message?: unknown }).message
  return typeof message === 'string' && TLS_REFUSED_RE.test(message)
}

function errorCode(error: object): string | undefined {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}
