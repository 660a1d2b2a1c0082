/**
 * Classify on the EVM rail — PURE: one submission and what lookup saw → what the engine does.
 *
 * - confirmed and its block still canonical: unchanged; not canonical any more: reorged;
 * - no receipt: dead when lookup proved it (its nonce used by another transaction, deep enough),
 *   else pending — re-sent (the SAME bytes) only when the node lost it and our nonce is still free;
 * - a receipt with fewer than confirmationsMin blocks on top: pending;
 * - status 0: failed (the nonce and the fee are used, nothing paid); status 1: confirmed, each
 *   payout matched to its Paid(batchRef, index) event — every payout exactly once, or it is a bug;
 * - a watched dead one (signed, declared dead): unchanged while it has no receipt confirmationsMin
 *   deep; with one, it landed after all (a reorg deeper than confirmationsMin took away the
 *   transaction that had used its nonce) and is confirmed or failed like any other. Never re-sent.
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
  if (submission.state === 'dead') {
    invariant(submission.tx_hash !== null, () => `classify of dead submission ${submission.id}, which was never signed`)
    return o.receipt === null || !deepEnough(setup, o, o.receipt) ? { kind: 'unchanged' } : landed(setup, submission, o.receipt)
  }
  invariant(submission.state === 'signed' || submission.state === 'broadcast', () => `classify of a ${submission.state} submission`)
  const nonce = parseMinor(submission.nonce ?? '0')
  if (o.receipt === null) {
    if (o.provablyDead) {
      return {
        kind: 'dead',
        reason: `nonce ${nonce} was used by another transaction from ${submission.source}, and this one never landed`,
        atBlock: o.head.toString(),
      }
    }
    return { kind: 'pending', rebroadcast: !o.known && o.latestNonce <= nonce, seenByNetwork: o.known }
  }
  if (!deepEnough(setup, o, o.receipt)) return { kind: 'pending', rebroadcast: false, seenByNetwork: true }
  return landed(setup, submission, o.receipt)
}

/** Whether the receipt's block has confirmationsMin blocks on top (its own included). */
export function deepEnough(setup: EvmClassifySetup, o: EvmObservation, receipt: EvmReceipt): boolean {
  return o.head - bigFromHex(receipt.blockNumber) + 1n >= setup.confirmationsMin
}

/** A receipt deep enough: confirmed with each payout's Paid event, or failed (reverted) with its fee. */
function landed(setup: EvmClassifySetup, submission: RailSubmission, receipt: EvmReceipt): Verdict {
  const blockNumber = bigFromHex(receipt.blockNumber)
  const feePaid = bigFromHex(receipt.gasUsed) * bigFromHex(receipt.effectiveGasPrice)
  const base = { blockNumber: blockNumber.toString(), blockHash: receipt.blockHash, feePaid, feeAssetId: setup.feeAssetId }
  if (bigFromHex(receipt.status) !== 1n) return { kind: 'failed', ...base, reason: `the transaction reverted in block ${blockNumber}` }
  return { kind: 'confirmed', ...base, payouts: paidPayouts(setup, submission, receipt) }
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
