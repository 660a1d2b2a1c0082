/**
 * The Stripe read calls over what the sync and the bank payouts stored: the events list, the
 * balance transactions (kept for reconciliation) and the bank payouts, amounts as decimal text in
 * each asset's scale. Reads only the database; never Stripe.
 */
import type { StripeBankPayout } from '../../../shared/stripeApi'
import { formatAmount } from '../../../shared/money'
import type { CoreContext } from '../context'
import type { StripeBankPayoutsTable } from '../db/schema'
import type { StripeHandlers } from './stripeHandlers'

type ListHandlers = Pick<StripeHandlers, 'stripe.events.list' | 'stripe.balanceTransactions.list' | 'stripe.bankPayouts.list'>

const EVENTS_LISTED_DEFAULT = 100
/** Bank payouts listed at most (newest first). */
const BANK_PAYOUTS_LISTED_MAX = 500

export function createStripeListHandlers(): ListHandlers {
  return {
    'stripe.events.list': async ({ core }, input) =>
      (
        await core.db.all(
          core.db.k
            .selectFrom('stripe_events')
            .selectAll()
            .orderBy('created', 'desc')
            .orderBy('received_at', 'desc')
            .limit(input.limit ?? EVENTS_LISTED_DEFAULT),
        )
      ).map((e) => ({
        id: e.id,
        type: e.type,
        objectId: e.object_id,
        created: new Date(e.created * 1000).toISOString(),
        summary: e.summary,
        bookedEntryId: e.booked_entry_id,
      })),

    'stripe.balanceTransactions.list': async ({ core }, input) =>
      Promise.all(
        (
          await core.db.all(
            core.db.k
              .selectFrom('stripe_balance_txns')
              .selectAll()
              .orderBy('created', 'desc')
              .orderBy('id', 'desc')
              .limit(input.limit ?? EVENTS_LISTED_DEFAULT),
          )
        ).map(async (t) => {
          const assetId = `${t.currency.toUpperCase()}@stripe`
          const scale = await scaleOf(core, assetId)
          return {
            id: t.id,
            type: t.type,
            assetId,
            amount: formatAmount(BigInt(t.amount), scale),
            fee: formatAmount(BigInt(t.fee), scale),
            net: formatAmount(BigInt(t.net), scale),
            source: t.source,
            created: new Date(t.created * 1000).toISOString(),
          }
        }),
      ),

    'stripe.bankPayouts.list': async ({ core }) =>
      Promise.all(
        (
          await core.db.all(
            core.db.k.selectFrom('stripe_bank_payouts').selectAll().orderBy('created_at', 'desc').limit(BANK_PAYOUTS_LISTED_MAX),
          )
        ).map(async (r) => await toBankPayout(core, r)),
      ),
  }
}

export async function scaleOf(ctx: CoreContext, assetId: string): Promise<number> {
  return (await ctx.db.first(ctx.db.k.selectFrom('assets').select('scale').where('id', '=', assetId)))?.scale ?? 2
}

export async function toBankPayout(ctx: CoreContext, r: StripeBankPayoutsTable): Promise<StripeBankPayout> {
  return {
    key: r.key,
    stripeId: r.stripe_id,
    assetId: r.asset_id,
    amount: formatAmount(BigInt(r.amount), await scaleOf(ctx, r.asset_id)),
    description: r.description,
    status: r.status,
    booked: r.booked,
    failureCode: r.failure_code,
    failureMessage: r.failure_message,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}
