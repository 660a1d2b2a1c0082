/**
 * The renderer's one way to call the core: typed from the contract, with the current operator
 * attached as meta, and the Result unwrapped — failures throw an ApiError carrying the core's
 * code and sentence, for the view to show as is.
 */
import type { CallInput, CallName, CallOutput, CountersignBridge, EventName, EventPayload } from '../../../shared/api'
import type { ErrorCode } from '../../../shared/errors'
import { useSession } from '../features/session/store'

export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

const NO_BRIDGE_MESSAGE = 'This window is not connected to Countersign — start it with the desktop app or `npm run start:web`.'

function bridge(): CountersignBridge {
  const b = window.countersign
  if (!b) throw new ApiError('INTERNAL', NO_BRIDGE_MESSAGE)
  return b
}

export async function invoke<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
  const operatorId = useSession.getState().operator?.id
  let result
  try {
    result = await bridge().invoke(name, input, operatorId ? { operatorId } : {})
  } catch (error) {
    if (error instanceof ApiError) throw error
    throw new ApiError('INTERNAL', `The call could not reach Countersign (${errorMessage(error)}) — try again.`)
  }
  if (result.ok) return result.data
  throw new ApiError(result.error.code, result.error.message)
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

export function errorCode(error: unknown): ErrorCode | null {
  return error instanceof ApiError ? error.code : null
}
