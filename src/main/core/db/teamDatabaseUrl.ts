/**
 * The connection string of a team database, as a person types it (`init --database`,
 * `workspace migrate --to`, `sandbox up --database`, Settings → Workspace). It is stored in clear
 * in the workspace's workspace.json, so it must not carry the password: that goes to the
 * SecretStore (`database.password`; the CLI reads COUNTERSIGN_SECRET_DATABASE_PASSWORD).
 */
import { CsError } from '../../../shared/errors'

/** sslmode values libpq and node-postgres understand; anything else is a typo. */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const

export interface TeamDatabaseUrl {
  /** The URL as stored: postgres://user@host:port/database?sslmode=… without a password. */
  url: string
  /** host:port/database, for people. */
  location: string
  /** The password the person put in the URL, if any (the caller moves it to the SecretStore or refuses). */
  password: string | null
}

export function parseTeamDatabaseUrl(text: string): TeamDatabaseUrl {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch (cause) {
    throw invalid(`"${redactPassword(text).slice(0, 120)}" is not a connection string`, cause)
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw invalid(`the connection string starts with "${url.protocol}" — a team database is PostgreSQL: postgres://…`)
  if (url.hostname === '') throw invalid('the connection string names no server')
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (database === '' || database.includes('/'))
    throw invalid('the connection string names no database (postgres://user@host:5432/DATABASE)')
  if (url.username === '') throw invalid('the connection string names no user (postgres://USER@host:5432/database)')
  for (const key of url.searchParams.keys()) {
    if (key === 'password') throw invalid('put the password in the SecretStore, not in the connection string')
  }
  const sslmode = url.searchParams.get('sslmode')
  if (sslmode !== null && !(SSL_MODES as readonly string[]).includes(sslmode))
    throw invalid(`sslmode "${sslmode}" is not one of ${SSL_MODES.join(', ')}`)
  const password = url.password === '' ? null : decodeURIComponent(url.password)
  url.password = ''
  const port = url.port === '' ? '5432' : url.port
  return { url: url.toString(), location: `${url.hostname}:${port}/${database}`, password }
}

/** The text with any password of a URL in it replaced, for messages. */
export function redactPassword(text: string): string {
  return text.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/g, '$1***@')
}

function invalid(what: string, cause?: unknown): CsError {
  return new CsError(
    'INVALID_INPUT',
    `Team database: ${what} — give it as postgres://user@host:5432/database?sslmode=require, and the password through the SecretStore (CLI: COUNTERSIGN_SECRET_DATABASE_PASSWORD).`,
    cause === undefined ? {} : { cause },
  )
}
