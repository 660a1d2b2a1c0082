// The EVM escrow rail on a real Anvil, driven the way the escrow engine drives it: preflight,
// prepare, nonceFloor, build at the reserved nonce, sign on the device emulator (the real Ledger
// signer), broadcast, lookup + classify until confirmed, observe. Walks one escrow through
// fund → release 1 → dispute 2 → resolve 2 70/30 → (time passes) a stranger claims 3, and checks
// the refusals pre-flight names (a disputed milestone, a refund before expiry, a fee-on-transfer token).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { erc20Abi, getAddress, keccak256, maxUint256, parseTransaction, toHex, type Address, type Hash, type Hex } from 'viem'
import type { AssetRow } from '../../src/main/core/db/schema'
import type { EscrowOp, EscrowOpInput, EscrowRail, EscrowRailTx, EscrowTerms, EscrowVerdict } from '../../src/main/core/rails/EscrowRail'
import { countersignEscrowAbi } from '../../src/main/core/rails/evm/abi'
import { createEvmEscrowRail, evmEscrowId } from '../../src/main/core/rails/evm/escrow/createEvmEscrowRail'
import type { EvmChainConfig } from '../../src/main/core/rails/evm'
import { railSubmissionForTest } from '../../src/main/core/rails/railTestRows'
import { evmAccountPath } from '../../src/main/core/signing/bip32Path'
import { createSandboxLedgerEmulator } from '../../src/main/core/signing/emulator/createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { createLedgerSigner } from '../../src/main/core/signing/ledgerDevice/createLedgerSigner'
import type { Signer } from '../../src/main/core/signing/Signer'
import { startAnvil, type Anvil, type AnvilTestAccount } from '../harness/evm/anvil'
import { feeOnTransferToken } from '../harness/evm/contracts.generated'
import { mine } from '../harness/evm/control'
import { deployHarness, type EvmHarness } from '../harness/evm/deployHarness'
import { recipientAddresses } from '../harness/evm/recipients'

const DAY_MS = 86_400_000
const EXPIRY_DAYS = 10
/** 2 blocks: a receipt is pending in its own block, confirmed one block later. */
const CONFIRMATIONS_MIN = 2
const FEE_CAP_WEI = 500n * 10n ** 9n
const AMOUNTS = [100_000_000n, 250_000_000n, 400_000_000n]

let anvil: Anvil
let h: EvmHarness
let stranger: AnvilTestAccount
let rail: EscrowRail
let signer: Signer
let usdc: AssetRow
let eth: AssetRow
let assets: Map<string, AssetRow>
let txCount = 0

beforeAll(async () => {
  anvil = await startAnvil({ mnemonic: SPECULOS_TEST_MNEMONIC, accountCount: 3 })
  const [a0, a1, a2] = anvil.accounts
  // deployer = account 1, treasury = account 0 (= the emulator's m/44'/60'/0'/0/0).
  h = await deployHarness({ ...anvil, accounts: [a1!, a0!] })
  stranger = a2!
  await waitOk(
    await h.clients
      .walletFor(h.treasury)
      .writeContract({ address: h.testUsd, abi: erc20Abi, functionName: 'approve', args: [h.escrow, maxUint256] }),
  )
  rail = createEvmEscrowRail(chainConfig())
  signer = emulatorSigner()
  const network = String(anvil.chainId)
  const at = '2026-02-01T10:00:00.000Z'
  usdc = { id: `TUSD@evm:${network}`, code: 'TUSD', name: 'Test USD', scale: 6, rail: 'evm', network, issuer: h.testUsd, created_at: at }
  eth = { ...usdc, id: `ETH@evm:${network}`, code: 'ETH', name: 'Ether', scale: 18, issuer: null }
  assets = new Map([
    [usdc.id, usdc],
    [eth.id, eth],
  ])
})
afterAll(async () => {
  await anvil?.stop()
})

// ---- helpers ----------------------------------------------------------------------------------

function chainConfig(): EvmChainConfig {
  return {
    chainId: anvil.chainId,
    rpcUrl: anvil.rpcUrl,
    batchContract: h.batch,
    escrowContract: h.escrow,
    confirmationsMin: CONFIRMATIONS_MIN,
    maxFeePerGasCap: FEE_CAP_WEI,
    source: { address: h.treasury.address, path: evmAccountPath(0) },
  }
}

function emulatorSigner(): Signer {
  const emulator = createSandboxLedgerEmulator({
    mnemonic: SPECULOS_TEST_MNEMONIC,
    openApp: 'Ethereum',
    user: 'approve',
    // CountersignEscrow calldata has no clear-signing descriptor: the Ethereum app needs blind signing.
    ethereum: { blindSigning: true },
  })
  return createLedgerSigner({ factory: emulator.transportFactory, deviceId: emulator.deviceId })
}

async function waitOk(hash: Hash): Promise<void> {
  const receipt = await h.clients.publicClient.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
}

async function chainNow(): Promise<number> {
  return Number((await h.clients.publicClient.getBlock({ blockTag: 'latest' })).timestamp) * 1000
}

async function termsFor(escrowId: string, asset: AssetRow, amounts: readonly bigint[]): Promise<EscrowTerms> {
  const now = await chainNow()
  return {
    escrowId,
    railEscrowId: evmEscrowId(escrowId),
    assetId: asset.id,
    payer: h.treasury.address,
    payee: recipientAddresses(`rail-${escrowId}`, 1)[0]!,
    milestones: amounts.map((amount, k) => ({ index: k + 1, amount, releaseAfter: new Date(now + DAY_MS * (k + 1)), railRef: null })),
    expiresAt: new Date(now + DAY_MS * EXPIRY_DAYS),
    fundingCharge: null,
  }
}

function inputOf(terms: EscrowTerms, op: EscrowOp, actionId: string): EscrowOpInput {
  return { terms, op, assets, actionId, attempt: 1 }
}

/** plan (prepare, nonceFloor, build) → a planned row, as the engine commits it. */
async function plan(input: EscrowOpInput, nonce?: bigint): Promise<EscrowRailTx> {
  const prepared = JSON.parse(JSON.stringify(await rail.prepare(input))) as unknown
  const reserved = nonce ?? (await rail.nonceFloor(rail.source.address))!
  const built = rail.build(input, prepared, reserved, new Date())
  expect(built.idempotencyKey).toBe(`escrow:evm:${anvil.chainId}:${input.actionId}:1`)
  // Pure: the same input, prepared and nonce give the same bytes.
  expect(rail.build(input, prepared, reserved, new Date(0)).unsignedPayload).toBe(built.unsignedPayload)
  return {
    ...railSubmissionForTest({
      id: `etx-${++txCount}`,
      rail: 'evm',
      network: rail.network,
      state: 'planned',
      source: built.source,
      nonce: reserved.toString(),
      idempotency_key: built.idempotencyKey,
      unsigned_payload: built.unsignedPayload,
      fee_cap: built.feeCap,
    }),
    op: input.op,
  }
}

/** sign (commit 'signed') → broadcast → 'broadcast'. */
async function signAndSend(tx: EscrowRailTx): Promise<EscrowRailTx> {
  const signed = await rail.sign!(tx, signer)
  const committed: EscrowRailTx = { ...tx, state: 'signed', signed_payload: signed.signedPayload, tx_hash: signed.txHash }
  expect(await rail.broadcast(committed)).toEqual({ kind: 'sent' })
  return { ...committed, state: 'broadcast' }
}

async function verdictOf(tx: EscrowRailTx): Promise<EscrowVerdict> {
  const seen = await rail.lookup([tx])
  return rail.classify(tx, seen.get(tx.id))
}

/** The whole path of one operation; the receipt is pending in its own block, confirmed one block later. */
async function execute(input: EscrowOpInput): Promise<{ tx: EscrowRailTx; verdict: EscrowVerdict }> {
  expect(await rail.preflight(input)).toEqual([])
  const tx = await signAndSend(await plan(input))
  expect(await verdictOf(tx)).toEqual({ kind: 'pending', rebroadcast: false })
  await mine(anvil, 1)
  return { tx, verdict: await verdictOf(tx) }
}

const tokenBalance = (owner: Address, token: Address = h.testUsd) =>
  h.clients.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })

async function blockTime(hash: Hex): Promise<Date> {
  const receipt = await h.clients.publicClient.getTransactionReceipt({ hash })
  const block = await h.clients.publicClient.getBlock({ blockHash: receipt.blockHash })
  return new Date(Number(block.timestamp) * 1000)
}

// ---- the walk ---------------------------------------------------------------------------------

describe('EVM escrow rail on Anvil', () => {
  let terms: EscrowTerms
  let releaseTx: EscrowRailTx

  it('evmEscrowId is keccak256 of the id (what createEscrow stores)', () => {
    expect(evmEscrowId('esc_1')).toBe(keccak256(toHex('esc_1')))
    expect(evmEscrowId('esc_1')).not.toBe(evmEscrowId('esc_2'))
    expect(evmEscrowId('esc_1')).toMatch(/^0x[0-9a-f]{64}$/)
  })

  it('fund: 3 milestones of TestUSD are held by the contract; observe shows them held at the chain time', async () => {
    terms = await termsFor('esc-walk', usdc, AMOUNTS)
    const before = await tokenBalance(h.treasury.address)
    const { tx, verdict } = await execute(inputOf(terms, { kind: 'fund' }, 'act-fund'))
    expect(getAddress(parseTransaction(tx.unsigned_payload as Hex).to!)).toBe(h.escrow)
    expect(verdict).toMatchObject({ kind: 'confirmed', feeAssetId: eth.id, closedAt: await blockTime(tx.tx_hash as Hex) })
    expect(verdict.kind === 'confirmed' && verdict.feePaid > 0n).toBe(true)
    expect(await tokenBalance(h.escrow)).toBe(AMOUNTS[0]! + AMOUNTS[1]! + AMOUNTS[2]!)
    expect(await tokenBalance(h.treasury.address)).toBe(before - (AMOUNTS[0]! + AMOUNTS[1]! + AMOUNTS[2]!))

    const seen = await rail.observe(terms)
    expect(seen.railNow.getTime()).toBe(await chainNow())
    expect([...seen.milestones]).toEqual(AMOUNTS.map((amount, k) => [k + 1, { state: 'held', amount }]))
    // Funding again is refused before anything is planned.
    expect((await rail.preflight(inputOf(terms, { kind: 'fund' }, 'act-fund-again'))).map((p) => p.code)).toEqual(['ESCROW_STATE'])
  })

  it('release 1: the payee is paid; observe shows it released with its transaction and time', async () => {
    const { tx, verdict } = await execute(inputOf(terms, { kind: 'release', milestone: 1 }, 'act-release-1'))
    releaseTx = tx
    expect(verdict.kind).toBe('confirmed')
    expect(await tokenBalance(getAddress(terms.payee))).toBe(AMOUNTS[0])
    const m1 = (await rail.observe(terms)).milestones.get(1)
    expect(m1).toEqual({ state: 'released', amount: AMOUNTS[0], txHash: tx.tx_hash, at: await blockTime(tx.tx_hash as Hex) })
  })

  it('a second release of milestone 1 is named by pre-flight, and if sent anyway it fails on chain (classify: failed)', async () => {
    expect((await rail.preflight(inputOf(terms, { kind: 'release', milestone: 1 }, 'act-release-1b'))).map((p) => p.code)).toEqual([
      'ESCROW_STATE',
    ])
    // The same call again, built from the first release's gas and fees at the next nonce (no estimate: it would revert).
    const first = parseTransaction(releaseTx.unsigned_payload as Hex)
    const prepared = {
      gasLimit: String(first.gas),
      maxFeePerGas: String(first.maxFeePerGas),
      maxPriorityFeePerGas: String(first.maxPriorityFeePerGas),
    }
    const input = { ...inputOf(terms, { kind: 'release', milestone: 1 }, 'act-release-1b'), attempt: 1 }
    const nonce = (await rail.nonceFloor(rail.source.address))!
    const built = rail.build(input, prepared, nonce, new Date())
    const tx = await signAndSend({
      ...releaseTx,
      id: 'etx-again',
      state: 'planned',
      nonce: nonce.toString(),
      unsigned_payload: built.unsignedPayload,
      signed_payload: null,
      tx_hash: null,
    })
    await mine(anvil, 1)
    expect(await verdictOf(tx)).toMatchObject({ kind: 'failed', code: 'ESCROW_RAIL_REFUSED', feeAssetId: eth.id })
  })

  it('dispute 2 locks it; pre-flight then refuses its release (ESCROW_MILESTONE_DISPUTED)', async () => {
    const { verdict } = await execute(inputOf(terms, { kind: 'dispute', milestone: 2 }, 'act-dispute-2'))
    expect(verdict.kind).toBe('confirmed')
    expect((await rail.observe(terms)).milestones.get(2)).toEqual({ state: 'locked', amount: AMOUNTS[1] })
    const problems = await rail.preflight(inputOf(terms, { kind: 'release', milestone: 2 }, 'act-release-2'))
    expect(problems.map((p) => p.code)).toEqual(['ESCROW_MILESTONE_DISPUTED'])
    expect(problems[0]!.message).toMatch(/disputed — resolve or refund it/)
  })

  it('resolve 2 at 70/30: a split that does not add up is refused; the right one pays both sides exactly', async () => {
    const toPayee = (AMOUNTS[1]! * 70n) / 100n
    const toPayer = AMOUNTS[1]! - toPayee
    const bad = await rail.preflight(inputOf(terms, { kind: 'resolve', milestone: 2, toPayee, toPayer: toPayer + 1n }, 'act-resolve-bad'))
    expect(bad.map((p) => p.code)).toEqual(['ESCROW_SPLIT_MISMATCH'])

    const payeeBefore = await tokenBalance(getAddress(terms.payee))
    const treasuryBefore = await tokenBalance(h.treasury.address)
    const { tx, verdict } = await execute(inputOf(terms, { kind: 'resolve', milestone: 2, toPayee, toPayer }, 'act-resolve-2'))
    expect(verdict.kind).toBe('confirmed')
    expect(await tokenBalance(getAddress(terms.payee))).toBe(payeeBefore + toPayee)
    expect(await tokenBalance(h.treasury.address)).toBe(treasuryBefore + toPayer)
    expect((await rail.observe(terms)).milestones.get(2)).toEqual({
      state: 'split',
      toPayee,
      toPayer,
      txHash: tx.tx_hash,
      at: await blockTime(tx.tx_hash as Hex),
    })
  })

  it('refund of an open milestone before the expiry is refused (ESCROW_REFUND_BEFORE_EXPIRY)', async () => {
    const problems = await rail.preflight(inputOf(terms, { kind: 'refund', milestones: [3] }, 'act-refund-3'))
    expect(problems.map((p) => p.code)).toEqual(['ESCROW_REFUND_BEFORE_EXPIRY'])
  })

  it('after milestone 3 opens, a stranger claims it without us; observe shows it released by that transaction', async () => {
    const releaseAfter = terms.milestones[2]!.releaseAfter.getTime()
    await h.clients.testClient.increaseTime({ seconds: Math.ceil((releaseAfter - (await chainNow())) / 1000) + 1 })
    await mine(anvil, 1)
    const hash = await h.clients.walletFor(stranger).writeContract({
      address: h.escrow,
      abi: countersignEscrowAbi,
      functionName: 'claim',
      args: [terms.railEscrowId as Hex, 2n],
    })
    await waitOk(hash)
    const seen = await rail.observe(terms)
    expect(seen.milestones.get(3)).toEqual({ state: 'released', amount: AMOUNTS[2], txHash: hash, at: await blockTime(hash) })
    expect(seen.milestones.get(1)).toMatchObject({ state: 'released', txHash: releaseTx.tx_hash })
    expect(seen.railNow.getTime()).toBeGreaterThanOrEqual(releaseAfter)
    expect(await tokenBalance(h.escrow)).toBe(0n)
  })
})

describe('EVM escrow rail: more refusals and verdicts', () => {
  it('native ETH: fund sends the sum as value, refund of a disputed milestone pays the treasury back', async () => {
    const terms = await termsFor('esc-native', eth, [10n ** 15n, 2n * 10n ** 15n])
    const { tx, verdict } = await execute(inputOf(terms, { kind: 'fund' }, 'act-native-fund'))
    expect(verdict.kind).toBe('confirmed')
    expect(parseTransaction(tx.unsigned_payload as Hex).value).toBe(3n * 10n ** 15n)
    expect(await h.clients.publicClient.getBalance({ address: h.escrow })).toBe(3n * 10n ** 15n)
    await execute(inputOf(terms, { kind: 'dispute', milestone: 1 }, 'act-native-dispute'))
    const { verdict: refunded } = await execute(inputOf(terms, { kind: 'refund', milestones: [1] }, 'act-native-refund'))
    expect(refunded.kind).toBe('confirmed')
    expect(await h.clients.publicClient.getBalance({ address: h.escrow })).toBe(2n * 10n ** 15n)
    expect((await rail.observe(terms)).milestones.get(1)).toMatchObject({ state: 'refunded', amount: 10n ** 15n })
  })

  it('a refund op naming two milestones is a bug of the engine (invariant)', async () => {
    const terms = await termsFor('esc-two', usdc, [1n, 2n])
    expect(() =>
      rail.build(
        inputOf(terms, { kind: 'refund', milestones: [1, 2] }, 'act-two'),
        { gasLimit: '1', maxFeePerGas: '1', maxPriorityFeePerGas: '1' },
        0n,
        new Date(),
      ),
    ).toThrow(/exactly one milestone/)
  })

  it('a fee-on-transfer token is refused with ESCROW_TOKEN_REFUSED (the estimate reverts FeeOnTransferToken)', async () => {
    const deployed = await h.clients
      .walletFor(h.deployer)
      .deployContract({ abi: feeOnTransferToken.abi, bytecode: feeOnTransferToken.bytecode })
    const token = getAddress((await h.clients.publicClient.waitForTransactionReceipt({ hash: deployed })).contractAddress!)
    await waitOk(
      await h.clients
        .walletFor(h.deployer)
        .writeContract({ address: token, abi: feeOnTransferToken.abi, functionName: 'mint', args: [h.treasury.address, 10n ** 12n] }),
    )
    await waitOk(
      await h.clients
        .walletFor(h.treasury)
        .writeContract({ address: token, abi: feeOnTransferToken.abi, functionName: 'approve', args: [h.escrow, maxUint256] }),
    )
    const fot: AssetRow = { ...usdc, id: `FOT@evm:${anvil.chainId}`, code: 'FOT', issuer: token }
    assets.set(fot.id, fot)
    const terms = await termsFor('esc-fot', fot, [1_000n])
    const problems = await rail.preflight(inputOf(terms, { kind: 'fund' }, 'act-fot'))
    expect(problems.map((p) => p.code)).toEqual(['ESCROW_TOKEN_REFUSED'])
    expect(problems[0]!.message).toMatch(/keeps part of every transfer/)
    await expect(rail.prepare(inputOf(terms, { kind: 'fund' }, 'act-fot'))).rejects.toMatchObject({ code: 'ESCROW_TOKEN_REFUSED' })
  })

  it('funding beyond the balance or the allowance is named before anything is planned', async () => {
    const treasuryHas = await tokenBalance(h.treasury.address)
    const terms = await termsFor('esc-too-much', usdc, [treasuryHas + 1n])
    expect((await rail.preflight(inputOf(terms, { kind: 'fund' }, 'act-too-much'))).map((p) => p.code)).toEqual([
      'ESCROW_FUNDS_INSUFFICIENT',
    ])
    await waitOk(
      await h.clients
        .walletFor(h.treasury)
        .writeContract({ address: h.testUsd, abi: erc20Abi, functionName: 'approve', args: [h.escrow, 5n] }),
    )
    const small = await termsFor('esc-allowance', usdc, [6n])
    const problems = await rail.preflight(inputOf(small, { kind: 'fund' }, 'act-allowance'))
    expect(problems.map((p) => p.code)).toEqual(['ESCROW_FUNDS_INSUFFICIENT'])
    expect(problems[0]!.message).toMatch(/approve the escrow contract/)
    await waitOk(
      await h.clients
        .walletFor(h.treasury)
        .writeContract({ address: h.testUsd, abi: erc20Abi, functionName: 'approve', args: [h.escrow, maxUint256] }),
    )
  })

  it('a signed transaction whose nonce another transaction used is dead (NONCE_CONFLICT), never re-sent', async () => {
    const terms = await termsFor('esc-dead', usdc, [7n])
    const planned = await plan(inputOf(terms, { kind: 'fund' }, 'act-dead'))
    const signed = await rail.sign!(planned, signer)
    const tx: EscrowRailTx = { ...planned, state: 'signed', signed_payload: signed.signedPayload, tx_hash: signed.txHash }
    // The same key (a wallet on the same account) uses the nonce first.
    await waitOk(await h.clients.walletFor(h.treasury).sendTransaction({ to: h.treasury.address, value: 0n, nonce: Number(planned.nonce) }))
    expect(await verdictOf(tx)).toEqual({ kind: 'pending', rebroadcast: false })
    await mine(anvil, 1)
    expect(await verdictOf(tx)).toMatchObject({ kind: 'dead', code: 'NONCE_CONFLICT' })
  })

  it('signing refuses a transaction that does not call the escrow contract', async () => {
    const terms = await termsFor('esc-wrong', usdc, [7n])
    const planned = await plan(inputOf(terms, { kind: 'fund' }, 'act-wrong'))
    const other = createEvmEscrowRail({ ...chainConfig(), escrowContract: h.batch })
    await expect(other.sign!(planned, signer)).rejects.toMatchObject({ code: 'CONTRACT_MISMATCH' })
  })
})
