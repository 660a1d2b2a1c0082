/**
 * PURE: one escrow transaction and what lookup saw → what the engine does. Stripe has no blocks:
 * blockNumber = the newest object's `created` (unix seconds), blockHash = the object ids (tr_…,
 * re_…, joined by '+'), closedAt = that `created`; nothing costs a fee (feePaid 0).
 *
 * - every request found or replayed → confirmed; any answer lost → pending (the next sweep
 *   looks again with the same keys);
 * - the first request refused → failed with its STRIPE_* code; a later one refused after an
 *   earlier one landed (resolve: transfer made, refund refused) → failed ESCROW_RAIL_REFUSED
 *   naming what did land, so a person finishes it by hand;
 * - a funding check → confirmed when the charge succeeded for at least the escrow's total, in its
 *   currency and transfer_group, else failed ESCROW_CHARGE_MISMATCH.
 */
import { assertNever, invariant } from '../../../util/invariant'
import type { EscrowRailTx, EscrowVerdict } from '../../EscrowRail'
import type { StripeChargeExpectation } from './buildStripeEscrowTx'
import { stripeEscrowPayloadOf } from './buildStripeEscrowTx'
import type { StripeChargeFacts, StripeEscrowObservation, StripeEscrowPartSeen } from './lookupStripeEscrowTxs'

export function classifyStripeEscrowTx(feeAssetId: string, tx: EscrowRailTx, observation: unknown): EscrowVerdict {
  invariant(tx.state === 'signed' || tx.state === 'broadcast', () => `classify of a ${tx.state} escrow tx ${tx.id}`)
  const o = observation as StripeEscrowObservation
  switch (o.kind) {
    case 'unknown':
      return { kind: 'pending', rebroadcast: false }
    case 'charge':
      return classifyCharge(feeAssetId, tx, o.charge)
    case 'parts':
      return classifyParts(feeAssetId, o.parts)
    default:
      return assertNever(o, 'Stripe escrow observation')
  }
}

function classifyParts(feeAssetId: string, parts: readonly StripeEscrowPartSeen[]): EscrowVerdict {
  invariant(parts.length > 0, 'a Stripe escrow tx with no request')
  const landed = parts.flatMap((p) => (p.kind === 'done' ? [p] : []))
  const refused = parts.find((p) => p.kind === 'rejected')
  if (refused !== undefined && refused.kind === 'rejected') {
    const base = { kind: 'failed', blockNumber: '0', blockHash: 'refused', feePaid: 0n, feeAssetId } as const
    if (landed.length === 0) return { ...base, reason: refused.reason, code: refused.code }
    const made = landed.map((p) => `${p.part} ${p.id}`).join(', ')
    return {
      ...base,
      code: 'ESCROW_RAIL_REFUSED',
      reason: `Stripe made ${made} but refused the rest: ${refused.reason} Finish the rest in the Stripe Dashboard and record it.`,
    }
  }
  if (landed.length < parts.length) return { kind: 'pending', rebroadcast: false }
  const created = Math.max(...landed.map((p) => p.created))
  return {
    kind: 'confirmed',
    blockNumber: String(created),
    blockHash: landed.map((p) => p.id).join('+'),
    feePaid: 0n,
    feeAssetId,
    closedAt: new Date(created * 1000),
  }
}

function classifyCharge(feeAssetId: string, tx: EscrowRailTx, charge: StripeChargeFacts | null): EscrowVerdict {
  const expected = stripeEscrowPayloadOf(tx).verify
  invariant(expected !== null, () => `escrow tx ${tx.id}: a charge observation without a charge check`)
  const mismatch = stripeChargeMismatch(expected, charge)
  if (mismatch !== null || charge === null)
    return {
      kind: 'failed',
      blockNumber: String(charge?.created ?? 0),
      blockHash: charge?.id ?? 'missing',
      feePaid: 0n,
      feeAssetId,
      code: 'ESCROW_CHARGE_MISMATCH',
      reason: mismatch ?? `Stripe has no charge ${expected.charge}.`,
    }
  return {
    kind: 'confirmed',
    blockNumber: String(charge.created),
    blockHash: charge.id,
    feePaid: 0n,
    feeAssetId,
    closedAt: new Date(charge.created * 1000),
  }
}

/** PURE: why this charge cannot fund the escrow (a sentence saying what to do), or null when it can. */
export function stripeChargeMismatch(expected: StripeChargeExpectation, charge: StripeChargeFacts | null): string | null {
  const fix = 'check the charge id on the escrow, or have the customer pay again with the right amount and transfer group.'
  if (charge === null) return `Stripe has no charge ${expected.charge} — ${fix}`
  if (charge.status !== 'succeeded') return `Charge ${charge.id} has not succeeded (status ${charge.status}) — wait for it, or ${fix}`
  if (charge.currency !== expected.currency)
    return `Charge ${charge.id} is in ${charge.currency.toUpperCase()}, the escrow in ${expected.currency.toUpperCase()} — ${fix}`
  if (charge.transferGroup !== expected.transferGroup)
    return `Charge ${charge.id} has transfer_group ${charge.transferGroup ?? '(none)'}, not the escrow's ${expected.transferGroup} — ${fix}`
  const left = charge.amount - charge.amountRefunded
  if (left < BigInt(expected.amountMin))
    return `Charge ${charge.id} holds ${left} (minor units, after refunds), the escrow needs ${expected.amountMin} — ${fix}`
  return null
}
