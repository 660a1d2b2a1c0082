/**
 * Browser mode's `window.countersign`: the same CountersignBridge the Electron preload provides,
 * over the loopback WebSocket of src/web/server.ts. Installed only when no preload put one there.
 *
 * The per-launch token arrives in the URL fragment (#token=…), which browsers never send to a
 * server. We move it to sessionStorage (this tab only, gone when the tab closes, so a reload
 * keeps working) and drop the fragment from the address bar and history.
 */
import type { CallInput, CallMeta, CallName, CallOutput, CountersignBridge, EventName, EventPayload, Result } from '../../../shared/api'
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_FRAGMENT_KEY, WS_TOKEN_PROTOCOL_PREFIX } from '../../../shared/webProtocol'

const TOKEN_STORAGE_KEY = 'countersign.webToken'
/** Reconnect backoff: first retry after this, doubling up to the ceiling. */
const RECONNECT_DELAY_MS_MIN = 250
const RECONNECT_DELAY_MS_MAX = 5_000
/** A call made while disconnected waits this long for the connection before failing. */
const CONNECT_WAIT_MS = 15_000
/** Calls waiting for a connection at once; more fail at once rather than pile up. */
const CALLS_QUEUED_MAX = 256

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'no-token'
export interface ConnectionStatus {
  state: ConnectionState
  /** Failed attempts since the last successful connection. */
  failures: number
  /** True once any connection of this page succeeded (a later 'open' is a reconnect). */
  everOpened: boolean
}

type StatusListener = (status: ConnectionStatus) => void
type Pending = { resolve: (result: Result<unknown>) => void; sent: boolean; timer: ReturnType<typeof setTimeout> | null; frame: string }

const statusListeners = new Set<StatusListener>()
let status: ConnectionStatus = { state: 'connecting', failures: 0, everOpened: false }

export function getConnectionStatus(): ConnectionStatus {
  return status
}

/** Connection changes of the browser-mode bridge (never fires in Electron). */
export function onConnectionChange(listener: StatusListener): () => void {
  statusListeners.add(listener)
  return () => statusListeners.delete(listener)
}

function setStatus(next: Partial<ConnectionStatus>): void {
  status = { ...status, ...next }
  for (const listener of statusListeners) listener(status)
}

/** Read the token from #token=… (then forget the fragment) or from this tab's storage. */
export function takeToken(win: Window = window): string | null {
  const params = new URLSearchParams(win.location.hash.replace(/^#/, ''))
  const fromHash = params.get(WS_TOKEN_FRAGMENT_KEY)
  if (fromHash && /^[0-9a-f]{16,256}$/.test(fromHash)) {
    try {
      win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromHash)
    } catch {
      // Storage may be disabled; the token still works until the next reload.
    }
  }
  if (win.location.hash) win.history.replaceState(null, '', win.location.pathname + win.location.search)
  if (fromHash && /^[0-9a-f]{16,256}$/.test(fromHash)) return fromHash
  try {
    return win.sessionStorage.getItem(TOKEN_STORAGE_KEY)
  } catch {
    return null
  }
}

function failure(message: string): Result<never> {
  return { ok: false, error: { code: 'INTERNAL', message } }
}

/** Installs window.countersign for browser mode unless a preload already did. Returns whether it did. */
export function installWebBridge(win: Window = window): boolean {
  if (win.countersign) return false
  const token = takeToken(win)
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const pending = new Map<number, Pending>()
  let nextId = 1
  let socket: WebSocket | null = null
  let retryDelayMs = RECONNECT_DELAY_MS_MIN

  const bridge: CountersignBridge = {
    invoke<K extends CallName>(name: K, input: CallInput<K>, meta: CallMeta = {}): Promise<Result<CallOutput<K>>> {
      if (!token) {
        return Promise.resolve(
          failure('This page has no access token — open the full link that `npm run start:web` printed (it ends with #token=…).'),
        )
      }
      const id = nextId++
      let frame: string
      try {
        frame = JSON.stringify({ id, name, input, meta })
      } catch {
        return Promise.resolve(failure('The request could not be sent as JSON — this is a bug in the app; report it.'))
      }
      const queued = [...pending.values()].filter((p) => !p.sent).length
      if (queued >= CALLS_QUEUED_MAX) {
        return Promise.resolve(failure('Too many requests are waiting for the connection to Countersign — wait for it to come back.'))
      }
      return new Promise<Result<CallOutput<K>>>((resolve) => {
        const entry: Pending = { resolve: resolve as (r: Result<unknown>) => void, sent: false, timer: null, frame }
        pending.set(id, entry)
        if (socket && socket.readyState === WebSocket.OPEN) {
          socket.send(frame)
          entry.sent = true
        } else {
          entry.timer = setTimeout(() => {
            if (pending.get(id) !== entry || entry.sent) return
            pending.delete(id)
            resolve(
              failure(
                'Cannot reach the Countersign server — check that `npm run start:web` is still running, then try again. Nothing was sent.',
              ),
            )
          }, CONNECT_WAIT_MS)
        }
      })
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      let set = listeners.get(event)
      if (!set) {
        set = new Set()
        listeners.set(event, set)
      }
      const fn = listener as (payload: unknown) => void
      set.add(fn)
      return () => {
        set.delete(fn)
      }
    },
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return
    let message: unknown
    try {
      message = JSON.parse(data)
    } catch {
      return
    }
    if (typeof message !== 'object' || message === null) return
    const m = message as { id?: unknown; result?: unknown; event?: unknown; payload?: unknown }
    if (typeof m.event === 'string') {
      for (const listener of listeners.get(m.event) ?? []) {
        try {
          listener(m.payload)
        } catch (error) {
          console.error(`countersign: a listener of ${m.event} failed`, error)
        }
      }
      return
    }
    if (typeof m.id !== 'number') {
      // A reply to a frame the server could not read (id null): nothing of ours is waiting on it.
      if (m.result) console.error('countersign: the server could not read a request', m.result)
      return
    }
    const entry = pending.get(m.id)
    if (!entry) return
    pending.delete(m.id)
    const result = m.result as Result<unknown> | undefined
    if (!result || typeof result !== 'object' || typeof result.ok !== 'boolean') {
      entry.resolve(failure('The Countersign server sent an answer this window cannot read — reload the page.'))
      return
    }
    entry.resolve(result)
  }

  function connect(): void {
    if (!token) return
    setStatus({ state: 'connecting' })
    const ws = new WebSocket(`ws://${win.location.host}${WS_PATH}`, [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${token}`])
    socket = ws
    ws.addEventListener('open', () => {
      retryDelayMs = RECONNECT_DELAY_MS_MIN
      setStatus({ state: 'open', failures: 0, everOpened: true })
      for (const entry of pending.values()) {
        if (entry.sent) continue
        ws.send(entry.frame)
        entry.sent = true
        if (entry.timer) clearTimeout(entry.timer)
        entry.timer = null
      }
    })
    ws.addEventListener('message', (e: MessageEvent) => onMessage(e.data))
    ws.addEventListener('close', () => {
      if (socket !== ws) return
      socket = null
      // Calls already sent may or may not have run: say so, never pretend either way.
      for (const [id, entry] of pending) {
        if (!entry.sent) continue
        pending.delete(id)
        entry.resolve(
          failure(
            'The connection to Countersign was lost while this request was running — check whether it took effect before trying again.',
          ),
        )
      }
      setStatus({ state: 'closed', failures: status.failures + 1 })
      setTimeout(connect, retryDelayMs)
      retryDelayMs = Math.min(retryDelayMs * 2, RECONNECT_DELAY_MS_MAX)
    })
  }

  win.countersign = bridge
  if (token) connect()
  else setStatus({ state: 'no-token' })
  return true
}
