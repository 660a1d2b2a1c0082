/**
 * PURE: an escrow transaction and what lookup saw → the escrow engine's verdict. The payout
 * rail's classify decides (closed ledger = final; missing = resend the same envelope until
 * provably dead); this adds the close time a confirmation needs and names a failed claim by its
 * milestone (the balance was already claimed, or is not ours to claim).
 */
import type { Transaction } from '@stellar/stellar-base'
import { assertNever, unreachable } from '../../../util/invariant'
import type { EscrowRailTx, EscrowVerdict } from '../../EscrowRail'
import { readStellarTx } from '../buildStellarTx'
import { classifyStellarTx } from '../classifyStellarTx'
import type { StellarObservation } from '../lookupStellarTxs'
import type { StellarRailEnv } from '../stellarRailEnv'
import { decodeResultCodes } from '../stellarResultCodes'

export function classifyStellarEscrowTx(env: StellarRailEnv, tx: EscrowRailTx, observation: unknown): EscrowVerdict {
  const v = classifyStellarTx(env, tx, observation)
  const record = (observation as StellarObservation).record
  switch (v.kind) {
    case 'pending':
      return { kind: 'pending', rebroadcast: v.rebroadcast }
    case 'unchanged':
      return { kind: 'pending', rebroadcast: false }
    case 'dead':
      return { kind: 'dead', reason: v.reason, code: v.code ?? 'STELLAR_EXPIRED' }
    case 'confirmed': {
      const { blockNumber, blockHash, feePaid, feeAssetId } = v
      return { kind: 'confirmed', blockNumber, blockHash, feePaid, feeAssetId, closedAt: new Date(record!.created_at) }
    }
    case 'failed': {
      const claim = failedClaim(readStellarTx(env, tx.id, tx.signed_payload), record!.result_xdr)
      return claim
        ? { ...v, kind: 'failed', code: claim.code, reason: claim.reason }
        : { ...v, kind: 'failed', code: v.code ?? 'STELLAR_TX_FAILED' }
    }
    case 'reorged':
      return unreachable(`a Stellar escrow transaction ${tx.id} cannot be reorged`)
    default:
      return assertNever(v, 'Stellar verdict')
  }
}

/** When the first failed operation is a claim: which balance, and why in words. */
function failedClaim(tx: Transaction, resultXdr: string): { code: string; reason: string } | null {
  const codes = decodeResultCodes(resultXdr).operations
  const first = codes.findIndex((c) => c !== 'op_success')
  const op = tx.operations[first]
  if (!op || op.type !== 'claimClaimableBalance') return null
  const why =
    codes[first] === 'op_does_not_exist'
      ? 'was already claimed (by the payee in its window, or by an earlier action)'
      : `could not be claimed by the treasury (${codes[first]})`
  return {
    code: 'STELLAR_TX_FAILED',
    reason: `Operation ${first + 1} of ${codes.length}: the claimable balance ${op.balanceId} ${why}. No operation of this transaction was applied; its fee was charged — refresh the escrow before acting again.`,
  }
}
