/**
 * build and renumber with no node: plain rows in, the unsigned transaction's bytes out, parsed
 * back with viem and its calldata decoded — what the device will be asked to sign, exactly.
 */
import { decodeFunctionData, getAddress, parseTransaction, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { countersignBatchAbi } from './abi'
import { buildEvmTransaction, renumberEvmTransaction } from './buildEvmTransaction'
import { evmBatchRef } from './evmCallData'
import {
  ETH,
  TEST_BATCH_CONTRACT,
  TEST_CHAIN_ID,
  TEST_SOURCE,
  TEST_TOKEN,
  USDC,
  testChunk,
  testPayout,
  testSetup,
  testSubmission,
} from './evmTestRows'

const A = '0x1111111111111111111111111111111111111111'
const B = '0x2222222222222222222222222222222222222222'
const setup = testSetup()
const assets = new Map([
  [USDC.id, USDC],
  [ETH.id, ETH],
])
const now = new Date('2026-02-01T10:00:00.000Z')

describe('buildEvmTransaction (pure)', () => {
  it('builds payToken at the reserved nonce, payouts in chunk order, under the chunk batchRef', () => {
    const payouts = [testPayout('p-b', USDC, B, 2_500_000n), testPayout('p-a', USDC, A, 1_000_000n)]
    const chunk = testChunk(3, USDC, ['p-a', 'p-b'], 'token')
    const built = buildEvmTransaction(setup, { batchId: 'b-unit', chunk, attempt: 2, payouts, assets, nonce: 41n, now })

    const tx = parseTransaction(built.unsignedPayload as Hex)
    expect(tx).toMatchObject({ type: 'eip1559', chainId: TEST_CHAIN_ID, nonce: 41, to: TEST_BATCH_CONTRACT.toLowerCase(), gas: 120_000n })
    expect(tx.maxFeePerGas).toBe(3_000_000_000n)
    expect(tx.maxPriorityFeePerGas).toBe(1_000_000_000n)
    expect(tx.value ?? 0n).toBe(0n)
    const batchRef = evmBatchRef(TEST_CHAIN_ID, 'b-unit', 3)
    const call = decodeFunctionData({ abi: countersignBatchAbi, data: tx.data! })
    expect(call.functionName).toBe('payToken')
    expect(call.args).toEqual([getAddress(TEST_TOKEN), [getAddress(A), getAddress(B)], [1_000_000n, 2_500_000n], batchRef])
    expect(built).toMatchObject({
      source: TEST_SOURCE,
      idempotencyKey: `evm:${TEST_CHAIN_ID}:${batchRef}:2`,
      feeCap: (120_000n * 3_000_000_000n).toString(),
    })
  })

  it('builds payNative with the sum as value, and is deterministic', () => {
    const payouts = [testPayout('p-a', ETH, A, 10n ** 15n), testPayout('p-b', ETH, B, 1n)]
    const input = { batchId: 'b-unit', chunk: testChunk(0, ETH, ['p-a', 'p-b'], 'native'), attempt: 1, payouts, assets, nonce: 0n, now }
    const built = buildEvmTransaction(setup, input)
    const tx = parseTransaction(built.unsignedPayload as Hex)
    expect(tx.value).toBe(10n ** 15n + 1n)
    expect(tx.nonce).toBe(0)
    expect(decodeFunctionData({ abi: countersignBatchAbi, data: tx.data! }).functionName).toBe('payNative')
    expect(buildEvmTransaction(setup, input)).toEqual(built)
  })

  it('refuses to build without a reserved nonce or with a payout missing (engine bugs)', () => {
    const payouts = [testPayout('p-a', USDC, A, 1n)]
    const chunk = testChunk(0, USDC, ['p-a'], 'token')
    expect(() => buildEvmTransaction(setup, { batchId: 'b', chunk, attempt: 1, payouts, assets, nonce: null, now })).toThrow(
      /^invariant: .*no nonce/,
    )
    expect(() =>
      buildEvmTransaction(setup, {
        batchId: 'b',
        chunk: testChunk(0, USDC, ['p-a', 'p-x'], 'token'),
        attempt: 1,
        payouts,
        assets,
        nonce: 1n,
        now,
      }),
    ).toThrow(/^invariant: payout p-x missing/)
  })
})

describe('renumberEvmTransaction (pure)', () => {
  const payouts = [testPayout('p-a', USDC, A, 1_000_000n), testPayout('p-b', USDC, B, 2n)]
  const built = buildEvmTransaction(setup, {
    batchId: 'b-unit',
    chunk: testChunk(1, USDC, ['p-a', 'p-b'], 'token'),
    attempt: 1,
    payouts,
    assets,
    nonce: 9n,
    now,
  })
  const planned = testSubmission({
    state: 'planned',
    nonce: '9',
    unsigned_payload: built.unsignedPayload,
    idempotency_key: built.idempotencyKey,
    fee_cap: built.feeCap,
  })

  it('moves a planned transaction to another nonce and changes nothing else', () => {
    const moved = renumberEvmTransaction(setup, planned, 8n)
    const before = parseTransaction(built.unsignedPayload as Hex)
    const after = parseTransaction(moved.unsignedPayload as Hex)
    expect(after.nonce).toBe(8)
    expect({ ...after, nonce: 9 }).toEqual(before)
    expect(moved).toMatchObject({ source: TEST_SOURCE, idempotencyKey: built.idempotencyKey, feeCap: built.feeCap })
  })

  it('refuses a submission that is no longer planned: its bytes may be known outside', () => {
    expect(() => renumberEvmTransaction(setup, { ...planned, state: 'signed' }, 8n)).toThrow(/^invariant: renumber of a signed submission/)
  })
})
