/**
 * The object the preload puts on window.countersign, as a pure function of an ipcRenderer-like
 * value (tests pass a fake). It forwards calls to main and filters events by name; it never hands
 * the page ipcRenderer, the raw IPC event or anything else from Electron.
 */
import type { CallMeta, CountersignBridge, EventName, Result } from '../shared/api'

/** The parts of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

export interface BridgeChannels {
  invoke: string
  event: string
}

/** Event subscriptions one page may hold at once: a page that keeps subscribing is leaking. */
export const EVENT_LISTENERS_MAX = 256

const INTERNAL_MESSAGE = 'The Countersign window lost contact with the app — restart Countersign; if it repeats, report it with the log.'

export function createBridge(ipc: IpcRendererLike, channels: BridgeChannels): CountersignBridge {
  const listeners = new Map<number, { event: string; listener: (payload: never) => void }>()
  let nextId = 1
  let attached = false

  // One IPC listener for all subscriptions, attached while there is at least one.
  const onIpcEvent = (_event: unknown, envelope: unknown): void => {
    if (typeof envelope !== 'object' || envelope === null) return
    const { event, payload } = envelope as { event?: unknown; payload?: unknown }
    if (typeof event !== 'string') return
    for (const entry of [...listeners.values()]) {
      if (entry.event !== event) continue
      try {
        entry.listener(payload as never)
      } catch (error) {
        // One broken view must not starve the others.
        console.error('countersign: an event listener failed', error)
      }
    }
  }

  const bridge: CountersignBridge = {
    async invoke(name, input, meta?: CallMeta) {
      try {
        const result = await ipc.invoke(channels.invoke, { name, input, meta })
        return result as Result<never>
      } catch {
        // Main answers every call with a Result; a rejection means the channel itself broke.
        return { ok: false, error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } }
      }
    },
    on(event: EventName, listener: (payload: never) => void) {
      if (typeof event !== 'string' || typeof listener !== 'function') {
        throw new TypeError('countersign.on(event, listener): event must be a string and listener a function')
      }
      if (listeners.size >= EVENT_LISTENERS_MAX) {
        throw new Error(`countersign.on: more than ${EVENT_LISTENERS_MAX} event listeners — unsubscribe the ones you no longer need`)
      }
      const id = nextId++
      listeners.set(id, { event, listener })
      if (!attached) {
        ipc.on(channels.event, onIpcEvent)
        attached = true
      }
      let subscribed = true
      return () => {
        if (!subscribed) return
        subscribed = false
        listeners.delete(id)
        if (listeners.size === 0 && attached) {
          ipc.removeListener(channels.event, onIpcEvent)
          attached = false
        }
      }
    },
  } as CountersignBridge
  return Object.freeze(bridge)
}
