/**
 * The Stripe sync (poller task `stripe.sync`, and `stripe.sync` on demand). A desktop app has no
 * public URL for webhooks, so it reads the Events API from a saved cursor instead:
 *
 * 1. Bank payouts whose answer never came are asked again with the SAME idempotency key, or found
 *    by it (recoverBankPayouts.ts).
 * 2. /v1/events (transfer.* and payout.*) newer than the cursor, applied OLDEST FIRST, each in
 *    its own transaction with the cursor: a crash re-reads at most what was not committed, and a
 *    re-read event writes nothing (the event id is the row key; entry ids are the ledger's).
 *    An event that cannot be applied yet (a reversal of a payout not booked yet, an asset the
 *    ledger lacks) STOPS the sync at that event: nothing after it is applied out of order.
 * 3. /v1/balance_transactions newer than its cursor, kept for reconciliation.
 * Paging from a cursor: stripeCursors.ts.
 */
import type Stripe from 'stripe'
import type { CoreContext } from '../context'
import { DEFAULT_STRIPE_RETRY, type StripeRetryPolicy } from '../rails/stripe/postStripeWithRetry'
import { applyStripeEvent } from './applyStripeEvent'
import { recoverRequestedBankPayouts } from './recoverBankPayouts'
import { stripeMinor } from './stripeBooking'
import { cursorOf, newerThan, saveCursor } from './stripeCursors'

export const STRIPE_SYNC_TASK = 'stripe.sync'
/** Event types the books follow. */
export const STRIPE_EVENT_TYPES = ['transfer.*', 'payout.*'] as const

export interface StripeSyncResult {
  /** Events read and stored this run. */
  events: number
  /** Journal entries posted this run. */
  entries: number
  balanceTransactions: number
  /** Bank payouts whose lost answer was recovered. */
  recovered: number
}

async function syncEvents(ctx: CoreContext, stripe: Stripe): Promise<{ events: number; entries: number }> {
  const events = await newerThan<Stripe.Event>(await cursorOf(ctx, 'events'), (params) =>
    stripe.events.list({ ...params, types: [...STRIPE_EVENT_TYPES] }),
  )
  let stored = 0
  let entries = 0
  for (const event of events) {
    const posted = await ctx.db.tx(async () => {
      if (await ctx.db.first(ctx.db.k.selectFrom('stripe_events').select('id').where('id', '=', event.id))) {
        await saveCursor(ctx, 'events', event.id)
        return null
      }
      const applied = await applyStripeEvent(ctx, event)
      await ctx.db.run(
        ctx.db.k.insertInto('stripe_events').values({
          id: event.id,
          type: event.type,
          object_id: applied.objectId,
          created: event.created,
          summary: applied.summary.slice(0, 500),
          booked_entry_id: applied.entries.at(-1) ?? null,
          received_at: ctx.clock.now().toISOString(),
        }),
      )
      await saveCursor(ctx, 'events', event.id)
      return applied.entries.length
    })
    if (posted !== null) {
      stored++
      entries += posted
    }
  }
  return { events: stored, entries }
}

async function syncBalanceTransactions(ctx: CoreContext, stripe: Stripe): Promise<number> {
  const txns = await newerThan<Stripe.BalanceTransaction>(await cursorOf(ctx, 'balance_transactions'), (params) =>
    stripe.balanceTransactions.list(params),
  )
  if (txns.length === 0) return 0
  const now = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    for (const t of txns) {
      await ctx.db.run(
        ctx.db.k
          .insertInto('stripe_balance_txns')
          .values({
            id: t.id,
            type: t.type,
            currency: t.currency,
            amount: stripeMinor(t.amount, 'balance transaction amount').toString(),
            fee: stripeMinor(t.fee, 'balance transaction fee').toString(),
            net: stripeMinor(t.net, 'balance transaction net').toString(),
            source: typeof t.source === 'string' ? t.source : (t.source?.id ?? null),
            created: t.created,
            seen_at: now,
          })
          .onConflict((oc) => oc.column('id').doNothing()),
      )
    }
    await saveCursor(ctx, 'balance_transactions', txns.at(-1)!.id)
  })
  return txns.length
}

export async function syncStripe(
  ctx: CoreContext,
  stripe: Stripe,
  retry: StripeRetryPolicy = DEFAULT_STRIPE_RETRY,
): Promise<StripeSyncResult> {
  const recovered = await recoverRequestedBankPayouts(ctx, stripe, retry)
  const { events, entries } = await syncEvents(ctx, stripe)
  const balanceTransactions = await syncBalanceTransactions(ctx, stripe)
  return { events, entries, balanceTransactions, recovered }
}
