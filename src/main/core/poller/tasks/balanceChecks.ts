/**
 * Poller task `recon.balances`: compares every treasury account's balance on its rail with the
 * ledger's (recon/balanceChecks.ts) every few minutes, not every sweep — each check reads every
 * rail once, and a drift is a finding for a person, not something to chase by the second. The
 * first sweep checks at once; `recon.checkBalances` checks on demand. A rail that cannot be read
 * is recorded as 'unavailable', so the task fails only when the database does.
 */
import { performance } from 'node:perf_hooks'
import { SYSTEM_ACTOR } from '../../context'
import { railsOf, type RailsSource } from '../../rails/Rail'
import { checkRailBalances } from '../../recon/balanceChecks'
import type { PollerTask } from '../createPoller'

export const BALANCE_CHECKS_TASK = 'recon.balances'
/** How often the poller checks the rail balances. */
export const BALANCE_CHECK_INTERVAL_MS_DEFAULT = 3 * 60_000

export interface BalanceChecksTaskOptions {
  intervalMs?: number
  /** Monotonic milliseconds (tests pass their own): how long since the last check, nothing booked. */
  nowMs?: () => number
}

export function createBalanceChecksTask(rails: RailsSource, options: BalanceChecksTaskOptions = {}): PollerTask {
  const intervalMs = options.intervalMs ?? BALANCE_CHECK_INTERVAL_MS_DEFAULT
  const nowMs = options.nowMs ?? (() => performance.now())
  let lastMs: number | null = null
  return {
    name: BALANCE_CHECKS_TASK,
    async run(ctx) {
      if (lastMs !== null && nowMs() - lastMs < intervalMs) return
      lastMs = nowMs()
      await checkRailBalances(ctx, await railsOf(rails), SYSTEM_ACTOR)
    },
  }
}
