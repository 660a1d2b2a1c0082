/**
 * A payout from the Stripe platform balance to the platform's bank (treasurer or admin).
 *
 * Exactly once: the row with OUR idempotency key `cs_bank_<random>` commits (audited) before the
 * request; the request carries that key and our bounded retries; its answer is applied with the
 * same booking as the Events sync (applyBankPayout.ts). An answer that never comes
 * leaves the row 'requested', and the sync asks again with the same key.
 */
import { randomBytes } from 'node:crypto'
import type Stripe from 'stripe'
import { CsError } from '../../../shared/errors'
import { parseAmount } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { StripeBankPayoutsTable } from '../db/schema'
import { requireTreasuryAccount } from '../payouts/execute/treasuryAccount'
import { postStripeWithRetry, safeStripeMessage, type StripeRetryPolicy } from '../rails/stripe/postStripeWithRetry'
import { stripeCurrencyOfAsset } from '../rails/stripe/stripeMinorUnits'
import { STRIPE_PLATFORM_SOURCE } from '../rails/stripe/stripeRailConfig'
import { invariant } from '../util/invariant'
import { applyBankPayout } from './applyBankPayout'
import { BANK_PAYOUT_KEY_METADATA, markRefused, stripeAssetOf, type StripePayoutSnapshot } from './stripeBooking'

/** Ask again with the same key only while Stripe surely still replays it (24 h, less a margin). */
export const IDEMPOTENCY_REPLAY_MS = 23 * 60 * 60 * 1000
const DESCRIPTION_CHARS_MAX = 200

export interface CreateBankPayoutInput {
  assetId: string
  /** Decimal text in the asset's units, e.g. "250.00". */
  amount: string
  description?: string
}

/** The request body, from the row alone (so a resend is byte-for-byte the same request). */
export function stripeBankPayoutRequest(
  row: Pick<StripeBankPayoutsTable, 'key' | 'asset_id' | 'amount' | 'description'>,
): Stripe.PayoutCreateParams {
  return {
    // Decimal text: form-encoded unchanged, never a float.
    amount: row.amount as unknown as number,
    currency: stripeCurrencyOfAsset(row.asset_id),
    ...(row.description ? { description: row.description } : {}),
    metadata: { [BANK_PAYOUT_KEY_METADATA]: row.key },
  }
}

export async function createStripeBankPayout(
  ctx: CoreContext,
  stripe: Stripe,
  actor: Actor,
  input: CreateBankPayoutInput,
  retry: StripeRetryPolicy,
): Promise<StripeBankPayoutsTable> {
  const currency = stripeCurrencyOfAsset(input.assetId)
  const asset = await stripeAssetOf(ctx, currency)
  await requireTreasuryAccount(ctx, asset.id, STRIPE_PLATFORM_SOURCE)
  const amount = parseAmount(input.amount, asset.scale)
  if (amount <= 0n) throw new CsError('AMOUNT_RANGE', 'A payout to the bank must be more than zero.')
  const description = input.description?.trim() || null
  if (description !== null && description.length > DESCRIPTION_CHARS_MAX)
    throw new CsError('INVALID_INPUT', `The description is ${description.length} characters — at most ${DESCRIPTION_CHARS_MAX}.`)
  const now = ctx.clock.now().toISOString()
  const row: StripeBankPayoutsTable = {
    key: `cs_bank_${randomBytes(12).toString('hex')}`,
    stripe_id: null,
    asset_id: asset.id,
    amount: amount.toString(),
    description,
    status: 'requested',
    booked: null,
    failure_code: null,
    failure_message: null,
    created_by: actor,
    created_at: now,
    updated_at: now,
  }
  await ctx.db.tx(async () => {
    await ctx.db.run(ctx.db.k.insertInto('stripe_bank_payouts').values(row))
    await appendAudit(ctx, {
      actor,
      action: 'stripe.bankPayout.request',
      subject: `stripe-bank-payout:${row.key}`,
      change: { after: { assetId: row.asset_id, amount: row.amount, description } },
    })
  })
  const out = await postStripeWithRetry(
    row.key,
    (key) => stripe.payouts.create(stripeBankPayoutRequest(row), { idempotencyKey: key }),
    retry,
  )
  if (out.kind === 'rejected') {
    const message = safeStripeMessage(out.error)
    await ctx.db.tx(async () => await markRefused(ctx, row.key, out.error.code ?? 'rejected', message))
    throw new CsError(
      out.error.code === 'balance_insufficient'
        ? 'STRIPE_BALANCE_INSUFFICIENT'
        : out.error.statusCode === 401
          ? 'STRIPE_AUTH_FAILED'
          : 'STRIPE_REQUEST_REJECTED',
      `Stripe refused the payout to the bank (${message}) — nothing was paid out.`,
    )
  }
  if (out.kind === 'ok') await ctx.db.tx(async () => await applyBankPayout(ctx, out.value as unknown as StripePayoutSnapshot, actor))
  const fresh = await ctx.db.first(ctx.db.k.selectFrom('stripe_bank_payouts').selectAll().where('key', '=', row.key))
  invariant(fresh, 'bank payout row vanished')
  return fresh
}
