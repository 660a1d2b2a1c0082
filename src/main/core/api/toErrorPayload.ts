/**
 * Anything a call threw -> the `{ code, message, details? }` that crosses the boundary. The one place
 * an error leaves the core: the sentence is scrubbed of known secrets, and `details` passes the
 * contract's per-code whitelist (pickErrorDetails in src/shared/api.ts) and is scrubbed too — a
 * field a schema does not name (a transport id, a device path, a raw answer) never crosses, and
 * details that do not fit their schema are dropped whole and logged. Never a stack or a cause.
 */
import { ZodError } from 'zod'
import { pickErrorDetails } from '../../../shared/api'
import { CsError, type ErrorCode, type ErrorDetails, type ErrorPayload } from '../../../shared/errors'
import { ERROR_DETAILS_LIST_MAX } from '../../../shared/limits'
import { log, scrub } from '../log'
import { mapSqliteDamage } from '../db/sqlite/sqliteDamage'

/** Issues of a refused input quoted in the sentence; all (up to ERROR_DETAILS_LIST_MAX) go in details. */
const ZOD_ISSUES_QUOTED_MAX = 3

export function toErrorPayload(thrown: unknown, callName: string): ErrorPayload {
  // SQLite's "the file is damaged", wherever it was met, is DB_CORRUPT — never "unexpected problem".
  const error = mapSqliteDamage(thrown, null)
  if (error instanceof CsError) {
    if (error.code === 'INTERNAL') log('error', 'internal error', { call: callName, error })
    return withDetails({ code: error.code, message: scrub(error.message) }, error.details, callName)
  }
  if (error instanceof ZodError) {
    return withDetails({ code: 'INVALID_INPUT', message: scrub(describeZodError(error)) }, zodErrorDetails(error), callName)
  }
  log('error', 'unexpected error', { call: callName, error })
  return {
    code: 'INTERNAL',
    message: 'Something went wrong inside Countersign and nothing was changed — try again, and report it with the log if it repeats.',
  }
}

/** The sentence for a refused input: the first few fields at fault and why. */
export function describeZodError(error: ZodError): string {
  const issues = error.issues.slice(0, ZOD_ISSUES_QUOTED_MAX).map((i) => `${pathOf(i.path)}: ${i.message}`)
  const more = error.issues.length > ZOD_ISSUES_QUOTED_MAX ? ` (and ${error.issues.length - ZOD_ISSUES_QUOTED_MAX} more)` : ''
  return `The request is not valid — ${issues.join('; ')}${more}.`
}

/** INVALID_INPUT's details: each field at fault by its path ("rows.0.amount"), so a form can mark it. */
export function zodErrorDetails(error: ZodError): ErrorDetails {
  return { issues: error.issues.slice(0, ERROR_DETAILS_LIST_MAX).map((i) => ({ path: pathOf(i.path), message: i.message })) }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.length > 0 ? path.map(String).join('.') : 'input'
}

/** `raw` through the whitelist for `code`, every string scrubbed; undefined when nothing may cross. */
export function crossingDetails(code: ErrorCode, raw: unknown): ErrorDetails | undefined {
  const details = pickErrorDetails(code, raw)
  return details === undefined ? undefined : (scrubDeep(details) as ErrorDetails)
}

function withDetails(payload: ErrorPayload, raw: unknown, callName: string): ErrorPayload {
  if (raw === undefined) return payload
  const details = crossingDetails(payload.code, raw)
  if (details === undefined) {
    // Not a user's problem: the core attached details its contract does not describe. Say which keys, never their values.
    if (typeof raw === 'object' && raw !== null)
      log('debug', 'error details not whitelisted for this code; dropped', { call: callName, code: payload.code, keys: Object.keys(raw) })
    return payload
  }
  return { ...payload, details }
}

/** Every string of a whitelisted value, scrubbed of known secrets (a Stripe key quoted in a problem's sentence). */
function scrubDeep(value: unknown): unknown {
  if (typeof value === 'string') return scrub(value)
  if (Array.isArray(value)) return value.map(scrubDeep)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v)]))
  }
  return value
}
