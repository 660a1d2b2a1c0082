/**
 * Test kit for the execution engine: a real Anvil with the sandbox contracts, the device emulator
 * behind the real Ledger signer, and workspaces (SQLite files in temp dirs) holding an approved
 * batch. The batch is put in 'approved' by inserting rows directly (insertApprovedBatchForTest):
 * approval is the batches engineer's, and these tests are about what happens after it.
 *
 * The treasury is the emulator's m/44'/60'/0'/0/0 account. Anvil runs with the same (public,
 * Speculos) test mnemonic so that account starts funded; the harness uses its TEST key only for
 * setup (the token allowance) and to play "another wallet on the same key" in the replacement test.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { erc20Abi, getAddress, maxUint256, type Address, type Hex } from 'viem'
import { CoreEvents, fixedClock, type CoreContext } from '../../src/main/core/context'
import { openDb } from '../../src/main/core/db/openDb'
import { approveBatchForTest } from '../support/signedApprovals'
import { appendAudit } from '../../src/main/core/audit/appendAudit'
import { openRowSeals } from '../../src/main/core/audit/rowSeals'
import { PAYOUT_SEALED_COLUMNS } from '../../src/main/core/audit/sealContent'
import { addAccount, addAsset, postEntries, seedDefaultAssets } from '../../src/main/core/ledger'
import { createSweepGate } from '../../src/main/core/payouts/execute/sweepGate'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { createEvmRail, type EvmChainConfig } from '../../src/main/core/rails/evm'
import { createRailRegistry, type RailRegistry } from '../../src/main/core/rails/Rail'
import { evmAccountPath } from '../../src/main/core/signing/bip32Path'
import { recordVerifiedSignerAddress } from '../../src/main/core/signing/verifySignerAddress'
import { createSandboxLedgerEmulator } from '../../src/main/core/signing/emulator/createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { createLedgerSigner } from '../../src/main/core/signing/ledgerDevice/createLedgerSigner'
import type { Signer } from '../../src/main/core/signing/Signer'
import { sqlFirst } from '../dbSql'
import { startAnvil, type Anvil } from '../harness/evm/anvil'
import { deployHarness, type EvmHarness } from '../harness/evm/deployHarness'

export const MAKER = 'op-maker'
/** 2 gwei × 2 + tip is far below this; the fee-cap test lowers it. */
export const FEE_CAP_WEI = 500n * 10n ** 9n

export interface World {
  anvil: Anvil
  h: EvmHarness
  treasury: Address
  ethAssetId: string
  tokenAssetId: string
  chain(overrides?: Partial<EvmChainConfig>): EvmChainConfig
  stop(): Promise<void>
}

export async function startWorld(): Promise<World> {
  const anvil = await startAnvil({ mnemonic: SPECULOS_TEST_MNEMONIC, accountCount: 3 })
  const [a0, a1] = anvil.accounts
  // deployer = account 1, treasury = account 0 (= the emulator's m/44'/60'/0'/0/0).
  const h = await deployHarness({ ...anvil, accounts: [a1!, a0!] })
  const approve = await h.clients.walletFor(h.treasury).writeContract({
    address: h.testUsd,
    abi: erc20Abi,
    functionName: 'approve',
    args: [h.batch, maxUint256],
  })
  await h.clients.publicClient.waitForTransactionReceipt({ hash: approve })
  const network = String(anvil.chainId)
  return {
    anvil,
    h,
    treasury: h.treasury.address,
    ethAssetId: `ETH@evm:${network}`,
    tokenAssetId: `TUSD@evm:${network}`,
    chain: (overrides = {}) => ({
      chainId: anvil.chainId,
      rpcUrl: anvil.rpcUrl,
      batchContract: h.batch,
      confirmationsMin: 2,
      maxFeePerGasCap: FEE_CAP_WEI,
      source: { address: h.treasury.address, path: evmAccountPath(0) },
      ...overrides,
    }),
    stop: () => anvil.stop(),
  }
}

export function emulatorSigner(): Signer {
  const emulator = createSandboxLedgerEmulator({
    mnemonic: SPECULOS_TEST_MNEMONIC,
    openApp: 'Ethereum',
    user: 'approve',
    // CountersignBatch calldata has no clear-signing descriptor: the Ethereum app needs blind signing.
    ethereum: { blindSigning: true },
  })
  return createLedgerSigner({ factory: emulator.transportFactory, deviceId: emulator.deviceId })
}

export function railsFor(chain: EvmChainConfig): RailRegistry {
  return createRailRegistry([createEvmRail(chain)])
}

export async function openWorkspace(dir: string): Promise<CoreContext> {
  const db = await openDb({ dataDir: dir })
  return { db, clock: fixedClock('2026-02-01T10:00:00.000Z'), events: new CoreEvents() }
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `countersign-exec-${label}-`))
}

/**
 * A fresh workspace: assets of the Anvil chain, the operator, treasury accounts whose ledger
 * balances equal the chain balances right now (opening entries from an external account).
 */
export async function setupWorkspace(world: World, dir: string): Promise<{ ctx: CoreContext; opening: { eth: bigint; token: bigint } }> {
  const ctx = await openWorkspace(dir)
  await seedDefaultAssets(ctx)
  const network = String(world.anvil.chainId)
  await addAsset(ctx, MAKER, { code: 'ETH', scale: 18, rail: 'evm', network })
  await addAsset(ctx, MAKER, { code: 'TUSD', scale: 6, rail: 'evm', network, issuer: world.h.testUsd })
  await ctx.db.run(
    ctx.db.k.insertInto('operators').values({ id: MAKER, name: 'Maker', roles: '["preparer"]', created_at: '2026-01-01T00:00:00.000Z' }),
  )
  // The treasury was verified on the device (the emulator shows and approves it) before it pays.
  await recordVerifiedSignerAddress(ctx, MAKER, { chain: 'evm', path: evmAccountPath(0), address: world.treasury })
  const opening = await chainBalances(world)
  for (const [assetId, amount, scale] of [
    [world.ethAssetId, opening.eth, 18],
    [world.tokenAssetId, opening.token, 6],
  ] as const) {
    await openTreasury(ctx, assetId, world.treasury, formatMinor(amount, scale), 'chain')
  }
  return { ctx, opening }
}

/** A treasury account at `address` and its opening entry (from an external account) = what the network holds. */
export async function openTreasury(ctx: CoreContext, assetId: string, address: string, amountText: string, where: string): Promise<void> {
  await addAccount(ctx, MAKER, { id: `treasury:${assetId}`, name: `Treasury ${assetId}`, kind: 'treasury', assetId, address })
  await addAccount(ctx, MAKER, { id: `opening:${assetId}`, name: `Opening ${assetId}`, kind: 'external', assetId })
  await postEntries(
    ctx,
    MAKER,
    [
      {
        id: `opening:${assetId}`,
        description: `Opening balance = ${where} balance`,
        postings: [
          { account: `treasury:${assetId}`, debit: amountText },
          { account: `opening:${assetId}`, credit: amountText },
        ],
      },
    ],
    { kind: 'manual' },
  )
}

function formatMinor(minor: bigint, scale: number): string {
  const s = minor.toString().padStart(scale + 1, '0')
  return `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`
}

export interface TestPayout {
  id: string
  /** "CODE@rail:network" (or "CODE@stripe", whose network is the rail): rail and network are read from it. */
  assetId: string
  /** EVM address, or (Stellar, Stripe) a G… account / acct_… typed loosely as the same string. */
  recipient: Address
  amount: bigint
  memo?: string
}

/**
 * The kit writes its approved batch straight into the tables (approval is not this test's subject);
 * seal its payouts in one audited change, as an import would, so the audit verifies from the start.
 */
export async function sealPayoutsForTest(ctx: CoreContext, batchId: string): Promise<void> {
  await ctx.db.tx(async () => {
    const seals = await openRowSeals(ctx)
    const rows = await ctx.db.all(ctx.db.k.selectFrom('payouts').select(PAYOUT_SEALED_COLUMNS).where('batch_id', '=', batchId))
    await seals.seal(ctx, 'payouts', rows)
    await appendAudit(ctx, { actor: MAKER, action: 'payouts.import', subject: `batch:${batchId}`, change: { payouts: rows.length }, seals })
  })
}

/** TEST ONLY: inserts a batch already in 'approved' with its payouts 'pending' (no approval flow). */
export async function insertApprovedBatchForTest(ctx: CoreContext, batchId: string, payouts: readonly TestPayout[]): Promise<void> {
  const now = '2026-02-01T09:00:00.000Z'
  await ctx.db.tx(async () => {
    await ctx.db.run(
      ctx.db.k.insertInto('batches').values({
        id: batchId,
        name: `Test batch ${batchId}`,
        state: 'approved',
        version: 1,
        source: 'test',
        created_by: MAKER,
        editors: JSON.stringify([MAKER]),
        created_at: now,
        updated_at: now,
      }),
    )
    for (const [i, p] of payouts.entries()) {
      const [rail, network = rail] = p.assetId.split('@')[1]!.split(':') as [string, string | undefined]
      await ctx.db.run(
        ctx.db.k.insertInto('payouts').values({
          id: p.id,
          batch_id: batchId,
          row_no: i + 1,
          rail,
          network,
          asset_id: p.assetId,
          recipient: p.recipient,
          amount: p.amount.toString(),
          memo: p.memo ?? null,
          reference: null,
          name: null,
          state: 'pending',
          attempt: 0,
          submission_id: null,
          entry_id: null,
          failure_code: null,
          failure_message: null,
          created_at: now,
          updated_at: now,
        }),
      )
    }
    // A real signature over the batch digest: the engine refuses an approval that does not verify.
    await approveBatchForTest(ctx, batchId)
  })
}

export async function chainBalances(world: World): Promise<{ eth: bigint; token: bigint }> {
  const pc = world.h.clients.publicClient
  const [eth, token] = await Promise.all([
    pc.getBalance({ address: world.treasury }),
    pc.readContract({ address: world.h.testUsd, abi: erc20Abi, functionName: 'balanceOf', args: [world.treasury] }),
  ])
  return { eth, token }
}

export async function recipientBalance(world: World, p: TestPayout): Promise<bigint> {
  const pc = world.h.clients.publicClient
  return p.assetId === world.ethAssetId
    ? pc.getBalance({ address: p.recipient })
    : pc.readContract({ address: world.h.testUsd, abi: erc20Abi, functionName: 'balanceOf', args: [p.recipient] })
}

/** Posted ledger balance (debit-normal) of an account, in minor units. */
export async function ledgerBalance(ctx: CoreContext, accountId: string): Promise<bigint> {
  const b = await ctx.db.first(ctx.db.k.selectFrom('balances').selectAll().where('account_id', '=', accountId))
  if (!b) throw new Error(`no balances row for ${accountId}`)
  const scale = (await ctx.db.first(
    ctx.db.k
      .selectFrom('accounts')
      .innerJoin('assets', 'assets.id', 'accounts.asset_id')
      .select('assets.scale')
      .where('accounts.id', '=', accountId),
  ))!.scale
  const toMinor = (t: string) => {
    const [i, f = ''] = t.split('.')
    return BigInt(i! + f.padEnd(scale, '0'))
  }
  // Balance columns hold minor units already in this schema; accept both forms defensively.
  const parse = (t: string) => (t.includes('.') ? toMinor(t) : BigInt(t))
  return parse(b.debits_posted) - parse(b.credits_posted)
}

/**
 * Mines one block per round until no submission is open or planned; bounded, no sleeps. Sweeps
 * through a SweepGate as the poller does, so the head probe is part of every test that confirms.
 */
export async function pollUntilQuiet(ctx: CoreContext, world: World, rails: RailRegistry, roundsMax = 40): Promise<number> {
  const gate = createSweepGate()
  for (let round = 1; round <= roundsMax; round++) {
    for (const rail of rails.all()) await sweepRail(ctx, rail, gate)
    const open = await sqlFirst<{ n: number }>(
      ctx.db,
      `SELECT COUNT(*) AS n FROM submissions WHERE state IN ('planned', 'signed', 'broadcast')`,
    )
    if (open!.n === 0) return round
    await world.h.clients.testClient.mine({ blocks: 1 })
  }
  throw new Error(`submissions still open after ${roundsMax} rounds`)
}

/** Paid events of the batch contract, by batchRef, as [index, recipient, amount]. */
export async function paidEvents(world: World, batchRef: Hex): Promise<{ index: bigint; recipient: Address; amount: bigint }[]> {
  const { countersignBatchAbi } = await import('../../src/main/core/rails/evm/abi')
  const logs = await world.h.clients.publicClient.getContractEvents({
    address: world.h.batch,
    abi: countersignBatchAbi,
    eventName: 'Paid',
    args: { batchRef },
    fromBlock: 0n,
    toBlock: 'latest',
  })
  return logs.map((l) => ({ index: l.args.index!, recipient: getAddress(l.args.recipient!), amount: l.args.amount! }))
}

export function sumOf(payouts: readonly TestPayout[], assetId: string): bigint {
  return payouts.filter((p) => p.assetId === assetId).reduce((s, p) => s + p.amount, 0n)
}

export async function feesBooked(ctx: CoreContext, world: World): Promise<bigint> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('accounts').select('id').where('id', '=', `fees:${world.ethAssetId}`))
  return row ? await ledgerBalance(ctx, row.id) : 0n
}
