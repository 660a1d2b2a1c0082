/**
 * classify with no node: a submission and a literal observation (what lookup would have read)
 * in, the verdict out — every branch the engine acts on, and the Paid-event matching that books
 * each payout exactly once.
 */
import { encodeAbiParameters, encodeEventTopics, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { countersignBatchAbi } from './abi'
import { classifyEvmSubmission } from './classifyEvmSubmission'
import { evmBatchRef } from './evmCallData'
import { hexQuantity } from './evmHex'
import { TEST_BATCH_CONTRACT, TEST_CHAIN_ID, testSetup, testSubmission } from './evmTestRows'
import type { EvmObservation, EvmReceipt } from './lookupEvmSubmissions'

const setup = testSetup()
const BLOCK_HASH = `0x${'cd'.repeat(32)}` as Hex
const OTHER_HASH = `0x${'ef'.repeat(32)}` as Hex
const ref = evmBatchRef(TEST_CHAIN_ID, 'b-unit', 0)

function observation(over: Partial<EvmObservation> = {}): EvmObservation {
  return { head: 100n, receipt: null, known: true, latestNonce: 7n, provablyDead: false, canonicalHash: null, ...over }
}

function paidLog(index: number, logIndex: number, batchRef: Hex = ref, address: string = TEST_BATCH_CONTRACT): EvmReceipt['logs'][number] {
  const topics = encodeEventTopics({
    abi: countersignBatchAbi,
    eventName: 'Paid',
    args: { batchRef, index: BigInt(index), recipient: '0x1111111111111111111111111111111111111111' },
  }) as Hex[]
  return {
    address: address as `0x${string}`,
    topics,
    data: encodeAbiParameters([{ type: 'uint256' }], [5n]),
    logIndex: hexQuantity(BigInt(logIndex)),
  }
}

function receipt(over: Partial<EvmReceipt> = {}): EvmReceipt {
  return {
    status: '0x1',
    blockNumber: hexQuantity(99n),
    blockHash: BLOCK_HASH,
    gasUsed: hexQuantity(50_000n),
    effectiveGasPrice: hexQuantity(2_000_000_000n),
    logs: [paidLog(1, 4), paidLog(0, 3)],
    ...over,
  }
}

describe('classifyEvmSubmission (pure)', () => {
  it('confirmed: unchanged while its block is canonical, reorged when not (or gone)', () => {
    const confirmed = testSubmission({ state: 'confirmed', block_number: '99', block_hash: BLOCK_HASH })
    expect(classifyEvmSubmission(setup, confirmed, observation({ canonicalHash: BLOCK_HASH }))).toEqual({ kind: 'unchanged' })
    expect(classifyEvmSubmission(setup, confirmed, observation({ canonicalHash: OTHER_HASH }))).toMatchObject({ kind: 'reorged' })
    expect(classifyEvmSubmission(setup, confirmed, observation({ canonicalHash: null })).kind).toBe('reorged')
  })

  it('no receipt: dead only when proven; re-sent only when the node lost it and the nonce is free', () => {
    const open = testSubmission({ nonce: '7' })
    expect(classifyEvmSubmission(setup, open, observation({ provablyDead: true, latestNonce: 8n }))).toEqual({
      kind: 'dead',
      reason: `nonce 7 was used by another transaction from ${open.source}, and this one never landed`,
      atBlock: '100',
    })
    expect(classifyEvmSubmission(setup, open, observation({ known: false, latestNonce: 7n }))).toEqual({
      kind: 'pending',
      rebroadcast: true,
      seenByNetwork: false,
    })
    expect(classifyEvmSubmission(setup, open, observation({ known: true }))).toEqual({
      kind: 'pending',
      rebroadcast: false,
      seenByNetwork: true,
    })
    // Nonce moved past ours but not proven deep enough yet: wait, never re-send into a used nonce.
    expect(classifyEvmSubmission(setup, open, observation({ known: false, latestNonce: 8n }))).toEqual({
      kind: 'pending',
      rebroadcast: false,
      seenByNetwork: false,
    })
  })

  it('a receipt waits for confirmationsMin blocks, then confirms each payout by its Paid event', () => {
    const open = testSubmission()
    expect(classifyEvmSubmission(setup, open, observation({ head: 99n, receipt: receipt() }))).toEqual({
      kind: 'pending',
      rebroadcast: false,
      seenByNetwork: true,
    })
    expect(classifyEvmSubmission(setup, open, observation({ head: 100n, receipt: receipt() }))).toEqual({
      kind: 'confirmed',
      blockNumber: '99',
      blockHash: BLOCK_HASH,
      feePaid: 50_000n * 2_000_000_000n,
      feeAssetId: `ETH@evm:${TEST_CHAIN_ID}`,
      payouts: [
        { payoutId: 'p-0', logIndex: 3 },
        { payoutId: 'p-1', logIndex: 4 },
      ],
    })
  })

  it('a reverted receipt fails with the fee paid; Paid events of other refs or contracts are not ours', () => {
    const open = testSubmission()
    expect(classifyEvmSubmission(setup, open, observation({ receipt: receipt({ status: '0x0', logs: [] }) }))).toMatchObject({
      kind: 'failed',
      blockNumber: '99',
      feePaid: 100_000_000_000_000n,
      reason: 'the transaction reverted in block 99',
    })
    const foreign = receipt({
      logs: [
        paidLog(0, 1),
        paidLog(1, 2, evmBatchRef(TEST_CHAIN_ID, 'b-unit', 1)),
        paidLog(1, 3, ref, '0x3333333333333333333333333333333333333333'),
      ],
    })
    expect(() => classifyEvmSubmission(setup, open, observation({ receipt: foreign }))).toThrow(
      /^invariant: .* 1 Paid events for 2 payouts/,
    )
  })

  it('a watched dead one: unchanged until its own receipt is confirmationsMin deep, then confirmed or failed; never re-sent', () => {
    const dead = testSubmission({ state: 'dead', block_number: '90', failure_code: 'NONCE_CONFLICT' })
    expect(classifyEvmSubmission(setup, dead, observation({ receipt: null, known: false, latestNonce: 7n }))).toEqual({ kind: 'unchanged' })
    expect(classifyEvmSubmission(setup, dead, observation({ head: 99n, receipt: receipt() }))).toEqual({ kind: 'unchanged' })
    expect(classifyEvmSubmission(setup, dead, observation({ head: 100n, receipt: receipt() }))).toEqual({
      kind: 'confirmed',
      blockNumber: '99',
      blockHash: BLOCK_HASH,
      feePaid: 50_000n * 2_000_000_000n,
      feeAssetId: `ETH@evm:${TEST_CHAIN_ID}`,
      payouts: [
        { payoutId: 'p-0', logIndex: 3 },
        { payoutId: 'p-1', logIndex: 4 },
      ],
    })
    expect(classifyEvmSubmission(setup, dead, observation({ receipt: receipt({ status: '0x0', logs: [] }) }))).toMatchObject({
      kind: 'failed',
      blockNumber: '99',
      feePaid: 100_000_000_000_000n,
    })
  })

  it('is only asked about open, confirmed and signed dead submissions', () => {
    expect(() => classifyEvmSubmission(setup, testSubmission({ state: 'planned' }), observation())).toThrow(
      /^invariant: classify of a planned/,
    )
    expect(() => classifyEvmSubmission(setup, testSubmission({ state: 'dead', tx_hash: null }), observation())).toThrow(
      /^invariant: classify of dead submission .* never signed/,
    )
  })
})
