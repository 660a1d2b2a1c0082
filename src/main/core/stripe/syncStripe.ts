/**
 * The Stripe sync (poller task `stripe.sync`, and `stripe.sync` on demand). A desktop app has no
 * public URL for webhooks, so it reads the Events API from a saved cursor instead:
 *
 * 1. Bank payouts we asked for whose answer never came (status 'requested') are asked again with
 *    the SAME idempotency key (Stripe replays its stored answer within 24 h); after that, the
 *    payouts list is searched for our key in metadata.
 * 2. /v1/events (transfer.* and payout.*) newer than the cursor, applied OLDEST FIRST, each in
 *    its own transaction with the cursor: a crash re-reads at most what was not committed, and a
 *    re-read event writes nothing (the event id is the row key; entry ids are the ledger's).
 *    An event that cannot be applied yet (a reversal of a payout not booked yet, an asset the
 *    ledger lacks) STOPS the sync at that event: nothing after it is applied out of order.
 * 3. /v1/balance_transactions newer than its cursor, kept for reconciliation.
 *
 * Stripe lists newest first: with a cursor, `ending_before=<cursor>` gives the page just newer
 * than it (newest first, has_more = more newer ones); without one (first sync), pages go back
 * with `starting_after` up to FIRST_SYNC_ITEMS_MAX items.
 */
import type Stripe from 'stripe'
import { CsError } from '../../../../shared/errors'
import { formatAmount } from '../../../../shared/money'
import type { CoreContext } from '../../context'
import { log } from '../../log'
import {
  applyBankPayout,
  BANK_PAYOUT_KEY_METADATA,
  bookTransferReversal,
  markRefused,
  stripeAssetOf,
  stripeMinor,
  type StripePayoutSnapshot,
} from './stripeBooking'
import { DEFAULT_STRIPE_RETRY, postStripeWithRetry, safeStripeMessage, type StripeRetryPolicy } from './postStripeWithRetry'
import { IDEMPOTENCY_REPLAY_MS, stripeBankPayoutRequest } from './createStripeBankPayout'

export const STRIPE_SYNC_TASK = 'stripe.sync'
const PAGE_LIMIT = 100
/** Items read in one sync per stream; a longer backlog is caught up over the next syncs. */
const ITEMS_PER_SYNC_MAX = 2_000
/** The first sync of a workspace reads back at most this many (Stripe keeps events 30 days). */
const FIRST_SYNC_ITEMS_MAX = 2_000
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

interface Listed<T> {
  data: T[]
  has_more: boolean
}

function cursorOf(ctx: CoreContext, stream: string): string | null {
  return ctx.db.first(ctx.db.k.selectFrom('stripe_cursors').select('cursor').where('stream', '=', stream))?.cursor ?? null
}

function saveCursor(ctx: CoreContext, stream: string, cursor: string): void {
  const now = ctx.clock.now().toISOString()
  ctx.db.run(
    ctx.db.k
      .insertInto('stripe_cursors')
      .values({ stream, cursor, updated_at: now })
      .onConflict((oc) => oc.column('stream').doUpdateSet({ cursor, updated_at: now })),
  )
}

/** Items newer than `cursor`, oldest first. */
async function newerThan<T extends { id: string }>(
  cursor: string | null,
  list: (params: { limit: number; ending_before?: string; starting_after?: string }) => Promise<Listed<T>>,
): Promise<T[]> {
  if (cursor !== null) {
    const out: T[] = []
    let before = cursor
    for (;;) {
      let page: Listed<T>
      try {
        page = await list({ limit: PAGE_LIMIT, ending_before: before })
      } catch (error) {
        // The cursor's object is gone (Stripe keeps events 30 days): read back as on a first sync.
        if ((error as { code?: string }).code === 'resource_missing') {
          log('warn', 'Stripe no longer knows the sync cursor; reading back from the newest', { cursor: before })
          return newerThan(null, list)
        }
        throw error
      }
      if (page.data.length === 0) break
      out.push(...[...page.data].reverse())
      before = page.data[0]!.id
      if (!page.has_more || out.length >= ITEMS_PER_SYNC_MAX) break
    }
    return out
  }
  const newestFirst: T[] = []
  let after: string | undefined
  for (;;) {
    const page = await list({ limit: PAGE_LIMIT, ...(after ? { starting_after: after } : {}) })
    newestFirst.push(...page.data)
    if (!page.has_more || page.data.length === 0 || newestFirst.length >= FIRST_SYNC_ITEMS_MAX) break
    after = page.data.at(-1)!.id
  }
  return newestFirst.reverse()
}

/** What one event means for the books: applies it inside the caller's tx; returns the entry ids and a sentence. */
function applyEvent(ctx: CoreContext, event: Stripe.Event): { entries: string[]; summary: string; objectId: string | null } {
  const object = event.data.object as unknown as { id?: string } & Record<string, unknown>
  const objectId = typeof object.id === 'string' ? object.id : null
  if (event.type === 'transfer.reversed') {
    const t = object as unknown as Stripe.Transfer
    const previous = (event.data.previous_attributes ?? {}) as { amount_reversed?: number }
    const delta = stripeMinor(t.amount_reversed, 'amount_reversed') - stripeMinor(previous.amount_reversed ?? 0, 'previous amount_reversed')
    const asset = stripeAssetOf(ctx, t.currency)
    const text = `${formatAmount(delta, asset.scale)} ${asset.code}`
    const payoutId = t.metadata?.['countersign_payout_id']
    const payout = payoutId ? ctx.db.first(ctx.db.k.selectFrom('payouts').selectAll().where('id', '=', payoutId)) : undefined
    const destination = typeof t.destination === 'string' ? t.destination : (t.destination?.id ?? '')
    if (!payout || payout.rail !== 'stripe' || payout.recipient !== destination) {
      return {
        entries: [],
        objectId,
        summary: `Transfer ${t.id} to ${destination} reversed ${text} — not a Countersign payout, not booked.`,
      }
    }
    if (delta <= 0n)
      return { entries: [], objectId, summary: `Transfer ${t.id} (payout ${payout.id}): reversal without a new amount — nothing to book.` }
    if (payout.entry_id === null) {
      throw new CsError(
        'EXECUTION_STATE',
        `Stripe reversed transfer ${t.id} of payout ${payout.id}, which is not booked yet — the sync waits until it is confirmed.`,
      )
    }
    const id = bookTransferReversal(ctx, {
      eventId: event.id,
      payoutId: payout.id,
      assetId: payout.asset_id,
      recipient: payout.recipient,
      amount: delta,
      transferId: t.id,
    })
    return {
      entries: [id],
      objectId,
      summary: `Transfer ${t.id} to ${destination} (payout ${payout.id}) reversed ${text}: booked back to the platform balance.`,
    }
  }
  if (event.type.startsWith('payout.')) {
    const po = object as unknown as StripePayoutSnapshot
    const entries = applyBankPayout(ctx, po)
    const asset = stripeAssetOf(ctx, po.currency)
    const text = `${formatAmount(stripeMinor(po.amount, 'payout amount'), asset.scale)} ${asset.code}`
    const was = (event.data.previous_attributes as { status?: string } | undefined)?.status
    const move = was && was !== po.status ? `${was} → ${po.status}` : po.status
    const failure = po.failure_message ? ` (${po.failure_message})` : ''
    return {
      entries,
      objectId,
      summary: `Bank payout ${po.id} of ${text}: ${move}${failure}${entries.length > 0 ? ` — booked ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}` : ''}.`,
    }
  }
  if (event.type === 'transfer.created') {
    const t = object as unknown as Stripe.Transfer
    const asset = stripeAssetOf(ctx, t.currency)
    const payoutId = t.metadata?.['countersign_payout_id']
    const destination = typeof t.destination === 'string' ? t.destination : (t.destination?.id ?? '')
    return {
      entries: [],
      objectId,
      summary: `Transfer ${t.id} of ${formatAmount(stripeMinor(t.amount, 'transfer amount'), asset.scale)} ${asset.code} to ${destination}${payoutId ? ` (payout ${payoutId}) — booked when the payout confirmed` : ' — not made by Countersign'}.`,
    }
  }
  return { entries: [], objectId, summary: `${event.type} ${objectId ?? ''}`.trim() }
}

async function syncEvents(ctx: CoreContext, stripe: Stripe): Promise<{ events: number; entries: number }> {
  const events = await newerThan<Stripe.Event>(cursorOf(ctx, 'events'), (params) =>
    stripe.events.list({ ...params, types: [...STRIPE_EVENT_TYPES] }),
  )
  let stored = 0
  let entries = 0
  for (const event of events) {
    const posted = ctx.db.tx(() => {
      if (ctx.db.first(ctx.db.k.selectFrom('stripe_events').select('id').where('id', '=', event.id))) {
        saveCursor(ctx, 'events', event.id)
        return null
      }
      const applied = applyEvent(ctx, event)
      ctx.db.run(
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
      saveCursor(ctx, 'events', event.id)
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
  const txns = await newerThan<Stripe.BalanceTransaction>(cursorOf(ctx, 'balance_transactions'), (params) =>
    stripe.balanceTransactions.list(params),
  )
  if (txns.length === 0) return 0
  const now = ctx.clock.now().toISOString()
  ctx.db.tx(() => {
    for (const t of txns) {
      ctx.db.run(
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
    saveCursor(ctx, 'balance_transactions', txns.at(-1)!.id)
  })
  return txns.length
}

/** Our bank payouts still 'requested' (answer lost): ask again with the same key, or find them by key. */
async function recoverRequestedBankPayouts(ctx: CoreContext, stripe: Stripe, retry: StripeRetryPolicy): Promise<number> {
  const open = ctx.db.all(
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
        ctx.db.tx(() => markRefused(ctx, row.key, out.error.code ?? 'rejected', safeStripeMessage(out.error)))
        continue
      } else continue // still unknown: next sync
    } else {
      // Stripe forgot the key: only the list can say whether it landed.
      const listed = await stripe.payouts.list({ limit: PAGE_LIMIT })
      found = listed.data.find((p) => p.metadata?.[BANK_PAYOUT_KEY_METADATA] === row.key) ?? null
      if (!found) {
        ctx.db.tx(() =>
          markRefused(
            ctx,
            row.key,
            'not_found',
            'Stripe never created this payout (its request was lost) — create it again if it is still wanted.',
          ),
        )
        continue
      }
    }
    ctx.db.tx(() => applyBankPayout(ctx, found as unknown as StripePayoutSnapshot))
    recovered++
  }
  return recovered
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
