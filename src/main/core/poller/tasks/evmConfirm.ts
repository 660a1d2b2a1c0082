/**
 * Poller tasks `evm.confirm`, `stellar.confirm` and `stripe.confirm`: one confirmation sweep per
 * configured chain or network (Stripe: one, the platform). A node that is down makes the task
 * throw; the poller then backs off exponentially, and a clean sweep resets it.
 *
 * Each task holds its own SweepGate, so a rail with a head probe (EVM) is looked up once per NEW
 * block: a sweep that finds the same block hash as its last full lookup, and nothing signed or
 * broadcast since, costs one small request instead of the lookup batch (sweepGate.ts says why
 * that is safe and when it looks up anyway). On EVM a full sweep is one JSON-RPC batch request
 * for all open submissions, plus one more only when a dead transaction must be proven or lost
 * bytes re-sent.
 */
import type { Rail as RailName } from '../../../../shared/blocks'
import type { CoreContext } from '../../context'
import { createSweepGate, type SweepGateOptions } from '../../payouts/execute/sweepGate'
import { sweepRail } from '../../payouts/execute/sweepRail'
import { railsOf, type RailsSource } from '../../rails/Rail'
import type { PollerTask } from '../createPoller'

export const EVM_CONFIRM_TASK = 'evm.confirm'
export const STELLAR_CONFIRM_TASK = 'stellar.confirm'
export const STRIPE_CONFIRM_TASK = 'stripe.confirm'

export function createConfirmTask(name: string, railName: RailName, rails: RailsSource, gateOptions: SweepGateOptions = {}): PollerTask {
  const gate = createSweepGate(gateOptions)
  return {
    name,
    async run(ctx: CoreContext) {
      const failures: unknown[] = []
      for (const rail of (await railsOf(rails)).all()) {
        if (rail.rail !== railName) continue
        try {
          await sweepRail(ctx, rail, gate)
        } catch (error) {
          failures.push(error)
        }
      }
      // One chain down must not stop the others' sweep; the task still reports the failure.
      if (failures.length > 0) throw failures[0]
    },
  }
}

export function createEvmConfirmTask(rails: RailsSource): PollerTask {
  return createConfirmTask(EVM_CONFIRM_TASK, 'evm', rails)
}

export function createStellarConfirmTask(rails: RailsSource): PollerTask {
  return createConfirmTask(STELLAR_CONFIRM_TASK, 'stellar', rails)
}

/** Runs before `stripe.sync`, so a reversal event finds its payout already confirmed and booked. */
export function createStripeConfirmTask(rails: RailsSource): PollerTask {
  return createConfirmTask(STRIPE_CONFIRM_TASK, 'stripe', rails)
}
