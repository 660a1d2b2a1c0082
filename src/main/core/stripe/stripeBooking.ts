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
 * returned; the next status books only the difference (applyBankPayout.ts). Paid -> failed (a
 * bank returning the money days later) books `returned` from the bank account: the treasury gets
 * it back exactly once.
 */
import { CsError } from '../../../shared/errors'
import { formatAmount } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import type { CoreContext } from '../context'
import { SYSTEM_ACTOR } from '../context'
import { postEntries } from '../ledger'
import { ensureAccount } from '../ledger/ensureAccount'
import { ensurePayeeAccount, entryExists, payeeAccountOfEntry } from '../ledger/payeeAccounts'
import { requireTreasuryAccount } from '../payouts/execute/treasuryAccount'
import { assertStripeScale } from '../rails/stripe/stripeMinorUnits'
import { STRIPE_PLATFORM_SOURCE } from '../rails/stripe/stripeRailConfig'
import { invariant } from '../util/invariant'

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
export async function stripeAssetOf(ctx: CoreContext, currency: string): Promise<{ id: string; scale: number; code: string }> {
  const code = currency.toUpperCase()
  const id = `${code}@stripe`
  const asset = await ctx.db.first(ctx.db.k.selectFrom('assets').select(['id', 'scale']).where('id', '=', id))
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
  invariant(typeof value === 'number' && Number.isSafeInteger(value), () => `Stripe ${what} is not a whole number of minor units`)
  return BigInt(value)
}

export async function stripeTransitAccountId(ctx: CoreContext, assetId: string): Promise<string> {
  return await ensureAccount(ctx, {
    id: `clearing:stripe-payouts:${assetId}`,
    kind: 'clearing',
    assetId,
    name: `Stripe payouts in transit (${assetId})`,
  })
}

export async function stripeBankAccountId(ctx: CoreContext, assetId: string): Promise<string> {
  return await ensureAccount(ctx, {
    id: `external:stripe-bank:${assetId}`,
    kind: 'external',
    assetId,
    name: `Platform bank, via Stripe payouts (${assetId})`,
  })
}

/** Books a reversal of `amount` on our payout's transfer; returns the entry id. */
export async function bookTransferReversal(
  ctx: CoreContext,
  p: {
    eventId: string
    payoutId: string
    /** The payout's booking: the reversal credits the payee account that booking debited. */
    bookingEntryId: string
    assetId: string
    recipient: string
    amount: bigint
    transferId: string
  },
): Promise<string> {
  const asset = await ctx.db.first(ctx.db.k.selectFrom('assets').select('scale').where('id', '=', p.assetId))
  invariant(asset, () => `asset ${p.assetId} vanished`)
  const treasury = await requireTreasuryAccount(ctx, p.assetId, STRIPE_PLATFORM_SOURCE)
  const id = `stripe:${p.eventId}`
  // Booked already (the event replayed): the accounts it used stand.
  if (await entryExists(ctx, id)) return id
  // The account the money went to, not a fresh resolution: the acct_ id is case-sensitive, and an
  // address-book entry added after the payout must not take a reversal of money it never got.
  const payee =
    (await payeeAccountOfEntry(ctx, p.bookingEntryId)) ??
    (await ensurePayeeAccount(ctx, { assetId: p.assetId, address: p.recipient, name: null }))
  const amount = formatAmount(p.amount, asset.scale)
  await postEntries(
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

/** Our bank payout request that Stripe refused (or never received): no money moved, nothing booked. */
export async function markRefused(ctx: CoreContext, key: string, code: string, message: string): Promise<void> {
  const now = ctx.clock.now().toISOString()
  await ctx.db.run(
    ctx.db.k
      .updateTable('stripe_bank_payouts')
      .set({ status: 'refused', failure_code: code.slice(0, 64), failure_message: message.slice(0, 500), updated_at: now })
      .where('key', '=', key),
  )
  await appendAudit(ctx, {
    actor: SYSTEM_ACTOR,
    action: 'stripe.bankPayout.status',
    subject: `stripe-bank-payout:${key}`,
    change: { after: { status: 'refused', code } },
  })
}
