// CountersignBatch on a real Anvil: exact balances, all-or-nothing, one event per payout, and every
// input check. Each test runs from the same freshly deployed state (snapshot/revert).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  getAddress,
  erc20Abi,
  maxUint256,
  parseEther,
  parseEventLogs,
  zeroAddress,
  zeroHash,
  type Address,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { countersignBatchAbi } from '../../src/main/core/rails/evm/abi'
import { startAnvil, type Anvil, type AnvilTestAccount } from '../harness/evm/anvil'
import { falseToken, noBoolToken, revertingReceiver, testUsd } from '../harness/evm/contracts.generated'
import { revert, snapshot } from '../harness/evm/control'
import { deployHarness, treasuryMintMinor, type EvmHarness } from '../harness/evm/deployHarness'
import { recipientAddresses, testBatchRef } from '../harness/evm/recipients'

/**
 * Gas limit for transactions we expect to revert on chain. Passing it skips viem's gas estimation
 * (which would refuse to send a reverting call), so the revert happens in a mined block.
 */
const revertingTxGas = 5_000_000n

let anvil: Anvil
let h: EvmHarness
let snapshotId: Hex

beforeAll(async () => {
  anvil = await startAnvil()
  h = await deployHarness(anvil)
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

// ---- helpers ----------------------------------------------------------------------------------

const sum = (amounts: readonly bigint[]) => amounts.reduce((a, b) => a + b, 0n)

async function receiptOf(hash: Hash): Promise<TransactionReceipt> {
  return h.clients.publicClient.waitForTransactionReceipt({ hash })
}

/** The custom error a call reverts with (viem decodes it with the ABI), or fails if it does not revert. */
async function revertOf(call: Promise<unknown>): Promise<{ errorName: string; args: readonly unknown[]; message: string }> {
  try {
    await call
  } catch (error) {
    if (error instanceof BaseError) {
      const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
      if (reverted instanceof ContractFunctionRevertedError) {
        return { errorName: reverted.data?.errorName ?? '', args: reverted.data?.args ?? [], message: reverted.message }
      }
    }
    throw error
  }
  throw new Error('expected the call to revert, but it succeeded')
}

function simulateNative(from: AnvilTestAccount, recipients: Address[], amounts: bigint[], batchRef: Hex, value: bigint) {
  return h.clients.publicClient.simulateContract({
    account: from.address,
    address: h.batch,
    abi: countersignBatchAbi,
    functionName: 'payNative',
    args: [recipients, amounts, batchRef],
    value,
  })
}

function simulateToken(from: AnvilTestAccount, token: Address, recipients: Address[], amounts: bigint[], batchRef: Hex) {
  return h.clients.publicClient.simulateContract({
    account: from.address,
    address: h.batch,
    abi: countersignBatchAbi,
    functionName: 'payToken',
    args: [token, recipients, amounts, batchRef],
  })
}

function payNative(from: AnvilTestAccount, recipients: Address[], amounts: bigint[], batchRef: Hex, value: bigint, gas?: bigint) {
  return h.clients.walletFor(from).writeContract({
    address: h.batch,
    abi: countersignBatchAbi,
    functionName: 'payNative',
    args: [recipients, amounts, batchRef],
    value,
    gas,
  })
}

function payToken(from: AnvilTestAccount, token: Address, recipients: Address[], amounts: bigint[], batchRef: Hex, gas?: bigint) {
  return h.clients.walletFor(from).writeContract({
    address: h.batch,
    abi: countersignBatchAbi,
    functionName: 'payToken',
    args: [token, recipients, amounts, batchRef],
    gas,
  })
}

async function approve(from: AnvilTestAccount, token: Address, amount: bigint): Promise<void> {
  const hash = await h.clients
    .walletFor(from)
    .writeContract({ address: token, abi: erc20Abi, functionName: 'approve', args: [h.batch, amount] })
  expect((await receiptOf(hash)).status).toBe('success')
}

const tokenBalance = (token: Address, owner: Address) =>
  h.clients.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
const nativeBalance = (address: Address) => h.clients.publicClient.getBalance({ address })
const batchRefUsed = (payer: Address, batchRef: Hex) =>
  h.clients.publicClient.readContract({ address: h.batch, abi: countersignBatchAbi, functionName: 'batchRefUsed', args: [payer, batchRef] })

async function deploy(contract: { abi: readonly unknown[]; bytecode: Hex }): Promise<Address> {
  const hash = await h.clients.walletFor(h.deployer).deployContract({ abi: contract.abi, bytecode: contract.bytecode })
  const address = (await receiptOf(hash)).contractAddress
  if (address == null) throw new Error('deployment produced no address')
  return getAddress(address)
}

/** Every Paid event in a receipt, in log order, with the BatchPaid summary. */
function paidEvents(receipt: TransactionReceipt) {
  const paid = parseEventLogs({ abi: countersignBatchAbi, logs: receipt.logs, eventName: 'Paid' })
  const summary = parseEventLogs({ abi: countersignBatchAbi, logs: receipt.logs, eventName: 'BatchPaid' })
  return { paid, summary }
}

// ---- deployment -------------------------------------------------------------------------------

describe('deployHarness', () => {
  it('deploys a 6-decimal TestUSD, mints the treasury, and deploys the batch contract holding nothing', async () => {
    const read = <F extends 'decimals' | 'symbol' | 'totalSupply'>(functionName: F) =>
      h.clients.publicClient.readContract({ address: h.testUsd, abi: testUsd.abi, functionName })
    expect(await read('decimals')).toBe(6)
    expect(await read('symbol')).toBe('tUSD')
    expect(await read('totalSupply')).toBe(treasuryMintMinor)
    expect(await tokenBalance(h.testUsd, h.treasury.address)).toBe(treasuryMintMinor)
    expect(await nativeBalance(h.batch)).toBe(0n)
    expect(await tokenBalance(h.testUsd, h.batch)).toBe(0n)
  })

  it('TestUSD lets only the deployer mint (test-only faucet, but not an open one)', async () => {
    const { errorName } = await revertOf(
      h.clients.publicClient.simulateContract({
        account: h.treasury.address,
        address: h.testUsd,
        abi: testUsd.abi,
        functionName: 'mint',
        args: [h.treasury.address, 1n],
      }),
    )
    expect(errorName).toBe('NotMinter')
  })
})

// ---- native -----------------------------------------------------------------------------------

describe('payNative', () => {
  it('pays 3 recipients exact amounts, emits Paid for each and BatchPaid, and keeps nothing', async () => {
    const recipients = recipientAddresses('native-3', 3)
    const amounts = [parseEther('1.25'), 1n, 987_654_321_000_000_007n]
    const total = sum(amounts)
    const batchRef = testBatchRef('native-3')
    const treasuryBefore = await nativeBalance(h.treasury.address)

    const receipt = await receiptOf(await payNative(h.treasury, recipients, amounts, batchRef, total))

    expect(receipt.status).toBe('success')
    for (const [i, recipient] of recipients.entries()) expect(await nativeBalance(recipient)).toBe(amounts[i])
    const fee = receipt.gasUsed * receipt.effectiveGasPrice
    expect(await nativeBalance(h.treasury.address)).toBe(treasuryBefore - total - fee)
    expect(await nativeBalance(h.batch)).toBe(0n)

    const { paid, summary } = paidEvents(receipt)
    expect(paid.map((e) => e.args)).toEqual(
      recipients.map((recipient, i) => ({ batchRef, index: BigInt(i), recipient, amount: amounts[i] })),
    )
    expect(paid.every((e) => e.address.toLowerCase() === h.batch.toLowerCase())).toBe(true)
    expect(summary.map((e) => e.args)).toEqual([{ batchRef, payer: h.treasury.address, token: zeroAddress, count: 3n, total }])
    expect(await batchRefUsed(h.treasury.address, batchRef)).toBe(true)
  })

  it('reverts ValueMismatch when msg.value is one wei short or one wei over, and pays nobody', async () => {
    const recipients = recipientAddresses('native-value', 2)
    const amounts = [100n, 200n]
    const batchRef = testBatchRef('native-value')
    for (const value of [299n, 301n, 0n]) {
      const { errorName, args } = await revertOf(simulateNative(h.treasury, recipients, amounts, batchRef, value))
      expect(errorName).toBe('ValueMismatch')
      expect(args).toEqual([300n, value])
    }
    // On chain too: the mined transaction reverts and nothing moves.
    const receipt = await receiptOf(await payNative(h.treasury, recipients, amounts, batchRef, 301n, revertingTxGas))
    expect(receipt.status).toBe('reverted')
    for (const r of recipients) expect(await nativeBalance(r)).toBe(0n)
    expect(await nativeBalance(h.batch)).toBe(0n)
    expect(await batchRefUsed(h.treasury.address, batchRef)).toBe(false)
  })

  it('reverts LengthMismatch when the arrays differ in length, and EmptyBatch when they are empty', async () => {
    const recipients = recipientAddresses('native-length', 3)
    const mismatch = await revertOf(simulateNative(h.treasury, recipients, [1n, 2n], testBatchRef('l'), 3n))
    expect(mismatch).toMatchObject({ errorName: 'LengthMismatch', args: [3n, 2n] })
    const empty = await revertOf(simulateNative(h.treasury, [], [], testBatchRef('e'), 0n))
    expect(empty.errorName).toBe('EmptyBatch')
  })

  it('a recipient that refuses ETH reverts the whole chunk with NativeTransferFailed(index) and nobody is paid', async () => {
    const receiver = await deploy(revertingReceiver)
    const [first, third] = recipientAddresses('native-refused', 2)
    if (first === undefined || third === undefined) throw new Error('unreachable')
    const recipients = [first, receiver, third]
    const amounts = [10n, 20n, 30n]
    const batchRef = testBatchRef('native-refused')

    const { errorName, args } = await revertOf(simulateNative(h.treasury, recipients, amounts, batchRef, 60n))
    expect(errorName).toBe('NativeTransferFailed')
    expect(args).toEqual([1n, receiver, 20n])

    const treasuryBefore = await nativeBalance(h.treasury.address)
    const receipt = await receiptOf(await payNative(h.treasury, recipients, amounts, batchRef, 60n, revertingTxGas))
    expect(receipt.status).toBe('reverted')
    expect(receipt.logs).toEqual([])
    for (const r of recipients) expect(await nativeBalance(r)).toBe(0n)
    // The treasury paid gas and nothing else.
    expect(await nativeBalance(h.treasury.address)).toBe(treasuryBefore - receipt.gasUsed * receipt.effectiveGasPrice)
    // A reverted call does not use up its batchRef: the chunk can be re-planned.
    expect(await batchRefUsed(h.treasury.address, batchRef)).toBe(false)
  })

  it('the contract refuses plain ETH (no receive): it cannot end up holding funds', async () => {
    const hash = await h.clients.walletFor(h.treasury).sendTransaction({ to: h.batch, value: 1n, gas: revertingTxGas })
    expect((await receiptOf(hash)).status).toBe('reverted')
    expect(await nativeBalance(h.batch)).toBe(0n)
  })

  it('rejects an amount sum that overflows uint256 instead of wrapping', async () => {
    const recipients = recipientAddresses('native-overflow', 2)
    const { message } = await revertOf(simulateNative(h.treasury, recipients, [maxUint256, 1n], testBatchRef('o'), 0n))
    expect(message).toMatch(/overflow/i)
  })
})

// ---- token ------------------------------------------------------------------------------------

describe('payToken', () => {
  it('pays 200 recipients exact amounts from the treasury, one Paid event per payout, in order', async () => {
    const count = 200
    const recipients = recipientAddresses('token-200', count)
    // Varied, non-round amounts: 0.000001 .. ~1000 tUSD.
    const amounts = recipients.map((_, i) => BigInt(i) * 4_999_999n + 1n)
    const total = sum(amounts)
    const batchRef = testBatchRef('token-200')
    await approve(h.treasury, h.testUsd, total)

    const receipt = await receiptOf(await payToken(h.treasury, h.testUsd, recipients, amounts, batchRef))

    expect(receipt.status).toBe('success')
    for (const [i, recipient] of recipients.entries()) expect(await tokenBalance(h.testUsd, recipient), `recipient ${i}`).toBe(amounts[i])
    expect(await tokenBalance(h.testUsd, h.treasury.address)).toBe(treasuryMintMinor - total)
    expect(await tokenBalance(h.testUsd, h.batch)).toBe(0n)
    const allowance = await h.clients.publicClient.readContract({
      address: h.testUsd,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [h.treasury.address, h.batch],
    })
    expect(allowance).toBe(0n)

    const { paid, summary } = paidEvents(receipt)
    expect(paid).toHaveLength(count)
    expect(paid.map((e) => e.args)).toEqual(
      recipients.map((recipient, i) => ({ batchRef, index: BigInt(i), recipient, amount: amounts[i] })),
    )
    // Log indexes strictly increase: (tx hash, log index) identifies each payout uniquely.
    const logIndexes = paid.map((e) => e.logIndex)
    expect(new Set(logIndexes).size).toBe(count)
    expect([...logIndexes].sort((a, b) => a - b)).toEqual(logIndexes)
    expect(summary.map((e) => e.args)).toEqual([{ batchRef, payer: h.treasury.address, token: h.testUsd, count: BigInt(count), total }])
    // The token's own Transfer events agree, payout by payout.
    const transfers = parseEventLogs({ abi: erc20Abi, logs: receipt.logs, eventName: 'Transfer' })
    expect(transfers.map((t) => [t.args.from, t.args.to, t.args.value])).toEqual(
      recipients.map((r, i) => [h.treasury.address, r, amounts[i]]),
    )
  })

  it('reverts the whole chunk with TokenTransferFailed(index) when a transfer fails mid-way; nobody is paid', async () => {
    const recipients = recipientAddresses('token-partial', 3)
    const amounts = [1_000_000n, 2_000_000n, 3_000_000n]
    const batchRef = testBatchRef('token-partial')
    // The allowance covers the first two payouts only.
    await approve(h.treasury, h.testUsd, 3_000_000n)

    const { errorName, args } = await revertOf(simulateToken(h.treasury, h.testUsd, recipients, amounts, batchRef))
    expect(errorName).toBe('TokenTransferFailed')
    expect(args).toEqual([2n, recipients[2], 3_000_000n])

    const receipt = await receiptOf(await payToken(h.treasury, h.testUsd, recipients, amounts, batchRef, revertingTxGas))
    expect(receipt.status).toBe('reverted')
    for (const r of recipients) expect(await tokenBalance(h.testUsd, r)).toBe(0n)
    expect(await tokenBalance(h.testUsd, h.treasury.address)).toBe(treasuryMintMinor)
  })

  it('reverts LengthMismatch and EmptyBatch', async () => {
    const recipients = recipientAddresses('token-length', 2)
    expect(await revertOf(simulateToken(h.treasury, h.testUsd, recipients, [1n], testBatchRef('l')))).toMatchObject({
      errorName: 'LengthMismatch',
      args: [2n, 1n],
    })
    expect((await revertOf(simulateToken(h.treasury, h.testUsd, [], [], testBatchRef('e')))).errorName).toBe('EmptyBatch')
  })

  it('accepts a token whose transferFrom returns nothing (USDT-style)', async () => {
    const token = await deploy(noBoolToken)
    const mint = await h.clients
      .walletFor(h.treasury)
      .writeContract({ address: token, abi: noBoolToken.abi, functionName: 'mint', args: [h.treasury.address, 100n] })
    await receiptOf(mint)
    const approval = await h.clients
      .walletFor(h.treasury)
      .writeContract({ address: token, abi: noBoolToken.abi, functionName: 'approve', args: [h.batch, 100n] })
    await receiptOf(approval)
    const recipients = recipientAddresses('token-nobool', 2)

    const receipt = await receiptOf(await payToken(h.treasury, token, recipients, [40n, 60n], testBatchRef('nobool')))

    expect(receipt.status).toBe('success')
    expect(await tokenBalance(token, recipients[0] as Address)).toBe(40n)
    expect(await tokenBalance(token, recipients[1] as Address)).toBe(60n)
    // And its reverts still fail the chunk (allowance now 0).
    expect((await revertOf(simulateToken(h.treasury, token, recipients, [1n, 1n], testBatchRef('nobool-2')))).errorName).toBe(
      'TokenTransferFailed',
    )
  })

  it('treats a token returning false as a failed payout', async () => {
    const token = await deploy(falseToken)
    const approval = await h.clients
      .walletFor(h.treasury)
      .writeContract({ address: token, abi: falseToken.abi, functionName: 'approve', args: [h.batch, 100n] })
    await receiptOf(approval)
    // No balance: FalseToken returns false rather than reverting.
    const recipients = recipientAddresses('token-false', 1)
    const { errorName, args } = await revertOf(simulateToken(h.treasury, token, recipients, [5n], testBatchRef('false')))
    expect(errorName).toBe('TokenTransferFailed')
    expect(args).toEqual([0n, recipients[0], 5n])
  })

  it('refuses a "token" address without code (a call there would look like a silent success)', async () => {
    const [notAToken] = recipientAddresses('token-eoa', 1)
    if (notAToken === undefined) throw new Error('unreachable')
    const { errorName, args } = await revertOf(simulateToken(h.treasury, notAToken, recipientAddresses('x', 1), [1n], testBatchRef('eoa')))
    expect(errorName).toBe('TokenHasNoCode')
    expect(args).toEqual([notAToken])
  })

  it('is not payable: ETH sent along with payToken is refused', async () => {
    await approve(h.treasury, h.testUsd, 1n)
    const data = encodeFunctionData({
      abi: countersignBatchAbi,
      functionName: 'payToken',
      args: [h.testUsd, recipientAddresses('token-value', 1), [1n], testBatchRef('value')],
    })
    const hash = await h.clients.walletFor(h.treasury).sendTransaction({ to: h.batch, data, value: 1n, gas: revertingTxGas })
    expect((await receiptOf(hash)).status).toBe('reverted')
    expect(await nativeBalance(h.batch)).toBe(0n)
  })
})

// ---- input checks and replay ------------------------------------------------------------------

describe('input checks and replay protection', () => {
  it('a (payer, batchRef) pays once: the same chunk sent again reverts BatchRefUsed', async () => {
    const recipients = recipientAddresses('replay', 2)
    const amounts = [5n, 6n]
    const batchRef = testBatchRef('replay')
    expect((await receiptOf(await payNative(h.treasury, recipients, amounts, batchRef, 11n))).status).toBe('success')

    const { errorName, args } = await revertOf(simulateNative(h.treasury, recipients, amounts, batchRef, 11n))
    expect(errorName).toBe('BatchRefUsed')
    expect(args).toEqual([h.treasury.address, batchRef])
    const receipt = await receiptOf(await payNative(h.treasury, recipients, amounts, batchRef, 11n, revertingTxGas))
    expect(receipt.status).toBe('reverted')
    expect(await nativeBalance(recipients[0] as Address)).toBe(5n)
    expect(await nativeBalance(recipients[1] as Address)).toBe(6n)
  })

  it('batchRefs are per payer: another account cannot block the treasury by using its ref first', async () => {
    const other = anvil.accounts[5]
    if (other === undefined) throw new Error('unreachable')
    const batchRef = testBatchRef('per-payer')
    const recipients = recipientAddresses('per-payer', 1)
    expect((await receiptOf(await payNative(other, recipients, [1n], batchRef, 1n))).status).toBe('success')
    expect((await receiptOf(await payNative(h.treasury, recipients, [1n], batchRef, 1n))).status).toBe('success')
  })

  it('refuses a zero batchRef', async () => {
    expect((await revertOf(simulateNative(h.treasury, recipientAddresses('z', 1), [1n], zeroHash, 1n))).errorName).toBe('ZeroBatchRef')
  })

  it('refuses a zero amount, naming its index', async () => {
    const { errorName, args } = await revertOf(
      simulateNative(h.treasury, recipientAddresses('zero-amount', 3), [1n, 0n, 1n], testBatchRef('za'), 2n),
    )
    expect(errorName).toBe('ZeroAmount')
    expect(args).toEqual([1n])
  })

  it('refuses the zero address, the batch contract itself, and the token contract as recipients', async () => {
    const [ok] = recipientAddresses('bad-recipient', 1)
    if (ok === undefined) throw new Error('unreachable')
    for (const bad of [zeroAddress, h.batch]) {
      const { errorName, args } = await revertOf(simulateNative(h.treasury, [ok, bad], [1n, 1n], testBatchRef('bad'), 2n))
      expect(errorName).toBe('InvalidRecipient')
      expect(args).toEqual([1n, bad])
    }
    await approve(h.treasury, h.testUsd, 10n)
    for (const bad of [zeroAddress, h.batch, h.testUsd]) {
      const { errorName, args } = await revertOf(simulateToken(h.treasury, h.testUsd, [bad, ok], [1n, 1n], testBatchRef('bad-token')))
      expect(errorName).toBe('InvalidRecipient')
      expect(args).toEqual([0n, bad])
    }
  })
})
