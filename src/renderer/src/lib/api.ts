/**
 * The renderer's one way to call the core: typed from the contract, with the unlocked operator
 * attached as meta (the core checks it is the one unlocked on this window), and the Result unwrapped — failures throw an ApiError carrying the core's
 * code, sentence and structured details: views show the sentence as is and act on the code and
 * `details` (which field, which rows, the device's state) — never on the wording.
 *
 * Every call also reports here whether the team database answered (features/offline): one place
 * raises and clears the "unreachable" banner, so no view has to.
 */
import {
  errorDetailsOf,
  type CallInput,
  type CallName,
  type CallOutput,
  type CountersignBridge,
  type DetailedErrorCode,
  type ErrorDetailsOf,
  type EventName,
  type EventPayload,
} from '../../../shared/api'
import type { ErrorCode, ErrorDetails } from '../../../shared/errors'
import { callStarted, callSucceeded, callUnreachable } from '../features/offline/store'
import { useSession } from '../features/session/store'

export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly code: ErrorCode
  /** As the contract whitelists them for `code` (read them with `detailsOf`). */
  readonly details: ErrorDetails | undefined

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message)
    this.code = code
    this.details = details
  }
}

/** Codes that mean this window is not (or no longer) unlocked as the operator it names. */
const SESSION_ENDED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['OPERATOR_LOCKED', 'OPERATOR_SESSION_MISMATCH'])

/** True for a refusal that sent the window back to the picker (the picker says why; no notice needed). */
export function isSessionEnded(error: unknown): boolean {
  return error instanceof ApiError && SESSION_ENDED_CODES.has(error.code)
}

const NO_BRIDGE_MESSAGE = 'This window is not connected to Countersign — start it with the desktop app or `npm run start:web`.'

function bridge(): CountersignBridge {
  const b = window.countersign
  if (!b) throw new ApiError('INTERNAL', NO_BRIDGE_MESSAGE)
  return b
}

export async function invoke<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
  const operatorId = useSession.getState().operator?.id
  const call = callStarted()
  let result
  try {
    result = await bridge().invoke(name, input, operatorId ? { operatorId } : {})
  } catch (error) {
    if (error instanceof ApiError) throw error
    throw new ApiError('INTERNAL', `The call could not reach Countersign (${errorMessage(error)}) — try again.`)
  }
  if (result.ok) {
    callSucceeded(call)
    return result.data
  }
  if (result.error.code === 'DB_UNREACHABLE') callUnreachable(call)
  // The core no longer holds this window's session (idle, OS lock, a new connection): back to
  // the picker — unless someone else unlocked meanwhile (the call was made for the previous one).
  if (SESSION_ENDED_CODES.has(result.error.code) && operatorId && useSession.getState().operator?.id === operatorId) {
    useSession.getState().locked({ reason: 'refused', message: result.error.message })
  }
  throw new ApiError(result.error.code, result.error.message, result.error.details)
}

/** Subscribe to a core event; returns the unsubscribe function (a no-op without a bridge). */
export function onEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  const b = window.countersign
  if (!b) return () => {}
  return b.on(event, listener)
}

/** The sentence to show for any thrown value; never "[object Object]", never empty. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  if (typeof error === 'string' && error) return error
  return 'Something went wrong — try again.'
}

/**
 * What a view shows when loading its data failed: the sentence — or null when the team database is
 * unreachable, which the offline banner already says; the view keeps what it last loaded.
 */
export function loadErrorMessage(error: unknown): string | null {
  return errorCode(error) === 'DB_UNREACHABLE' ? null : errorMessage(error)
}

export function errorCode(error: unknown): ErrorCode | null {
  return error instanceof ApiError ? error.code : null
}

/** The details of a failure when its code is `code`, typed: `detailsOf(e, 'PREFLIGHT_FAILED')?.problems`. */
export function detailsOf<C extends DetailedErrorCode>(error: unknown, code: C): ErrorDetailsOf<C> | undefined {
  return error instanceof ApiError ? errorDetailsOf(error, code) : undefined
}

/**
 * The lines a failure lists beyond its sentence, from its details: each pre-flight problem, each
 * refused row, each refused field. Empty for every other failure.
 */
export function errorItems(error: unknown): string[] {
  const preflight = detailsOf(error, 'PREFLIGHT_FAILED')
  if (preflight) return preflight.problems.map((p) => p.message)
  const rows = detailsOf(error, 'PAYOUT_INVALID')
  if (rows)
    return rows.issues.map((i) => `${i.row !== null ? `Row ${i.row}` : 'The row'}${i.column !== null ? `, ${i.column}` : ''}: ${i.message}`)
  const input = detailsOf(error, 'INVALID_INPUT')
  if (input) return input.issues.map((i) => `${i.path}: ${i.message}`)
  return []
}
