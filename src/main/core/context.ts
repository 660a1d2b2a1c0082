/**
 * What every core operation takes as its first argument: the database, a clock and the event
 * sink. Tests pass a fixed clock; the app passes the real one.
 */
import type { EventName, EventPayload } from '../../shared/api'
import type { Db } from './db/Db'

export interface Clock {
  now(): Date
}
export const systemClock: Clock = { now: () => new Date() }

/** A clock for tests: starts at `start`, moves only when told. */
export function fixedClock(start = '2026-01-01T00:00:00.000Z'): Clock & { advance(ms: number): void; set(iso: string): void } {
  let t = Date.parse(start)
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms
    },
    set(iso: string) {
      t = Date.parse(iso)
    },
  }
}

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void

export class CoreEvents {
  private readonly listeners = new Set<EventListener>()
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload)
      } catch {
        // A broken listener (a closed window) must not break the core.
      }
    }
  }
}

/** Who did it: an operator id, or 'system' for the core's own work (poller, expiry sweeps). */
export type Actor = string
export const SYSTEM_ACTOR = 'system'

export interface CoreContext {
  readonly db: Db
  readonly clock: Clock
  readonly events: CoreEvents
}
