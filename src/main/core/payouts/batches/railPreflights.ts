/**
 * The hook for rail-specific pre-flight checks — the native gas balance of an EVM source, a
 * Stellar account's reserve and trustlines, a maximum fee cap, a Stripe balance — which need a
 * network and belong to the rails, not to batches. The execution engine and the rails register
 * their checks here; the registry is empty by default, so batches work offline and in tests.
 */
import type { PreflightProblem } from '../../../../shared/payoutsApi'
import type { Rail } from '../../../../shared/api'
import type { CoreContext } from '../../context'
import type { BatchRow, PayoutRow } from '../../db/schema'

/** What a rail check is shown: the batch and its payouts on that rail only. */
export interface RailPreflightBatch {
  batch: BatchRow
  rail: Rail
  payouts: readonly PayoutRow[]
}

export interface RailPreflight {
  /** For logs and problem messages: 'evm.gas', 'stellar.reserve', 'stripe.balance'. */
  name: string
  rail: Rail
  /**
   * Problems that would stop this batch being paid on the rail. May call the network; must not
   * write to the database. A thrown error becomes a RAIL_CHECK_FAILED problem (fail closed).
   */
  check(ctx: CoreContext, batch: RailPreflightBatch): readonly PreflightProblem[] | Promise<readonly PreflightProblem[]>
}

/**
 * By name: registering a check under a name already taken puts it in front of the earlier one
 * (the newest core's check runs); removing it brings the earlier one back, so closing one of two
 * cores in a process (the CLI beside a sandbox, tests) never leaves the other without its checks.
 */
const registered = new Map<string, RailPreflight[]>()

/** Register a check; returns the function that removes it again (tests, shutdown). */
export function registerRailPreflight(check: RailPreflight): () => void {
  registered.set(check.name, [...(registered.get(check.name) ?? []), check])
  return () => {
    const left = (registered.get(check.name) ?? []).filter((c) => c !== check)
    if (left.length > 0) registered.set(check.name, left)
    else registered.delete(check.name)
  }
}

export function railPreflightsFor(rail: Rail): RailPreflight[] {
  return [...registered.values()].map((stack) => stack.at(-1)!).filter((c) => c.rail === rail)
}
