/**
 * One payout as one Connect Transfer from the platform balance, with our idempotency key.
 * transfer_group and metadata carry the payout and batch ids so `lookup` can also find it by
 * listing; the payout's own reference travels in metadata too, and `description` shows the
 * payout's memo, else its reference, else its id — what a finance person searches the Stripe
 * Dashboard by.
 */
import type Stripe from 'stripe'
import { CsError, type ErrorCode } from '../../../../shared/errors'
import {
  DEFAULT_STRIPE_RETRY,
  postStripeWithRetry,
  safeStripeMessage,
  type PostOutcome,
  type StripeErrorLike,
  type StripeRetryPolicy,
} from './postStripeWithRetry'

/** Stripe keeps a metadata value of at most this many characters. */
export const STRIPE_METADATA_VALUE_CHARS_MAX = 500

export interface StripeTransferRequest {
  amount: string
  currency: string
  destination: string
  transfer_group: string
  /** Absent in requests committed before descriptions were sent (they are resent as stored). */
  description?: string
  metadata: { countersign_payout_id: string; countersign_batch_id: string; countersign_reference?: string }
}

export function buildStripeTransferRequest(p: {
  payoutId: string
  batchId: string
  amountMinor: bigint
  currency: string
  destination: string
  /** The payout's own reference (the CSV's `reference`), when it has one. */
  reference?: string | null
  /** The payout's memo (the CSV's `memo`): on Stripe it is the transfer's description. */
  memo?: string | null
}): StripeTransferRequest {
  if (p.amountMinor <= 0n) throw new CsError('AMOUNT_RANGE', `Payout ${p.payoutId}: a Stripe transfer must be positive.`)
  if (!/^acct_[A-Za-z0-9]+$/.test(p.destination))
    throw new CsError('PAYOUT_INVALID', `Payout ${p.payoutId}: ${p.destination.slice(0, 40)} is not a Stripe connected account (acct_…).`)
  const reference = p.reference || null
  if (reference !== null && reference.length > STRIPE_METADATA_VALUE_CHARS_MAX)
    throw new CsError(
      'PAYOUT_INVALID',
      `Payout ${p.payoutId}: its reference is ${reference.length} characters — Stripe keeps at most ${STRIPE_METADATA_VALUE_CHARS_MAX}; shorten it.`,
    )
  return {
    // Decimal text: stripe-node form-encodes it unchanged, so no bigint ever becomes a float.
    amount: p.amountMinor.toString(),
    currency: p.currency.toLowerCase(),
    destination: p.destination,
    transfer_group: `cs_${p.payoutId}`,
    description: p.memo || reference || p.payoutId,
    metadata: {
      countersign_payout_id: p.payoutId,
      countersign_batch_id: p.batchId,
      // Stripe drops a key whose value is empty: only a reference that exists is sent.
      ...(reference !== null ? { countersign_reference: reference } : {}),
    },
  }
}

export function createStripeTransfer(
  stripe: Stripe,
  request: StripeTransferRequest,
  idempotencyKey: string,
  policy: StripeRetryPolicy = DEFAULT_STRIPE_RETRY,
): Promise<PostOutcome<Stripe.Transfer>> {
  return postStripeWithRetry(
    idempotencyKey,
    (key) => stripe.transfers.create(request as unknown as Stripe.TransferCreateParams, { idempotencyKey: key }),
    policy,
  )
}

/** A definite Stripe refusal → our code, with a sentence naming the payee. */
export function stripeRejectionCode(error: StripeErrorLike): ErrorCode {
  if (error.statusCode === 401) return 'STRIPE_AUTH_FAILED'
  switch (error.code) {
    case 'balance_insufficient':
    case 'insufficient_funds':
      return 'STRIPE_BALANCE_INSUFFICIENT'
    case 'resource_missing':
    case 'account_invalid':
      return 'STRIPE_ACCOUNT_MISSING'
    case 'insufficient_capabilities_for_transfer':
    case 'insufficient_capabilities':
    case 'transfers_not_allowed':
      return 'STRIPE_ACCOUNT_NOT_READY'
    default:
      return 'STRIPE_REQUEST_REJECTED'
  }
}

export function stripeRejectionMessage(error: StripeErrorLike, destination: string): string {
  const code = stripeRejectionCode(error)
  const detail = safeStripeMessage(error)
  switch (code) {
    case 'STRIPE_AUTH_FAILED':
      return `Stripe refused the secret key — set the correct key in Settings → Stripe (${detail}).`
    case 'STRIPE_BALANCE_INSUFFICIENT':
      return `The platform balance does not cover the transfer to ${destination} — top up the Stripe balance and retry (${detail}).`
    case 'STRIPE_ACCOUNT_MISSING':
      return `Stripe has no connected account ${destination} — check the payee's account id (${detail}).`
    case 'STRIPE_ACCOUNT_NOT_READY':
      return `Connected account ${destination} cannot receive transfers yet (transfers capability not active) — ask the payee to finish onboarding (${detail}).`
    default:
      return `Stripe refused the transfer to ${destination} (${detail}).`
  }
}
