/**
 * The IPC boundary as pure functions (no runtime 'electron' import, so tests drive it against a
 * real core). Every message is untrusted: the sender frame is checked before anything else, the
 * envelope is checked for shape, and name/input/meta go to `api.invoke`, which validates them
 * against the contract and caps their size. What leaves is `{ ok, data }` or
 * `{ ok: false, error: { code, message, details? } }` — rebuilt field by field, so no stack or
 * cause can ride along, and `details` passes the contract's per-code whitelist once more here
 * (the core's API already applied it; this boundary does not trust that it did).
 */
import { toWireResult, type EventName, type EventPayload, type Result } from '../shared/api'
import type { ErrorCode } from '../shared/errors'
import type { CoreApi } from './core/api/createApi'
import { log } from './core/log'

/** The parts of Electron's WebFrameMain the boundary reads. */
export interface FrameLike {
  readonly url: string
  readonly parent: FrameLike | null
  readonly detached?: boolean
  isDestroyed?(): boolean
}

/** The parts of Electron's IpcMainInvokeEvent the boundary reads. */
export interface InvokeEventLike {
  readonly senderFrame: FrameLike | null
  /** The WebContents that sent it: each window has its own operator session. */
  readonly sender?: { readonly id: number }
}

export type InvokeResult = Result<unknown>
export type IpcInvokeHandler = (event: InvokeEventLike, envelope: unknown) => Promise<InvokeResult>

export interface IpcInvokeHandlerOptions {
  api: Pick<CoreApi, 'invoke'>
  /** Is this URL the app's own page? (see createAppPageMatcher in security.ts) */
  isAppPage(url: string): boolean
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['name', 'input', 'meta'])

/**
 * The one handler bound to IPC_INVOKE_CHANNEL. Never throws: every failure is a Result.
 */
export function createIpcInvokeHandler(options: IpcInvokeHandlerOptions): IpcInvokeHandler {
  const { api, isAppPage } = options
  return async (event, envelope) => {
    const frame = event?.senderFrame ?? null
    if (!isTrustedFrame(frame, isAppPage)) {
      log('warn', 'ipc: refused a call from an untrusted sender', { url: safeFrameUrl(frame) })
      return failure(
        'FORBIDDEN_SENDER',
        'This request did not come from the Countersign window, so it was refused and nothing was changed.',
      )
    }
    if (!isPlainObject(envelope)) {
      return failure('INVALID_INPUT', 'The request is not valid — it must be an object with a call name, its input and who is making it.')
    }
    for (const key of Object.keys(envelope)) {
      if (!ENVELOPE_KEYS.has(key)) {
        return failure('INVALID_INPUT', 'The request is not valid — it may only carry a call name, its input and who is making it.')
      }
    }
    let result: InvokeResult
    try {
      result = await api.invoke(envelope.name, envelope.input, envelope.meta, { id: `ipc:${event.sender?.id ?? 0}`, kind: 'window' })
    } catch (error) {
      // api.invoke never throws by contract; if it does, that is a programmer error — log it
      // here in the main process and hand the renderer only a code and a sentence.
      log('error', 'ipc: api.invoke threw', { error })
      return failure(
        'INTERNAL',
        'Something went wrong inside Countersign and nothing was changed — try again, and report it with the log if it repeats.',
      )
    }
    return sanitizeResult(result)
  }
}

/**
 * A frame may call the core only if it is alive, top-level (no iframes) and showing the app's
 * own page. Reading a disposed WebFrameMain throws; that counts as untrusted.
 */
export function isTrustedFrame(frame: FrameLike | null | undefined, isAppPage: (url: string) => boolean): boolean {
  if (frame === null || frame === undefined) return false
  try {
    if (frame.isDestroyed?.() === true) return false
    if (frame.detached === true) return false
    if (frame.parent !== null) return false
    const url = frame.url
    return typeof url === 'string' && isAppPage(url)
  } catch {
    return false
  }
}

/** Copy only `ok`/`data`, or `ok`/`error.code`/`error.message` and the whitelisted `error.details`, out of a result. */
export function sanitizeResult(result: InvokeResult): InvokeResult {
  return toWireResult(result)
}

// ---------------------------------------------------------------------------------------------
// Events: core -> app windows.

/** What travels on IPC_EVENT_CHANNEL. */
export interface EventEnvelope<E extends EventName = EventName> {
  event: E
  payload: EventPayload<E>
}

/** The parts of a window the event forwarder reads. */
export interface EventTargetLike {
  readonly mainFrame: FrameLike & { send(channel: string, ...args: unknown[]): void }
  isDestroyed(): boolean
}

/**
 * Returns a core event listener that sends each event to every window whose main frame is the
 * app's own page (a window showing anything else gets nothing). A closed window is skipped.
 */
export function createEventForwarder(options: {
  channel: string
  targets(): readonly EventTargetLike[]
  isAppPage(url: string): boolean
}): <E extends EventName>(event: E, payload: EventPayload<E>) => void {
  return (event, payload) => {
    const envelope: EventEnvelope = { event, payload } as EventEnvelope
    for (const target of options.targets()) {
      try {
        if (target.isDestroyed()) continue
        const frame = target.mainFrame
        if (!isTrustedFrame(frame, options.isAppPage)) continue
        frame.send(options.channel, envelope)
      } catch (error) {
        // A window closing between the check and the send: drop the event for it.
        log('debug', 'ipc: could not forward an event', { event, error })
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

function failure(code: ErrorCode, message: string): InvokeResult {
  return { ok: false, error: { code, message } }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** Enough of the sender's URL to recognise it in a log: scheme, host and a short path, no query. */
function safeFrameUrl(frame: FrameLike | null): string | null {
  try {
    if (!frame) return null
    const url = new URL(frame.url)
    return `${url.protocol}//${url.host}${url.pathname.slice(0, 120)}`
  } catch {
    return null
  }
}
