/**
 * Helpers of the escrow tests on Stripe (the sandbox's Stripe-compatible harness, "separate
 * charges and transfers"): the transfers the harness made, by transfer_group, and what the
 * platform holds for a charge-funded escrow.
 */
import type { StripeHarness } from '../../src/main/sandbox/harness/stripe/stripeHarness'

/** A transfer as the harness keeps it. */
export interface HarnessTransfer {
  id: string
  amount: bigint
  amount_reversed: bigint
  destination: string
  transfer_group: string | null
  source_transaction: string | null
  metadata: Record<string, string>
}

/** Every transfer the harness made. */
export function transfersIn(h: StripeHarness): HarnessTransfer[] {
  return h.transfers() as HarnessTransfer[]
}

/** The transfers of one transfer_group (an escrow's id). */
export function transfersOf(h: StripeHarness, group: string): HarnessTransfer[] {
  return transfersIn(h).filter((t) => t.transfer_group === group)
}

/** What transfers moved for good: their amounts less what was reversed. */
export const netTransferred = (ts: readonly HarnessTransfer[]): bigint => ts.reduce((s, t) => s + t.amount - t.amount_reversed, 0n)

/** What the platform holds for a charge-funded escrow: the charge, less its refunds and the transfers of the escrow's group. */
export function heldOnStripe(h: StripeHarness, escrowId: string, charge: string): bigint {
  const c = h.charges().find((x) => x.id === charge)!
  return BigInt(c.amount) - BigInt(c.amount_refunded) - netTransferred(transfersOf(h, escrowId))
}
