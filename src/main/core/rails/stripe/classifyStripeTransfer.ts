/**
 * PURE: one Stripe submission and what lookup saw → what the engine does. Stripe has no blocks:
 * blockNumber = transfer.created (unix seconds), blockHash = the transfer id (tr_…); the
 * engine's tx_hash is our idempotency key (the only id known before sending). Transfers carry no
 * fee: feePaid 0. A definite refusal (4xx) → 'failed' with a STRIPE_* code whose sentence names
 * the payee; blockNumber '0', blockHash 'refused'. An unknown answer waits for the next sweep.
 */
import { assertNever, invariant } from '../../util/invariant'
import type { RailSubmission, Verdict } from '../Rail'
import type { StripeObservation } from './lookupStripeTransfers'

export function classifyStripeTransfer(feeAssetId: string, submission: RailSubmission, observation: unknown): Verdict {
  if (submission.state === 'confirmed') return { kind: 'unchanged' }
  invariant(
    submission.state === 'signed' || submission.state === 'broadcast',
    () => `classify of a ${submission.state} submission ${submission.id}`,
  )
  const o = observation as StripeObservation
  switch (o.kind) {
    case 'unknown':
      return { kind: 'pending', rebroadcast: false, seenByNetwork: false }
    case 'rejected':
      return { kind: 'failed', blockNumber: '0', blockHash: 'refused', feePaid: 0n, feeAssetId, reason: o.reason, code: o.code }
    case 'transfer':
      return {
        kind: 'confirmed',
        blockNumber: String(o.created),
        blockHash: o.id,
        feePaid: 0n,
        feeAssetId,
        payouts: o.payoutIds.map((payoutId, i) => ({ payoutId, logIndex: i })),
      }
    default:
      return assertNever(o, 'Stripe observation')
  }
}
