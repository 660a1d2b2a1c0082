/**
 * Classify on the EVM rail — PURE: one submission and what lookup saw → what the engine does.
 *
 * - confirmed and its block still canonical: unchanged; not canonical any more: reorged;
 * - no receipt: dead when lookup proved it (its nonce used by another transaction, deep enough),
 *   else pending — re-sent (the SAME bytes) only when the node lost it and our nonce is still free;
 * - a receipt with fewer than confirmationsMin blocks on top: pending;
 * - status 0: failed (the nonce and the fee are used, nothing paid); status 1: confirmed, each
 *   payout matched to its Paid(batchRef, index) event — every payout exactly once, or it is a bug.
 */
import { decodeEventLog, getAddress, toEventSelector, type Hex } from 'viem'
import { parseMinor } from '../../../../shared/money'
import type { ConfirmedPayout, RailSubmission, Verdict } from '../Rail'
import { invariant } from '../../util/invariant'
import { countersignBatchAbi } from './abi'
import { evmBatchRef } from './evmCallData'
import type { EvmRailSetup } from './evmRailSetup'
import { bigFromHex } from './evmHex'
import type { EvmObservation, EvmReceipt } from './lookupEvmSubmissions'

const paidTopic = toEventSelector('Paid(bytes32,uint256,address,uint256)')

/** What classify needs of the rail's setup. */
export type EvmClassifySetup = Pick<EvmRailSetup, 'chainId' | 'batchContract' | 'confirmationsMin' | 'feeAssetId'>

export function classifyEvmSubmission(setup: EvmClassifySetup, submission: RailSubmission, observation: unknown): Verdict {
  const o = observation as EvmObservation
  if (submission.state === 'confirmed') {
    return o.canonicalHash !== null && o.canonicalHash === submission.block_hash
      ? { kind: 'unchanged' }
      : {
          kind: 'reorged',
          reason: `block ${submission.block_number} (${String(submission.block_hash).slice(0, 10)}…) is no longer on the canonical chain`,
        }
  }
  invariant(submission.state === 'signed' || submission.state === 'broadcast', () => `classify of a ${submission.state} submission`)
  const nonce = parseMinor(submission.nonce ?? '0')
  if (o.receipt === null) {
    if (o.provablyDead) {
      return { kind: 'dead', reason: `nonce ${nonce} was used by another transaction from ${submission.source}, and this one never landed` }
    }
    return { kind: 'pending', rebroadcast: !o.known && o.latestNonce <= nonce, seenByNetwork: o.known }
  }
  const blockNumber = bigFromHex(o.receipt.blockNumber)
  if (o.head - blockNumber + 1n < setup.confirmationsMin) return { kind: 'pending', rebroadcast: false, seenByNetwork: true }
  const feePaid = bigFromHex(o.receipt.gasUsed) * bigFromHex(o.receipt.effectiveGasPrice)
  const base = { blockNumber: blockNumber.toString(), blockHash: o.receipt.blockHash, feePaid, feeAssetId: setup.feeAssetId }
  if (bigFromHex(o.receipt.status) !== 1n) return { kind: 'failed', ...base, reason: `the transaction reverted in block ${blockNumber}` }
  return { kind: 'confirmed', ...base, payouts: paidPayouts(setup, submission, o.receipt) }
}

/** Paid(batchRef, index, …) logs of our contract → payout ids; every payout exactly once. */
function paidPayouts(setup: EvmClassifySetup, submission: RailSubmission, receipt: EvmReceipt): ConfirmedPayout[] {
  const batchRef = evmBatchRef(setup.chainId, submission.batch_id, submission.chunk_index)
  const found = new Map<number, number>()
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== setup.batchContract || log.topics[0] !== paidTopic || log.topics[1] !== batchRef) continue
    const decoded = decodeEventLog({ abi: countersignBatchAbi, eventName: 'Paid', topics: log.topics as [Hex, ...Hex[]], data: log.data })
    const index = Number(decoded.args.index)
    invariant(!found.has(index), () => `two Paid events for index ${index} in ${submission.tx_hash}`)
    found.set(index, Number(bigFromHex(log.logIndex)))
  }
  invariant(
    found.size === submission.payoutIds.length,
    () => `${submission.tx_hash} succeeded with ${found.size} Paid events for ${submission.payoutIds.length} payouts`,
  )
  return submission.payoutIds.map((payoutId, idx) => {
    const logIndex = found.get(idx)
    invariant(logIndex !== undefined, () => `no Paid event for index ${idx} in ${submission.tx_hash}`)
    return { payoutId, logIndex }
  })
}
