/**
 * What one Stripe event means for the books, applied inside the caller's db.tx: a transfer
 * reversal of one of our payouts is booked back to the platform balance; a bank payout's change
 * is brought to its row and booked (applyBankPayout.ts); a transfer.created is only described
 * (our transfers are booked when the payout confirms). Returns the entries posted and a sentence
 * for the events list. An event that cannot be applied yet throws, which stops the sync there.
 */
import type Stripe from 'stripe'
import { CsError } from '../../../shared/errors'
import { formatAmount } from '../../../shared/money'
import type { CoreContext } from '../context'
import { applyBankPayout } from './applyBankPayout'
import { bookTransferReversal, stripeAssetOf, stripeMinor, type StripePayoutSnapshot } from './stripeBooking'

export interface AppliedStripeEvent {
  entries: string[]
  summary: string
  objectId: string | null
}

export async function applyStripeEvent(ctx: CoreContext, event: Stripe.Event): Promise<AppliedStripeEvent> {
  const object = event.data.object as unknown as { id?: string } & Record<string, unknown>
  const objectId = typeof object.id === 'string' ? object.id : null
  if (event.type === 'transfer.reversed')
    return { objectId, ...(await applyTransferReversed(ctx, event, object as unknown as Stripe.Transfer)) }
  if (event.type.startsWith('payout.'))
    return { objectId, ...(await applyPayoutEvent(ctx, event, object as unknown as StripePayoutSnapshot)) }
  if (event.type === 'transfer.created')
    return { objectId, entries: [], summary: await describeTransferCreated(ctx, object as unknown as Stripe.Transfer) }
  return { entries: [], objectId, summary: `${event.type} ${objectId ?? ''}`.trim() }
}

function destinationOf(t: Stripe.Transfer): string {
  return typeof t.destination === 'string' ? t.destination : (t.destination?.id ?? '')
}

async function applyTransferReversed(
  ctx: CoreContext,
  event: Stripe.Event,
  t: Stripe.Transfer,
): Promise<Omit<AppliedStripeEvent, 'objectId'>> {
  const previous = (event.data.previous_attributes ?? {}) as { amount_reversed?: number }
  const delta = stripeMinor(t.amount_reversed, 'amount_reversed') - stripeMinor(previous.amount_reversed ?? 0, 'previous amount_reversed')
  const asset = await stripeAssetOf(ctx, t.currency)
  const text = `${formatAmount(delta, asset.scale)} ${asset.code}`
  const payoutId = t.metadata?.['countersign_payout_id']
  const payout = payoutId ? await ctx.db.first(ctx.db.k.selectFrom('payouts').selectAll().where('id', '=', payoutId)) : undefined
  const destination = destinationOf(t)
  if (!payout || payout.rail !== 'stripe' || payout.recipient !== destination)
    return { entries: [], summary: `Transfer ${t.id} to ${destination} reversed ${text} — not a Countersign payout, not booked.` }
  if (delta <= 0n)
    return { entries: [], summary: `Transfer ${t.id} (payout ${payout.id}): reversal without a new amount — nothing to book.` }
  if (payout.entry_id === null) {
    throw new CsError(
      'EXECUTION_STATE',
      `Stripe reversed transfer ${t.id} of payout ${payout.id}, which is not booked yet — the sync waits until it is confirmed.`,
    )
  }
  const id = await bookTransferReversal(ctx, {
    eventId: event.id,
    payoutId: payout.id,
    bookingEntryId: payout.entry_id,
    assetId: payout.asset_id,
    recipient: payout.recipient,
    amount: delta,
    transferId: t.id,
  })
  return {
    entries: [id],
    summary: `Transfer ${t.id} to ${destination} (payout ${payout.id}) reversed ${text}: booked back to the platform balance.`,
  }
}

async function applyPayoutEvent(
  ctx: CoreContext,
  event: Stripe.Event,
  po: StripePayoutSnapshot,
): Promise<Omit<AppliedStripeEvent, 'objectId'>> {
  const entries = await applyBankPayout(ctx, po)
  const asset = await stripeAssetOf(ctx, po.currency)
  const text = `${formatAmount(stripeMinor(po.amount, 'payout amount'), asset.scale)} ${asset.code}`
  const was = (event.data.previous_attributes as { status?: string } | undefined)?.status
  const move = was && was !== po.status ? `${was} → ${po.status}` : po.status
  const failure = po.failure_message ? ` (${po.failure_message})` : ''
  const booked = entries.length > 0 ? ` — booked ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}` : ''
  return { entries, summary: `Bank payout ${po.id} of ${text}: ${move}${failure}${booked}.` }
}

async function describeTransferCreated(ctx: CoreContext, t: Stripe.Transfer): Promise<string> {
  const asset = await stripeAssetOf(ctx, t.currency)
  const payoutId = t.metadata?.['countersign_payout_id']
  const amount = `${formatAmount(stripeMinor(t.amount, 'transfer amount'), asset.scale)} ${asset.code}`
  return `Transfer ${t.id} of ${amount} to ${destinationOf(t)}${payoutId ? ` (payout ${payoutId}) — booked when the payout confirmed` : ' — not made by Countersign'}.`
}
