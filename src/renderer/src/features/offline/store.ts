/**
 * Whether the team database answers, as the calls of this window last found it. A team workspace
 * (PostgreSQL) can lose its server while the app keeps running; the core then fails every call
 * with DB_UNREACHABLE. The views keep what they last loaded, one banner says the books are out of
 * reach and since when, and it goes once a later call succeeds.
 *
 * Fed by lib/api.ts `invoke` (the one place every call passes), never by the views. Calls are
 * numbered when they start: a success clears the banner only if its call started after the
 * failure that raised it, so a slow answer from before the outage cannot hide the outage.
 */
import { create } from 'zustand'

export interface Unreachable {
  /** When a call last succeeded before the outage: what the views on screen show. Null if none had. */
  lastSeenAt: Date | null
}

interface OfflineState {
  /** Set while the team database is unreachable. */
  unreachable: Unreachable | null
  /**
   * Bumped each time the core says its link to the team database is back (event
   * `database.status`): what other desks changed meanwhile was not heard, so views that depend
   * on it load again.
   */
  reconnects: number
}

export const useOffline = create<OfflineState>(() => ({ unreachable: null, reconnects: 0 }))

/**
 * The core's own word on the link (team mode): it drops → the banner, even on an idle desk; it is
 * back → the banner goes and the views re-read.
 */
export function databaseStatus(reachable: boolean, at: Date = new Date()): void {
  if (!reachable) {
    failedCall = Math.max(failedCall, lastCall)
    if (useOffline.getState().unreachable === null) useOffline.setState({ unreachable: { lastSeenAt: lastSuccessAt } })
    return
  }
  lastSuccessAt = at
  useOffline.setState((s) => ({ unreachable: null, reconnects: s.reconnects + 1 }))
}

let lastCall = 0
/** The number of the call whose failure raised the banner. */
let failedCall = 0
let lastSuccessAt: Date | null = null

/** Numbers a call as it starts; pass the number to callSucceeded / callUnreachable. */
export function callStarted(): number {
  return ++lastCall
}

export function callSucceeded(call: number, at: Date = new Date()): void {
  lastSuccessAt = at
  if (call > failedCall && useOffline.getState().unreachable !== null) useOffline.setState({ unreachable: null })
}

/** A call failed with DB_UNREACHABLE. */
export function callUnreachable(call: number): void {
  failedCall = Math.max(failedCall, call)
  if (useOffline.getState().unreachable === null) useOffline.setState({ unreachable: { lastSeenAt: lastSuccessAt } })
}
