/**
 * PURE: one Stripe payout → the transfer request the engine commits before anything is sent
 * (`build`), and that committed body as the final payload (`seal`: Stripe needs no device — the
 * request body is what the API key authorises, and our idempotency key is its id until Stripe
 * names the transfer).
 */
import type { PayoutRow } from '../../db/schema'
import { invariant } from '../../util/invariant'
import type { BuiltSubmission, PlannedChunk, RailBuildInput, RailSubmission, SignedSubmission } from '../Rail'
import { buildStripeTransferRequest, type StripeTransferRequest } from './createStripeTransfer'
import { stripeIdempotencyKey } from './stripeIdempotencyKey'
import { stripeCurrencyOfAsset } from './stripeMinorUnits'
import { STRIPE_PLATFORM_SOURCE } from './stripeRailConfig'

/** Each payout is its own chunk (one transfer); the currency is checked before anything is built. */
export function planStripeChunks(list: readonly { chunkIndex: number; payouts: readonly PayoutRow[] }[]): PlannedChunk[] {
  return list.map(({ chunkIndex, payouts }) => {
    invariant(payouts.length === 1, () => `a Stripe chunk holds exactly one payout, got ${payouts.length}`)
    const p = payouts[0]!
    stripeCurrencyOfAsset(p.asset_id)
    return { chunkIndex, assetId: p.asset_id, payoutIds: [p.id], prepared: {} }
  })
}

export function buildStripeTransfer(input: RailBuildInput): BuiltSubmission {
  const payoutId = input.chunk.payoutIds[0]
  invariant(input.chunk.payoutIds.length === 1, () => `a Stripe chunk holds exactly one payout (chunk ${input.chunk.chunkIndex})`)
  const p = input.payouts.find((x) => x.id === payoutId)
  invariant(p, () => `payout ${payoutId} missing from build`)
  const request = buildStripeTransferRequest({
    payoutId: p.id,
    batchId: input.batchId,
    amountMinor: BigInt(p.amount),
    currency: stripeCurrencyOfAsset(p.asset_id),
    destination: p.recipient,
    reference: p.reference,
    memo: p.memo,
  })
  return {
    source: STRIPE_PLATFORM_SOURCE,
    idempotencyKey: stripeIdempotencyKey(p.id, input.attempt),
    unsignedPayload: JSON.stringify(request),
    feeCap: null,
  }
}

export function sealStripeTransfer(submission: RailSubmission): SignedSubmission {
  invariant(submission.unsigned_payload !== null, () => `submission ${submission.id} has no request body`)
  return { signedPayload: submission.unsigned_payload, txHash: submission.idempotency_key }
}

/** The committed request of a submission (the sealed one once it exists). */
export function stripeRequestOf(s: Pick<RailSubmission, 'id' | 'signed_payload' | 'unsigned_payload'>): StripeTransferRequest {
  const body = s.signed_payload ?? s.unsigned_payload
  invariant(body !== null, () => `submission ${s.id} has no request body`)
  return JSON.parse(body) as StripeTransferRequest
}
