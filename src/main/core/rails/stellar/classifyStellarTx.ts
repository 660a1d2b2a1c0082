/**
 * PURE: one Stellar submission and what lookup saw → what the engine does. Stellar has no
 * reorgs: a transaction in a closed ledger is final, applied ('confirmed', operation i pays
 * payoutIds[i]) or failed as a whole ('failed': its sequence and fee were used, no operation was
 * applied). Not in the ledger: send the SAME envelope again, until it is provably dead.
 */
import type { Asset } from '@stellar/stellar-base'
import { invariant } from '../../util/invariant'
import type { RailSubmission, Verdict } from '../Rail'
import { readStellarTx } from './buildStellarTx'
import type { HorizonTransaction } from './horizon'
import type { StellarObservation } from './lookupStellarTxs'
import type { StellarRailEnv } from './stellarRailEnv'
import { decodeResultCodes, describeOperationFailure } from './stellarResultCodes'

export function classifyStellarTx(env: StellarRailEnv, submission: RailSubmission, observation: unknown): Verdict {
  const o = observation as StellarObservation
  if (submission.state === 'confirmed') return { kind: 'unchanged' }
  invariant(
    submission.state === 'signed' || submission.state === 'broadcast',
    () => `classify of a ${submission.state} submission ${submission.id}`,
  )
  if (o.record === null) {
    if (o.provablyDead) return { kind: 'dead', reason: o.deadReason ?? 'it can never land', code: 'STELLAR_EXPIRED' }
    // Not in the ledger yet: send the SAME envelope again (Stellar applies it at most once).
    return { kind: 'pending', rebroadcast: true, seenByNetwork: false }
  }
  const base = {
    blockNumber: String(o.record.ledger),
    blockHash: `ledger:${o.record.ledger}`,
    feePaid: BigInt(o.record.fee_charged),
    feeAssetId: env.feeAssetId,
  }
  if (!o.record.successful) return { kind: 'failed', ...base, ...failureOf(env, submission, o.record) }
  return { kind: 'confirmed', ...base, payouts: submission.payoutIds.map((payoutId, i) => ({ payoutId, logIndex: i })) }
}

/** The first failed operation, named by its payee and asset. */
function failureOf(env: StellarRailEnv, submission: RailSubmission, record: HorizonTransaction): { code: string; reason: string } {
  const codes = decodeResultCodes(record.result_xdr)
  const first = codes.operations.findIndex((c) => c !== 'op_success')
  const tx = readStellarTx(env, submission.id, submission.signed_payload)
  const op = first >= 0 ? (tx.operations[first] as { destination?: string; asset?: Asset }) : undefined
  const described =
    first >= 0
      ? describeOperationFailure(codes.operations[first]!, op?.destination ?? 'the payee', op?.asset?.getCode() ?? 'XLM')
      : { code: 'STELLAR_TX_FAILED', sentence: `The transaction failed with ${codes.transaction}.` }
  return {
    code: described.code,
    reason: `Operation ${first + 1} of ${codes.operations.length}: ${described.sentence} No operation of this transaction was applied; its fee was charged.`,
  }
}
