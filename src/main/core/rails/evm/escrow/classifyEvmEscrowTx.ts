/**
 * Classify of an escrow transaction on the EVM rail — PURE: one open transaction and what lookup
 * saw → what the escrow engine does, by the payout rail's rules:
 * - no receipt: dead when lookup proved its nonce used by another transaction, else pending —
 *   re-sent (the SAME bytes) only when the node lost it and our nonce is still free;
 * - a receipt with fewer than confirmationsMin blocks on top: pending;
 * - status 0: failed (the nonce and the fee are used, the escrow unchanged); status 1: confirmed
 *   at the block's time.
 */
import { parseMinor } from '../../../../../shared/money'
import { invariant } from '../../../util/invariant'
import type { EscrowRailTx, EscrowVerdict } from '../../EscrowRail'
import { deepEnough } from '../classifyEvmSubmission'
import { bigFromHex } from '../evmHex'
import type { EvmEscrowSetup } from './evmEscrowSetup'
import type { EvmEscrowObservation } from './lookupEvmEscrowTxs'

const MS_PER_SECOND = 1_000n

export function classifyEvmEscrowTx(setup: EvmEscrowSetup, tx: EscrowRailTx, observation: unknown): EscrowVerdict {
  const o = observation as EvmEscrowObservation
  invariant(tx.state === 'signed' || tx.state === 'broadcast', () => `classify of a ${tx.state} escrow transaction ${tx.id}`)
  const nonce = parseMinor(tx.nonce ?? '0')
  if (o.receipt === null) {
    if (o.provablyDead) {
      return {
        kind: 'dead',
        code: 'NONCE_CONFLICT',
        reason: `nonce ${nonce} was used by another transaction from ${tx.source}, and this one never landed`,
      }
    }
    return { kind: 'pending', rebroadcast: !o.known && o.latestNonce <= nonce }
  }
  // Not deep enough yet, or its block's time not read (the node lost the block: ask again next sweep).
  if (!deepEnough(setup, o, o.receipt) || o.blockTimestamp === null) return { kind: 'pending', rebroadcast: false }
  const blockNumber = bigFromHex(o.receipt.blockNumber)
  const base = {
    blockNumber: blockNumber.toString(),
    blockHash: o.receipt.blockHash,
    feePaid: bigFromHex(o.receipt.gasUsed) * bigFromHex(o.receipt.effectiveGasPrice),
    feeAssetId: setup.feeAssetId,
  }
  if (bigFromHex(o.receipt.status) !== 1n) {
    return {
      kind: 'failed',
      ...base,
      code: 'ESCROW_RAIL_REFUSED',
      reason: `the escrow contract refused ${tx.op.kind} in block ${blockNumber}`,
    }
  }
  return { kind: 'confirmed', ...base, closedAt: new Date(Number(o.blockTimestamp * MS_PER_SECOND)) }
}
