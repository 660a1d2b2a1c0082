// How many payouts fit in one transaction under the 2^24 gas cap, measured on Anvil. The payout
// engine chunks by estimated gas; this pins the order of magnitude and proves the largest chunk
// really executes within the cap. (Exact per-N gas tables live in bench/gas.bench.ts.)
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { erc20Abi, maxUint256, type Hex } from 'viem'
import { countersignBatchAbi } from '../../src/main/core/rails/evm/abi'
import { gasPerTxMax, startAnvil, type Anvil } from '../harness/evm/anvil'
import { revert, snapshot } from '../harness/evm/control'
import { deployHarness, type EvmHarness } from '../harness/evm/deployHarness'
import { findLargestBatchUnderGasCap, sampleAmounts, type BatchKind } from '../harness/evm/gasCap'
import { measureBatchGas, measureSingleGas } from '../harness/evm/measureGas'
import { recipientAddresses, testBatchRef } from '../harness/evm/recipients'

/**
 * Loose bounds, not exact figures: they catch a contract change that makes batches much more
 * expensive (or a harness that stopped enforcing the cap), without breaking on a small tweak.
 * Measured with solc 0.8.37, Osaka, fresh recipients: ~569 token payouts, ~440 native payouts.
 */
const countMaxBounds: Record<BatchKind, { min: number; max: number }> = {
  token: { min: 500, max: 650 },
  native: { min: 400, max: 500 },
}

/**
 * Upper bounds on gas per fresh recipient in a 100-payout batch (measured: token ~29.9k,
 * native ~38.5k; bench/gas.bench.ts prints the full table). Loose on purpose.
 */
const batchGasPerRecipientMax: Record<BatchKind, bigint> = { token: 33_000n, native: 42_000n }
const boundsRecipientCount = 100

let anvil: Anvil
let h: EvmHarness
let snapshotId: Hex

beforeAll(async () => {
  anvil = await startAnvil()
  h = await deployHarness(anvil)
  const hash = await h.clients.walletFor(h.treasury).writeContract({
    address: h.testUsd,
    abi: erc20Abi,
    functionName: 'approve',
    args: [h.batch, maxUint256],
  })
  await h.clients.publicClient.waitForTransactionReceipt({ hash })
})
afterAll(async () => {
  await anvil?.stop()
})
beforeEach(async () => {
  snapshotId = await snapshot(anvil)
})
afterEach(async () => {
  await revert(anvil, snapshotId)
})

describe.each(['token', 'native'] as const)('%s batch under the 2^24 gas cap', (kind) => {
  it('finds the largest chunk that fits, and that chunk lands within the cap with every recipient paid', async () => {
    const result = await findLargestBatchUnderGasCap(h, kind)
    console.log(
      `[gas cap] ${kind}: largest chunk ${result.countMax} fresh recipients, estimated ${result.gasAtCountMax} gas ` +
        `(${result.countMax + 1} would need ${result.gasAtNext} > ${gasPerTxMax})`,
    )
    expect(result.gasAtCountMax).toBeLessThanOrEqual(gasPerTxMax)
    expect(result.gasAtNext).toBeGreaterThan(gasPerTxMax)
    expect(result.countMax).toBeGreaterThanOrEqual(countMaxBounds[kind].min)
    expect(result.countMax).toBeLessThanOrEqual(countMaxBounds[kind].max)

    // Send exactly that chunk with its estimate as the gas limit: it must succeed and pay everyone.
    const recipients = recipientAddresses(`gas-cap-${kind}`, result.countMax)
    const amounts = sampleAmounts(kind, result.countMax)
    const batchRef = testBatchRef(`gas-cap-send-${kind}`)
    const wallet = h.clients.walletFor(h.treasury)
    const common = { address: h.batch, abi: countersignBatchAbi, gas: result.gasAtCountMax } as const
    const hash =
      kind === 'token'
        ? await wallet.writeContract({ ...common, functionName: 'payToken', args: [h.testUsd, recipients, amounts, batchRef] })
        : await wallet.writeContract({
            ...common,
            functionName: 'payNative',
            args: [recipients, amounts, batchRef],
            value: amounts.reduce((a, b) => a + b, 0n),
          })
    const receipt = await h.clients.publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect(receipt.gasUsed).toBeLessThanOrEqual(gasPerTxMax)
    const balances = await Promise.all(
      recipients.map((address) =>
        kind === 'token'
          ? h.clients.publicClient.readContract({ address: h.testUsd, abi: erc20Abi, functionName: 'balanceOf', args: [address] })
          : h.clients.publicClient.getBalance({ address }),
      ),
    )
    expect(balances).toEqual(amounts)
  })

  it('a chunk that needs more than 2^24 gas cannot be sent at all: the node refuses its gas limit', async () => {
    const count = countMaxBounds[kind].max + 1
    const recipients = recipientAddresses(`gas-cap-over-${kind}`, count)
    const amounts = sampleAmounts(kind, count)
    const batchRef = testBatchRef(`gas-cap-over-${kind}`)
    const wallet = h.clients.walletFor(h.treasury)
    const common = { address: h.batch, abi: countersignBatchAbi, gas: gasPerTxMax + 1n } as const
    const send =
      kind === 'token'
        ? wallet.writeContract({ ...common, functionName: 'payToken', args: [h.testUsd, recipients, amounts, batchRef] })
        : wallet.writeContract({
            ...common,
            functionName: 'payNative',
            args: [recipients, amounts, batchRef],
            value: amounts.reduce((a, b) => a + b, 0n),
          })
    await expect(send).rejects.toThrow(/gas/i)
  })
})

describe('gas per recipient (loose bounds; the exact table is in bench/gas.bench.ts)', () => {
  it(`a ${boundsRecipientCount}-payout token batch costs under ${batchGasPerRecipientMax.token} gas per new recipient, well below single transfers`, async () => {
    const recipients = recipientAddresses('bounds-token', boundsRecipientCount)
    const amounts = sampleAmounts('token', boundsRecipientCount)
    const before = await snapshot(anvil)
    const batch = await measureBatchGas(h, 'token', recipients, amounts, boundsRecipientCount, 'bounds-token')
    await revert(anvil, before)
    const single = await measureSingleGas(h, 'token', recipients, amounts)
    expect(batch.txCount).toBe(1)
    expect(single.txCount).toBe(boundsRecipientCount)
    expect(batch.gasUsed / BigInt(boundsRecipientCount)).toBeLessThan(batchGasPerRecipientMax.token)
    // At least a third cheaper than one ERC-20 transfer per payout.
    expect(batch.gasUsed * 3n).toBeLessThan(single.gasUsed * 2n)
  })

  it(`a ${boundsRecipientCount}-payout native batch costs under ${batchGasPerRecipientMax.native} gas per new recipient`, async () => {
    const recipients = recipientAddresses('bounds-native', boundsRecipientCount)
    const batch = await measureBatchGas(
      h,
      'native',
      recipients,
      sampleAmounts('native', boundsRecipientCount),
      boundsRecipientCount,
      'bounds-native',
    )
    expect(batch.txCount).toBe(1)
    expect(batch.gasUsed / BigInt(boundsRecipientCount)).toBeLessThan(batchGasPerRecipientMax.native)
  })
})
