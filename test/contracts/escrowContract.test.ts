// CountersignEscrow on a real Anvil: funding (token and native), every milestone operation and who
// may do it, the time windows (claim, refund after expiry), exact balances and the events. Each
// test runs from the same freshly deployed state (snapshot/revert).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  BaseError,
  ContractFunctionRevertedError,
  erc20Abi,
  getAddress,
  keccak256,
  parseEventLogs,
  toHex,
  zeroAddress,
  type Address,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { countersignEscrowAbi } from '../../src/main/core/rails/evm/abi'
import { startAnvil, type Anvil, type AnvilTestAccount } from '../harness/evm/anvil'
import { feeOnTransferToken } from '../harness/evm/contracts.generated'
import { revert, snapshot } from '../harness/evm/control'
import { deployHarness, type EvmHarness } from '../harness/evm/deployHarness'
import { recipientAddresses } from '../harness/evm/recipients'

/** Milestone states as the contract numbers them. */
const STATE = { None: 0, Open: 1, Locked: 2, Released: 3, Resolved: 4, Refunded: 5 } as const
/** Offsets from the chain's clock at funding: milestones open after 1, 2 and 3 days; expiry after 10. */
const DAY_SECONDS = 86_400n
const EXPIRY_DAYS = 10n
/** Gas limit that skips estimation, so a reverting call is mined (and its revert proven on chain). */
const REVERTING_TX_GAS = 2_000_000n

let anvil: Anvil
let h: EvmHarness
let stranger: AnvilTestAccount
let snapshotId: Hex

beforeAll(async () => {
  anvil = await startAnvil()
  h = await deployHarness(anvil)
  stranger = anvil.accounts[2]!
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

const escrowId = (name: string): Hex => keccak256(toHex(`test-escrow:${name}`))
const pc = () => h.clients.publicClient

async function receiptOf(hash: Hash): Promise<TransactionReceipt> {
  return pc().waitForTransactionReceipt({ hash })
}

async function ok(hash: Promise<Hash>): Promise<TransactionReceipt> {
  const receipt = await receiptOf(await hash)
  expect(receipt.status).toBe('success')
  return receipt
}

/** The custom error a call reverts with (decoded with the ABI); fails if it does not revert. */
async function revertOf(call: Promise<unknown>): Promise<{ errorName: string; args: readonly unknown[] }> {
  try {
    await call
  } catch (error) {
    if (error instanceof BaseError) {
      const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
      if (reverted instanceof ContractFunctionRevertedError)
        return { errorName: reverted.data?.errorName ?? '', args: reverted.data?.args ?? [] }
    }
    throw error
  }
  throw new Error('expected the call to revert, but it succeeded')
}

async function chainNow(): Promise<bigint> {
  return (await pc().getBlock({ blockTag: 'latest' })).timestamp
}

/** Moves the chain's clock forward and mines a block at the new time. */
async function advance(seconds: bigint): Promise<void> {
  await h.clients.testClient.increaseTime({ seconds: Number(seconds) })
  await h.clients.testClient.mine({ blocks: 1 })
}

interface Funding {
  id: Hex
  token: Address
  payee: Address
  amounts: bigint[]
  releaseAfter: bigint[]
  expiry: bigint
}

async function terms(name: string, token: Address, amounts: bigint[]): Promise<Funding> {
  const now = await chainNow()
  return {
    id: escrowId(name),
    token,
    payee: recipientAddresses(`escrow-${name}`, 1)[0]!,
    amounts,
    releaseAfter: amounts.map((_, i) => now + DAY_SECONDS * BigInt(i + 1)),
    expiry: now + DAY_SECONDS * EXPIRY_DAYS,
  }
}

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n)

function fundArgs(f: Funding) {
  return [f.id, f.token, f.payee, f.amounts, f.releaseAfter, f.expiry] as const
}

function simulateFund(from: AnvilTestAccount, f: Funding, value = 0n) {
  return pc().simulateContract({
    account: from.address,
    address: h.escrow,
    abi: countersignEscrowAbi,
    functionName: 'fund',
    args: fundArgs(f),
    value,
  })
}

function sendFund(from: AnvilTestAccount, f: Funding, value = 0n, gas?: bigint) {
  return h.clients
    .walletFor(from)
    .writeContract({ address: h.escrow, abi: countersignEscrowAbi, functionName: 'fund', args: fundArgs(f), value, gas })
}

async function approve(from: AnvilTestAccount, token: Address, amount: bigint): Promise<void> {
  await ok(h.clients.walletFor(from).writeContract({ address: token, abi: erc20Abi, functionName: 'approve', args: [h.escrow, amount] }))
}

/** Funds an escrow of TestUSD from the treasury; returns its terms and the receipt. */
async function fundToken(name: string, amounts = [100_000_000n, 200_000_000n, 300_000_000n]) {
  const f = await terms(name, h.testUsd, amounts)
  await approve(h.treasury, h.testUsd, sum(amounts))
  const receipt = await ok(sendFund(h.treasury, f))
  return { f, receipt }
}

type Op = 'release' | 'lock' | 'claim' | 'refund'
function call(from: AnvilTestAccount, op: Op, id: Hex, i: bigint) {
  return h.clients.walletFor(from).writeContract({ address: h.escrow, abi: countersignEscrowAbi, functionName: op, args: [id, i] })
}
function simulate(from: AnvilTestAccount, op: Op, id: Hex, i: bigint) {
  return pc().simulateContract({ account: from.address, address: h.escrow, abi: countersignEscrowAbi, functionName: op, args: [id, i] })
}
function resolve(from: AnvilTestAccount, id: Hex, i: bigint, toPayee: bigint, toPayer: bigint) {
  return h.clients.walletFor(from).writeContract({
    address: h.escrow,
    abi: countersignEscrowAbi,
    functionName: 'resolve',
    args: [id, i, toPayee, toPayer],
  })
}
function simulateResolve(from: AnvilTestAccount, id: Hex, i: bigint, toPayee: bigint, toPayer: bigint) {
  return pc().simulateContract({
    account: from.address,
    address: h.escrow,
    abi: countersignEscrowAbi,
    functionName: 'resolve',
    args: [id, i, toPayee, toPayer],
  })
}

async function milestone(id: Hex, i: bigint) {
  const [amount, releaseAfter, state] = await pc().readContract({
    address: h.escrow,
    abi: countersignEscrowAbi,
    functionName: 'milestoneOf',
    args: [id, i],
  })
  return { amount, releaseAfter, state }
}

const tokenBalance = (token: Address, owner: Address) =>
  pc().readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
const events = (receipt: TransactionReceipt) => parseEventLogs({ abi: countersignEscrowAbi, logs: receipt.logs })

// ---- funding ----------------------------------------------------------------------------------

describe('fund', () => {
  it('locks an ERC-20 sum in 3 milestones: exact balances, Funded event, views', async () => {
    const treasuryBefore = await tokenBalance(h.testUsd, h.treasury.address)
    const { f, receipt } = await fundToken('token-3')
    const total = sum(f.amounts)

    expect(await tokenBalance(h.testUsd, h.escrow)).toBe(total)
    expect(await tokenBalance(h.testUsd, h.treasury.address)).toBe(treasuryBefore - total)
    const funded = events(receipt).filter((e) => e.eventName === 'Funded')
    expect(funded.map((e) => e.args)).toEqual([
      { id: f.id, payer: h.treasury.address, payee: f.payee, token: h.testUsd, total, milestones: 3n, expiry: f.expiry },
    ])
    expect(funded[0]!.address).toBe(h.escrow.toLowerCase())
    const [payer, payee, token, expiry, count] = await pc().readContract({
      address: h.escrow,
      abi: countersignEscrowAbi,
      functionName: 'escrowOf',
      args: [f.id],
    })
    expect({ payer, payee, token, expiry, count }).toEqual({
      payer: h.treasury.address,
      payee: f.payee,
      token: h.testUsd,
      expiry: f.expiry,
      count: 3n,
    })
    for (const [i, amount] of f.amounts.entries()) {
      expect(await milestone(f.id, BigInt(i))).toEqual({ amount, releaseAfter: f.releaseAfter[i], state: STATE.Open })
    }
    expect(await milestone(f.id, 3n)).toEqual({ amount: 0n, releaseAfter: 0n, state: STATE.None })
  })

  it('locks native ETH when msg.value is the sum exactly, and refuses one wei more or less', async () => {
    const f = await terms('native', zeroAddress, [10n ** 18n, 3n])
    for (const value of [10n ** 18n + 2n, 10n ** 18n + 4n, 0n]) {
      expect(await revertOf(simulateFund(h.treasury, f, value))).toEqual({ errorName: 'ValueMismatch', args: [10n ** 18n + 3n, value] })
    }
    const receipt = await ok(sendFund(h.treasury, f, 10n ** 18n + 3n))
    expect(await pc().getBalance({ address: h.escrow })).toBe(10n ** 18n + 3n)
    expect(events(receipt).map((e) => e.eventName)).toEqual(['Funded'])
    // Released natively to the payee, exactly.
    await ok(call(h.treasury, 'release', f.id, 1n))
    expect(await pc().getBalance({ address: f.payee })).toBe(3n)
    expect(await pc().getBalance({ address: h.escrow })).toBe(10n ** 18n)
  })

  it('refuses ETH sent with a token funding', async () => {
    const f = await terms('token-value', h.testUsd, [5n])
    await approve(h.treasury, h.testUsd, 5n)
    expect(await revertOf(simulateFund(h.treasury, f, 1n))).toEqual({ errorName: 'ValueMismatch', args: [0n, 1n] })
  })

  it('refuses bad terms before anything moves', async () => {
    const base = await terms('bad', h.testUsd, [1n, 2n])
    await approve(h.treasury, h.testUsd, 10n ** 12n)
    const now = await chainNow()
    const cases: [Partial<Funding>, string][] = [
      [{ id: `0x${'0'.repeat(64)}` }, 'ZeroEscrowId'],
      [{ amounts: [], releaseAfter: [] }, 'MilestoneCount'],
      [{ amounts: Array<bigint>(51).fill(1n), releaseAfter: Array<bigint>(51).fill(now + 10n) }, 'MilestoneCount'],
      [{ amounts: [1n, 2n, 3n] }, 'LengthMismatch'],
      [{ amounts: [1n, 0n] }, 'ZeroAmount'],
      [{ payee: zeroAddress }, 'InvalidPayee'],
      [{ payee: h.escrow }, 'InvalidPayee'],
      [{ expiry: base.releaseAfter[1]! }, 'ExpiryNotAfterRelease'],
      [{ expiry: now, releaseAfter: [now - 10n, now - 5n] }, 'ExpiryPassed'],
    ]
    for (const [change, errorName] of cases) {
      expect((await revertOf(simulateFund(h.treasury, { ...base, ...change }))).errorName, errorName).toBe(errorName)
    }
    // 50 milestones is the most allowed.
    const fifty = { ...base, id: escrowId('fifty'), amounts: Array<bigint>(50).fill(1n), releaseAfter: Array<bigint>(50).fill(now + 10n) }
    await ok(sendFund(h.treasury, fifty))
  })

  it('refuses an id used before, by anyone', async () => {
    const { f } = await fundToken('used')
    await approve(h.treasury, h.testUsd, sum(f.amounts))
    expect(await revertOf(simulateFund(h.treasury, f))).toEqual({ errorName: 'EscrowIdUsed', args: [f.id] })
  })

  it('refuses a fee-on-transfer token (FeeOnTransferToken), on chain too, and keeps nothing', async () => {
    const fot = await deployFeeToken()
    const f = await terms('fot', fot, [1_000n, 2_000n])
    expect(await revertOf(simulateFund(h.treasury, f))).toEqual({ errorName: 'FeeOnTransferToken', args: [] })
    const receipt = await receiptOf(await sendFund(h.treasury, f, 0n, REVERTING_TX_GAS))
    expect(receipt.status).toBe('reverted')
    expect(await tokenBalance(fot, h.escrow)).toBe(0n)
    expect(await milestone(f.id, 0n)).toEqual({ amount: 0n, releaseAfter: 0n, state: STATE.None })
  })
})

async function deployFeeToken(): Promise<Address> {
  const hash = await h.clients.walletFor(h.deployer).deployContract({ abi: feeOnTransferToken.abi, bytecode: feeOnTransferToken.bytecode })
  const address = getAddress((await receiptOf(hash)).contractAddress!)
  await ok(
    h.clients
      .walletFor(h.deployer)
      .writeContract({ address, abi: feeOnTransferToken.abi, functionName: 'mint', args: [h.treasury.address, 10n ** 9n] }),
  )
  await approve(h.treasury, address, 10n ** 9n)
  return address
}

// ---- milestone operations --------------------------------------------------------------------

describe('release, lock, resolve', () => {
  it('release pays the payee the milestone exactly, once, with a Released event', async () => {
    const { f } = await fundToken('release')
    const receipt = await ok(call(h.treasury, 'release', f.id, 0n))
    expect(await tokenBalance(h.testUsd, f.payee)).toBe(f.amounts[0])
    expect(await tokenBalance(h.testUsd, h.escrow)).toBe(f.amounts[1]! + f.amounts[2]!)
    expect(events(receipt).map((e) => [e.eventName, e.args])).toEqual([
      ['Released', { id: f.id, i: 0n, to: f.payee, amount: f.amounts[0], by: h.treasury.address }],
    ])
    expect((await milestone(f.id, 0n)).state).toBe(STATE.Released)
    expect(await revertOf(simulate(h.treasury, 'release', f.id, 0n))).toEqual({ errorName: 'WrongState', args: [0n, STATE.Released] })
    expect(await revertOf(simulate(h.treasury, 'release', f.id, 3n))).toEqual({ errorName: 'NoSuchMilestone', args: [3n, 3n] })
  })

  it('a locked milestone cannot be claimed or released, even after its release time', async () => {
    const { f } = await fundToken('lock')
    const receipt = await ok(call(h.treasury, 'lock', f.id, 0n))
    expect(events(receipt).map((e) => [e.eventName, e.args])).toEqual([['Locked', { id: f.id, i: 0n }]])
    expect((await milestone(f.id, 0n)).state).toBe(STATE.Locked)
    await advance(DAY_SECONDS * 2n)
    expect(await revertOf(simulate(stranger, 'claim', f.id, 0n))).toEqual({ errorName: 'WrongState', args: [0n, STATE.Locked] })
    expect(await revertOf(simulate(h.treasury, 'release', f.id, 0n))).toEqual({ errorName: 'WrongState', args: [0n, STATE.Locked] })
    expect(await revertOf(simulate(h.treasury, 'lock', f.id, 0n))).toEqual({ errorName: 'WrongState', args: [0n, STATE.Locked] })
  })

  it('lock is refused from the expiry on', async () => {
    const { f } = await fundToken('lock-late')
    await advance(DAY_SECONDS * EXPIRY_DAYS)
    expect((await revertOf(simulate(h.treasury, 'lock', f.id, 2n))).errorName).toBe('Expired')
  })

  it('resolve splits 70/30 exactly, refuses a split that does not add up, and needs a lock', async () => {
    const { f } = await fundToken('resolve')
    const amount = f.amounts[1]!
    expect(await revertOf(simulateResolve(h.treasury, f.id, 1n, amount, 0n))).toEqual({ errorName: 'WrongState', args: [1n, STATE.Open] })
    await ok(call(h.treasury, 'lock', f.id, 1n))
    const toPayee = (amount * 70n) / 100n
    const toPayer = amount - toPayee
    for (const [a, b] of [
      [toPayee, toPayer - 1n],
      [toPayee, toPayer + 1n],
      [amount + 1n, 0n],
      [2n ** 255n, 2n ** 255n],
    ] as const) {
      expect(await revertOf(simulateResolve(h.treasury, f.id, 1n, a, b))).toEqual({ errorName: 'SplitMismatch', args: [amount, a, b] })
    }
    const treasuryBefore = await tokenBalance(h.testUsd, h.treasury.address)
    const receipt = await ok(resolve(h.treasury, f.id, 1n, toPayee, toPayer))
    expect(await tokenBalance(h.testUsd, f.payee)).toBe(toPayee)
    expect(await tokenBalance(h.testUsd, h.treasury.address)).toBe(treasuryBefore + toPayer)
    expect(await tokenBalance(h.testUsd, h.escrow)).toBe(f.amounts[0]! + f.amounts[2]!)
    expect(events(receipt).map((e) => [e.eventName, e.args])).toEqual([['Resolved', { id: f.id, i: 1n, toPayee, toPayer }]])
    expect((await milestone(f.id, 1n)).state).toBe(STATE.Resolved)
  })

  it('resolve with a zero part pays only the other side', async () => {
    const { f } = await fundToken('resolve-all')
    await ok(call(h.treasury, 'lock', f.id, 0n))
    await ok(resolve(h.treasury, f.id, 0n, 0n, f.amounts[0]!))
    expect(await tokenBalance(h.testUsd, f.payee)).toBe(0n)
  })
})

describe('claim', () => {
  it('anyone can claim an open milestone from its release time; not before', async () => {
    const { f } = await fundToken('claim')
    expect((await revertOf(simulate(stranger, 'claim', f.id, 0n))).errorName).toBe('NotYetClaimable')
    await advance(DAY_SECONDS)
    // Milestone 0 opens after 1 day; milestone 1 (2 days) is still closed.
    expect((await revertOf(simulate(stranger, 'claim', f.id, 1n))).errorName).toBe('NotYetClaimable')
    const receipt = await ok(call(stranger, 'claim', f.id, 0n))
    expect(await tokenBalance(h.testUsd, f.payee)).toBe(f.amounts[0])
    expect(events(receipt).map((e) => [e.eventName, e.args])).toEqual([
      ['Released', { id: f.id, i: 0n, to: f.payee, amount: f.amounts[0], by: stranger.address }],
    ])
    expect((await milestone(f.id, 0n)).state).toBe(STATE.Released)
  })

  it('claim is refused from the expiry on (the payer refunds instead)', async () => {
    const { f } = await fundToken('claim-late')
    await advance(DAY_SECONDS * EXPIRY_DAYS)
    expect((await revertOf(simulate(stranger, 'claim', f.id, 0n))).errorName).toBe('Expired')
  })

  it('claim of an unknown escrow is refused', async () => {
    expect(await revertOf(simulate(stranger, 'claim', escrowId('nobody'), 0n))).toEqual({
      errorName: 'UnknownEscrow',
      args: [escrowId('nobody')],
    })
  })
})

describe('refund', () => {
  it('an open milestone: refused before the expiry, paid back to the payer after it', async () => {
    const { f } = await fundToken('refund-open')
    expect((await revertOf(simulate(h.treasury, 'refund', f.id, 2n))).errorName).toBe('NotExpired')
    await advance(DAY_SECONDS * EXPIRY_DAYS)
    const before = await tokenBalance(h.testUsd, h.treasury.address)
    const receipt = await ok(call(h.treasury, 'refund', f.id, 2n))
    expect(await tokenBalance(h.testUsd, h.treasury.address)).toBe(before + f.amounts[2]!)
    expect(events(receipt).map((e) => [e.eventName, e.args])).toEqual([['Refunded', { id: f.id, i: 2n, amount: f.amounts[2] }]])
    expect((await milestone(f.id, 2n)).state).toBe(STATE.Refunded)
    expect(await revertOf(simulate(h.treasury, 'refund', f.id, 2n))).toEqual({ errorName: 'WrongState', args: [2n, STATE.Refunded] })
  })

  it('a locked milestone can be refunded at once', async () => {
    const { f } = await fundToken('refund-locked')
    await ok(call(h.treasury, 'lock', f.id, 1n))
    const before = await tokenBalance(h.testUsd, h.treasury.address)
    await ok(call(h.treasury, 'refund', f.id, 1n))
    expect(await tokenBalance(h.testUsd, h.treasury.address)).toBe(before + f.amounts[1]!)
    expect(await tokenBalance(h.testUsd, h.escrow)).toBe(f.amounts[0]! + f.amounts[2]!)
  })

  it('a released milestone cannot be refunded', async () => {
    const { f } = await fundToken('refund-released')
    await ok(call(h.treasury, 'release', f.id, 0n))
    await advance(DAY_SECONDS * EXPIRY_DAYS)
    expect(await revertOf(simulate(h.treasury, 'refund', f.id, 0n))).toEqual({ errorName: 'WrongState', args: [0n, STATE.Released] })
  })
})

describe('only the payer', () => {
  it('refuses release, lock, resolve and refund from anyone else (the payee included), on chain too', async () => {
    const { f } = await fundToken('payer-only')
    for (const op of ['release', 'lock', 'refund'] as const) {
      expect(await revertOf(simulate(stranger, op, f.id, 0n)), op).toEqual({ errorName: 'NotPayer', args: [stranger.address] })
    }
    expect(await revertOf(simulateResolve(stranger, f.id, 0n, f.amounts[0]!, 0n))).toEqual({
      errorName: 'NotPayer',
      args: [stranger.address],
    })
    const asPayee = pc().simulateContract({
      account: f.payee,
      address: h.escrow,
      abi: countersignEscrowAbi,
      functionName: 'release',
      args: [f.id, 0n],
    })
    expect(await revertOf(asPayee)).toEqual({ errorName: 'NotPayer', args: [f.payee] })
    const mined = await receiptOf(
      await h.clients.walletFor(stranger).writeContract({
        address: h.escrow,
        abi: countersignEscrowAbi,
        functionName: 'release',
        args: [f.id, 0n],
        gas: REVERTING_TX_GAS,
      }),
    )
    expect(mined.status).toBe('reverted')
    expect(await tokenBalance(h.testUsd, f.payee)).toBe(0n)
    expect(await tokenBalance(h.testUsd, h.escrow)).toBe(sum(f.amounts))
  })
})
