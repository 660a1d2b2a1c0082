/**
 * How Stripe's own movements of the platform balance are booked (the Events API sync applies
 * them; bank payouts created here apply their answer the same way). Always inside the caller's
 * db.tx, with entry ids that make a replay write nothing:
 *
 *   Transfer reversal (money back from a connected account)
 *     stripe:<evt_id>                  payee -> treasury         (the amount reversed by that event)
 *   Payout from the platform balance to its bank
 *     stripe:payout:<po_id>:sent       treasury -> clearing "Stripe payouts in transit"
 *     stripe:payout:<po_id>:paid       clearing -> external "Platform bank (Stripe payouts)"
 *     stripe:payout:<po_id>:returned   back to the treasury from wherever it was booked
 *                                      (clearing if it failed in transit, the bank if it was paid)
 *
 * A bank payout's row keeps the status whose entries are posted (`booked`): sent | paid |
 * returned; the next status books only the difference. Paid -> failed (a bank returning the money
 * days later) books `returned` from the bank account: the treasury gets it back exactly once.
 */
import { CsError } from '../../../../shared/errors'
import { formatAmount } from '../../../../shared/money'
import { appendAudit } from '../../audit/appendAudit'
import type { CoreContext } from '../../context'
import { SYSTEM_ACTOR } from '../../context'
import type { StripeBankPayoutsTable } from '../../db/schema'
import { addAccount, postEntries } from '../../ledger'
import { log } from '../../log'
import { requireTreasuryAccount } from '../../payouts/execute/bookSubmission'
import { STRIPE_PLATFORM_SOURCE } from './createStripeRail'
import { assertStripeScale } from './stripeMinorUnits'

export const STRIPE_REVERSAL_ENTRY_KIND = 'stripe.reversal'
export const STRIPE_PAYOUT_ENTRY_KIND = 'stripe.payout'

/** The fields of a Stripe payout object the books need. */
export interface StripePayoutSnapshot {
  id: string
  amount: number
  currency: string
  status: string
  description?: string | null
  failure_code?: string | null
  failure_message?: string | null
  metadata?: Record<string, string> | null
}

export const BANK_PAYOUT_KEY_METADATA = 'countersign_bank_payout_key'

/** Our asset for a Stripe currency: "usd" -> "USD@stripe" (must exist, with Stripe's scale). */
export function stripeAssetOf(ctx: CoreContext, currency: string): { id: string; scale: number; code: string } {
  const code = currency.toUpperCase()
  const id = `${code}@stripe`
  const asset = ctx.db.first(ctx.db.k.selectFrom('assets').select(['id', 'scale']).where('id', '=', id))
  if (!asset)
    throw new CsError(
      'ASSET_NOT_FOUND',
      `Stripe moved ${code} but the ledger has no asset ${id} — add it (Settings → Assets) with its treasury account; the sync continues from here.`,
    )
  assertStripeScale(currency, asset.scale)
  return { id, scale: asset.scale, code }
}

/** A Stripe amount (a JSON number of minor units) as bigint; never a float. */
export function stripeMinor(value: unknown, what: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new Error(`invariant: Stripe ${what} is not a whole number of minor units`)
  return BigInt(value)
}

function ensureAccount(ctx: CoreContext, id: string, kind: 'clearing' | 'external', assetId: string, name: string): string {
  if (!ctx.db.first(ctx.db.k.selectFrom('accounts').select('id').where('id', '=', id))) {
    addAccount(ctx, SYSTEM_ACTOR, { id, name, kind, assetId })
  }
  return id
}

export function stripeTransitAccountId(ctx: CoreContext, assetId: string): string {
  return ensureAccount(ctx, `clearing:stripe-payouts:${assetId}`, 'clearing', assetId, `Stripe payouts in transit (${assetId})`)
}

export function stripeBankAccountId(ctx: CoreContext, assetId: string): string {
  return ensureAccount(ctx, `external:stripe-bank:${assetId}`, 'external', assetId, `Platform bank, via Stripe payouts (${assetId})`)
}

/** Books a reversal of `amount` on our payout's transfer; returns the entry id. */
export function bookTransferReversal(
  ctx: CoreContext,
  p: { eventId: string; payoutId: string; assetId: string; recipient: string; amount: bigint; transferId: string },
): string {
  const asset = ctx.db.first(ctx.db.k.selectFrom('assets').select('scale').where('id', '=', p.assetId))
  if (!asset) throw new Error(`invariant: asset ${p.assetId} vanished`)
  const treasury = requireTreasuryAccount(ctx, p.assetId, STRIPE_PLATFORM_SOURCE)
  const payee = `payee:${p.assetId}:${p.recipient.toLowerCase()}`
  const id = `stripe:${p.eventId}`
  const amount = formatAmount(p.amount, asset.scale)
  postEntries(
    ctx,
    SYSTEM_ACTOR,
    [
      {
        id,
        description: `Stripe reversed ${amount} of transfer ${p.transferId} (payout ${p.payoutId}) back to the platform`.slice(0, 500),
        postings: [
          { account: treasury.id, debit: amount },
          { account: payee, credit: amount },
        ],
        metadata: { payoutId: p.payoutId, transferId: p.transferId, eventId: p.eventId },
      },
    ],
    { kind: STRIPE_REVERSAL_ENTRY_KIND },
  )
  return id
}

const STAGE_RANK: Record<'none' | 'sent' | 'paid' | 'returned', number> = { none: 0, sent: 1, paid: 2, returned: 3 }

/** What a bank payout status means for the books. */
function bookedStageOf(status: string): 'sent' | 'paid' | 'returned' | null {
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

/**
 * Brings our row of a bank payout to Stripe's `snapshot` and books the difference. Inside the
 * caller's tx. Returns the entry ids posted now (none when nothing changed).
 */
export function applyBankPayout(ctx: CoreContext, snapshot: StripePayoutSnapshot, actor = SYSTEM_ACTOR): string[] {
  const asset = stripeAssetOf(ctx, snapshot.currency)
  const amount = stripeMinor(snapshot.amount, `payout ${snapshot.id} amount`)
  const now = ctx.clock.now().toISOString()
  const ourKey = snapshot.metadata?.[BANK_PAYOUT_KEY_METADATA]
  let row =
    ctx.db.first(ctx.db.k.selectFrom('stripe_bank_payouts').selectAll().where('stripe_id', '=', snapshot.id)) ??
    (ourKey ? ctx.db.first(ctx.db.k.selectFrom('stripe_bank_payouts').selectAll().where('key', '=', ourKey)) : undefined)
  if (!row) {
    const fresh: StripeBankPayoutsTable = {
      key: `stripe:${snapshot.id}`,
      stripe_id: snapshot.id,
      asset_id: asset.id,
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
    ctx.db.run(ctx.db.k.insertInto('stripe_bank_payouts').values(fresh))
    row = fresh
  }
  if (row.asset_id !== asset.id || row.amount !== amount.toString())
    throw new Error(`invariant: Stripe payout ${snapshot.id} is ${amount} ${asset.id}, our row says ${row.amount} ${row.asset_id}`)

  const target = bookedStageOf(snapshot.status)
  // Stages only move forward (sent → paid → returned): an older snapshot arriving late (a
  // replayed answer, a redelivered event) never undoes what a newer one booked.
  if (target !== null && STAGE_RANK[target] < STAGE_RANK[(row.booked ?? 'none') as keyof typeof STAGE_RANK]) {
    log('info', 'ignored an older Stripe payout snapshot', { payout: snapshot.id, status: snapshot.status, booked: row.booked })
    return []
  }
  const posted: string[] = []
  if (target !== null && target !== row.booked && row.booked !== 'returned') {
    const treasury = requireTreasuryAccount(ctx, asset.id, STRIPE_PLATFORM_SOURCE).id
    const transit = stripeTransitAccountId(ctx, asset.id)
    const bank = stripeBankAccountId(ctx, asset.id)
    const text = formatAmount(amount, asset.scale)
    const metadata = { stripePayoutId: snapshot.id }
    const entries = []
    const base = `stripe:payout:${snapshot.id}`
    if (row.booked === null && target !== 'returned') {
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
    if (target === 'returned' && row.booked !== null) {
      // From wherever the money is booked now: in transit, or the bank that returned it.
      const from = row.booked === 'paid' ? bank : transit
      entries.push({
        id: `${base}:returned`,
        description: `Stripe payout ${snapshot.id} ${snapshot.status}${row.booked === 'paid' ? ' after it was paid' : ''}: ${text} ${asset.code} back in the platform balance`,
        postings: [
          { account: treasury, debit: text },
          { account: from, credit: text },
        ],
        metadata,
      })
    }
    if (entries.length > 0) postEntries(ctx, SYSTEM_ACTOR, entries, { kind: STRIPE_PAYOUT_ENTRY_KIND })
    posted.push(...entries.map((e) => e.id))
  }
  const booked = target === null ? row.booked : row.booked === 'returned' ? 'returned' : target === 'returned' ? 'returned' : target
  const changed =
    row.status !== snapshot.status ||
    row.booked !== booked ||
    row.stripe_id !== snapshot.id ||
    row.failure_code !== (snapshot.failure_code ?? null)
  if (changed) {
    ctx.db.run(
      ctx.db.k
        .updateTable('stripe_bank_payouts')
        .set({
          stripe_id: snapshot.id,
          status: snapshot.status,
          booked,
          failure_code: snapshot.failure_code ?? null,
          failure_message: snapshot.failure_message ?? null,
          updated_at: now,
        })
        .where('key', '=', row.key),
    )
    appendAudit(ctx, {
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
  return posted
}

/** Our bank payout request that Stripe refused (or never received): no money moved, nothing booked. */
export function markRefused(ctx: CoreContext, key: string, code: string, message: string): void {
  const now = ctx.clock.now().toISOString()
  ctx.db.run(
    ctx.db.k
      .updateTable('stripe_bank_payouts')
      .set({ status: 'refused', failure_code: code.slice(0, 64), failure_message: message.slice(0, 500), updated_at: now })
      .where('key', '=', key),
  )
  appendAudit(ctx, {
    actor: SYSTEM_ACTOR,
    action: 'stripe.bankPayout.status',
    subject: `stripe-bank-payout:${key}`,
    change: { after: { status: 'refused', code } },
  })
}
