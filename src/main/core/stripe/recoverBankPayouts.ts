/**
 * Bank payouts we asked for whose answer never came (status 'requested', no Stripe id): asked
 * again with the SAME idempotency key while Stripe surely still replays it (24 h, less a margin);
 * after that, the payouts list is searched for our key in metadata, and a payout not found there
 * was never created (marked refused, nothing booked). Each answer is applied and booked once.
 */
import type Stripe from 'stripe'
import type { CoreContext } from '../context'
import { postStripeWithRetry, safeStripeMessage, type StripeRetryPolicy } from '../rails/stripe/postStripeWithRetry'
import { applyBankPayout } from './applyBankPayout'
import { IDEMPOTENCY_REPLAY_MS, stripeBankPayoutRequest } from './createStripeBankPayout'
import { BANK_PAYOUT_KEY_METADATA, markRefused, type StripePayoutSnapshot } from './stripeBooking'
import { STRIPE_PAGE_LIMIT } from './stripeCursors'

/** Returns how many were recovered (found at Stripe and applied). */
export async function recoverRequestedBankPayouts(ctx: CoreContext, stripe: Stripe, retry: StripeRetryPolicy): Promise<number> {
  const open = await ctx.db.all(
    ctx.db.k.selectFrom('stripe_bank_payouts').selectAll().where('status', '=', 'requested').where('stripe_id', 'is', null),
  )
  let recovered = 0
  for (const row of open) {
    const ageMs = ctx.clock.now().getTime() - Date.parse(row.created_at)
    let found: Stripe.Payout | null = null
    if (ageMs < IDEMPOTENCY_REPLAY_MS) {
      const out = await postStripeWithRetry(
        row.key,
        (key) => stripe.payouts.create(stripeBankPayoutRequest(row), { idempotencyKey: key }),
        retry,
      )
      if (out.kind === 'ok') found = out.value
      else if (out.kind === 'rejected') {
        await ctx.db.tx(async () => await markRefused(ctx, row.key, out.error.code ?? 'rejected', safeStripeMessage(out.error)))
        continue
      } else continue // still unknown: next sync
    } else {
      // Stripe forgot the key: only the list can say whether it landed.
      const listed = await stripe.payouts.list({ limit: STRIPE_PAGE_LIMIT })
      found = listed.data.find((p) => p.metadata?.[BANK_PAYOUT_KEY_METADATA] === row.key) ?? null
      if (!found) {
        await ctx.db.tx(
          async () =>
            await markRefused(
              ctx,
              row.key,
              'not_found',
              'Stripe never created this payout (its request was lost) — create it again if it is still wanted.',
            ),
        )
        continue
      }
    }
    const payout = found
    await ctx.db.tx(async () => await applyBankPayout(ctx, payout as unknown as StripePayoutSnapshot))
    recovered++
  }
  return recovered
}
