/**
 * Brings our row of a bank payout (platform balance → the platform's bank) to what Stripe says
 * now and books the difference, inside the caller's db.tx. Used by the Events sync, by the answer
 * to our own request, and by its recovery — one booking, whoever saw the change first.
 *
 * Stages only move forward (sent → paid → returned): an older snapshot arriving late (a replayed
 * answer, a redelivered event) never undoes what a newer one booked. Entry ids are
 * stripe:payout:<po_id>:<stage>, so a replay writes nothing (see stripeBooking.ts).
 */
import { appendAudit } from '../audit/appendAudit'
import { SYSTEM_ACTOR, type Actor, type CoreContext } from '../context'
import type { StripeBankPayoutsTable } from '../db/schema'
import { postEntries } from '../ledger'
import { log } from '../log'
import { requireTreasuryAccount } from '../payouts/execute/treasuryAccount'
import { formatAmount } from '../../../shared/money'
import { STRIPE_PLATFORM_SOURCE } from '../rails/stripe/stripeRailConfig'
import { invariant } from '../util/invariant'
import {
  BANK_PAYOUT_KEY_METADATA,
  STRIPE_PAYOUT_ENTRY_KIND,
  stripeAssetOf,
  stripeBankAccountId,
  stripeMinor,
  stripeTransitAccountId,
  type StripePayoutSnapshot,
} from './stripeBooking'

type Stage = 'sent' | 'paid' | 'returned'

const STAGE_RANK: Record<'none' | Stage, number> = { none: 0, sent: 1, paid: 2, returned: 3 }

/** What a bank payout status means for the books. */
function bookedStageOf(status: string): Stage | null {
  switch (status) {
    case 'pending':
    case 'in_transit':
      return 'sent'
    case 'paid':
      return 'paid'
    case 'failed':
    case 'canceled':
      return 'returned'
    default:
      return null
  }
}

/** Returns the entry ids posted now (none when nothing changed). */
export async function applyBankPayout(ctx: CoreContext, snapshot: StripePayoutSnapshot, actor = SYSTEM_ACTOR): Promise<string[]> {
  const asset = await stripeAssetOf(ctx, snapshot.currency)
  const amount = stripeMinor(snapshot.amount, `payout ${snapshot.id} amount`)
  const row = await bankPayoutRowFor(ctx, snapshot, asset.id, amount)
  invariant(
    row.asset_id === asset.id && row.amount === amount.toString(),
    () => `Stripe payout ${snapshot.id} is ${amount} ${asset.id}, our row says ${row.amount} ${row.asset_id}`,
  )
  const target = bookedStageOf(snapshot.status)
  if (target !== null && STAGE_RANK[target] < STAGE_RANK[(row.booked ?? 'none') as keyof typeof STAGE_RANK]) {
    log('info', 'ignored an older Stripe payout snapshot', { payout: snapshot.id, status: snapshot.status, booked: row.booked })
    return []
  }
  const posted: string[] = []
  if (target !== null && target !== row.booked && row.booked !== 'returned') {
    const entries = await stageEntries(ctx, snapshot, { ...asset, amount }, row.booked as Stage | null, target)
    if (entries.length > 0) await postEntries(ctx, SYSTEM_ACTOR, entries, { kind: STRIPE_PAYOUT_ENTRY_KIND })
    posted.push(...entries.map((e) => e.id))
  }
  const booked = target === null ? row.booked : row.booked === 'returned' ? 'returned' : target
  await recordStatus(ctx, row, snapshot, booked, posted, actor)
  return posted
}

/** Our row (by Stripe's id, else our key in metadata); a payout made outside the app gets one now. */
async function bankPayoutRowFor(
  ctx: CoreContext,
  snapshot: StripePayoutSnapshot,
  assetId: string,
  amount: bigint,
): Promise<StripeBankPayoutsTable> {
  const ourKey = snapshot.metadata?.[BANK_PAYOUT_KEY_METADATA]
  const found =
    (await ctx.db.first(ctx.db.k.selectFrom('stripe_bank_payouts').selectAll().where('stripe_id', '=', snapshot.id))) ??
    (ourKey ? await ctx.db.first(ctx.db.k.selectFrom('stripe_bank_payouts').selectAll().where('key', '=', ourKey)) : undefined)
  if (found) return found
  const now = ctx.clock.now().toISOString()
  const fresh: StripeBankPayoutsTable = {
    key: `stripe:${snapshot.id}`,
    stripe_id: snapshot.id,
    asset_id: assetId,
    amount: amount.toString(),
    description: snapshot.description ?? null,
    status: 'requested',
    booked: null,
    failure_code: null,
    failure_message: null,
    created_by: SYSTEM_ACTOR,
    created_at: now,
    updated_at: now,
  }
  await ctx.db.run(ctx.db.k.insertInto('stripe_bank_payouts').values(fresh))
  return fresh
}

/** The entries that move the books from the `booked` stage to `target`. */
async function stageEntries(
  ctx: CoreContext,
  snapshot: StripePayoutSnapshot,
  asset: { id: string; scale: number; code: string; amount: bigint },
  booked: Stage | null,
  target: Stage,
) {
  const treasury = (await requireTreasuryAccount(ctx, asset.id, STRIPE_PLATFORM_SOURCE)).id
  const transit = await stripeTransitAccountId(ctx, asset.id)
  const bank = await stripeBankAccountId(ctx, asset.id)
  const text = formatAmount(asset.amount, asset.scale)
  const metadata = { stripePayoutId: snapshot.id }
  const base = `stripe:payout:${snapshot.id}`
  const entries = []
  if (booked === null && target !== 'returned') {
    entries.push({
      id: `${base}:sent`,
      description: `Stripe payout ${snapshot.id} of ${text} ${asset.code} to the platform bank`,
      postings: [
        { account: transit, debit: text },
        { account: treasury, credit: text },
      ],
      metadata,
    })
  }
  if (target === 'paid') {
    entries.push({
      id: `${base}:paid`,
      description: `Stripe payout ${snapshot.id} paid into the platform bank`,
      postings: [
        { account: bank, debit: text },
        { account: transit, credit: text },
      ],
      metadata,
    })
  }
  if (target === 'returned' && booked !== null) {
    // From wherever the money is booked now: in transit, or the bank that returned it.
    const from = booked === 'paid' ? bank : transit
    entries.push({
      id: `${base}:returned`,
      description: `Stripe payout ${snapshot.id} ${snapshot.status}${booked === 'paid' ? ' after it was paid' : ''}: ${text} ${asset.code} back in the platform balance`,
      postings: [
        { account: treasury, debit: text },
        { account: from, credit: text },
      ],
      metadata,
    })
  }
  return entries
}

/** Stores Stripe's status and the stage now booked, audited, when anything changed. */
async function recordStatus(
  ctx: CoreContext,
  row: StripeBankPayoutsTable,
  snapshot: StripePayoutSnapshot,
  booked: string | null,
  posted: readonly string[],
  actor: Actor,
): Promise<void> {
  const changed =
    row.status !== snapshot.status ||
    row.booked !== booked ||
    row.stripe_id !== snapshot.id ||
    row.failure_code !== (snapshot.failure_code ?? null)
  if (!changed) return
  await ctx.db.run(
    ctx.db.k
      .updateTable('stripe_bank_payouts')
      .set({
        stripe_id: snapshot.id,
        status: snapshot.status,
        booked,
        failure_code: snapshot.failure_code ?? null,
        failure_message: snapshot.failure_message ?? null,
        updated_at: ctx.clock.now().toISOString(),
      })
      .where('key', '=', row.key),
  )
  await appendAudit(ctx, {
    actor,
    action: 'stripe.bankPayout.status',
    subject: `stripe-payout:${snapshot.id}`,
    change: {
      before: { status: row.status, booked: row.booked },
      after: { status: snapshot.status, booked, failureCode: snapshot.failure_code ?? null },
      entries: posted,
    },
  })
}
