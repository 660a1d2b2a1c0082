/**
 * The chaos campaign's world. ONE Anvil process for the whole campaign, every run on a fresh chain
 * state: the state right after the contracts were deployed is snapshotted once, and each run starts
 * with evm_revert to it (and a new snapshot for the next run). The Horizon and Stripe harnesses are
 * in-process servers, started fresh for every run (cheap). Every run gets a fresh workspace folder.
 *
 * Anvil runs with automine OFF during a run: a broadcast transaction waits in the mempool until the
 * child (or the campaign) mines, so "the node forgot it" (anvil_dropTransaction) and reorgs can hit
 * transactions the engine believes are on their way.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Keypair } from '@stellar/stellar-base'
import { erc20Abi, maxUint256, type Hex } from 'viem'
import type { CoreContext } from '../../src/main/core/context'
import { addAsset, seedDefaultAssets } from '../../src/main/core/ledger'
import { STRIPE_PLATFORM_SOURCE } from '../../src/main/core/rails/stripe/createStripeRail'
import { evmAccountPath, stellarAccountPath } from '../../src/main/core/signing/bip32Path'
import { recordVerifiedSignerAddress } from '../../src/main/core/signing/verifySignerAddress'
import { revert, snapshot } from '../harness/evm/control'
import { startStellarHarness, type HarnessAsset, type StellarHarness } from '../harness/stellar'
import { startStripeHarness, type StripeHarness } from '../harness/stripe'
import { MAKER, openTreasury, openWorkspace, startWorld, type World } from '../execute/executeKit'
import { NETWORK as STELLAR_NETWORK, TREASURY as STELLAR_TREASURY, WORKSPACE_NOW, XLM } from '../execute/stellarKit'
import type { Rng } from './prng'
import { stageTimer, type StageTimer } from './stageTimer'

export type RailName = 'evm' | 'stellar' | 'stripe'
export const ALL_RAILS: readonly RailName[] = ['evm', 'stellar', 'stripe']

/** Lives for the whole campaign. */
export interface Campaign {
  evm: World
  nextRun(): Promise<void>
  stop(): Promise<void>
}

export async function startCampaignWorld(): Promise<Campaign> {
  const evm = await startWorld()
  // The escrow contract pulls tUSD from the treasury when an escrow is funded (as the sandbox allows it).
  const allow = await evm.h.clients.walletFor(evm.h.treasury).writeContract({
    address: evm.h.testUsd,
    abi: erc20Abi,
    functionName: 'approve',
    args: [evm.h.escrow, maxUint256],
  })
  await evm.h.clients.publicClient.waitForTransactionReceipt({ hash: allow })
  let base = await snapshot(evm.anvil)
  return {
    evm,
    async nextRun() {
      // Nothing the last run left in the node's pool may land in this one (a revert keeps the pool).
      await rpc(evm.anvil.rpcUrl, 'anvil_dropAllTransactions', [])
      await rpc(evm.anvil.rpcUrl, 'evm_setAutomine', [true])
      await revert(evm.anvil, base)
      base = await snapshot(evm.anvil)
    },
    stop: () => evm.stop(),
  }
}

/** What one run plays with: the rails' servers, the treasury balances opened in the ledger. */
export interface RunWorld {
  dir: string
  rails: readonly RailName[]
  /** The chain head after the run's setup; reorgs never reach below it. */
  baseHead: number
  evm: World
  stellar: StellarHarness
  stellarIssuer: Keypair
  usdc: HarnessAsset
  stripe: StripeHarness
  stop(): Promise<void>
}

export const STRIPE_CURRENCIES = ['usd', 'jpy'] as const
export const STRIPE_OPENING = 10n ** 15n

export async function startRun(
  campaign: Campaign,
  rng: Rng,
  rails: readonly RailName[],
  label: string,
  t: StageTimer = stageTimer(),
): Promise<{ run: RunWorld; ctx: CoreContext }> {
  const evm = campaign.evm
  await t.time('world.revert', () => campaign.nextRun())
  const started = performance.now()
  // The token allows any uint256: the treasury gets 2^255 (payout amounts go up to 2^250). Not all
  // of 2^256 − 1: the books' running sums (debits, credits) are capped at uint256 too, and a reorg's
  // reversal adds to them again — a treasury opened at the cap could not book one (seed 1.3).
  const pc = evm.h.clients.publicClient
  const supply = await pc.readContract({ address: evm.h.testUsd, abi: erc20Abi, functionName: 'totalSupply' })
  const mint = await evm.h.clients.walletFor(evm.h.deployer).writeContract({
    address: evm.h.testUsd,
    abi: [
      { type: 'function', name: 'mint', stateMutability: 'nonpayable', inputs: [{ type: 'address' }, { type: 'uint256' }], outputs: [] },
    ] as const,
    functionName: 'mint',
    args: [evm.treasury, 2n ** 255n - supply],
  })
  await pc.waitForTransactionReceipt({ hash: mint })
  await rpc(evm.anvil.rpcUrl, 'evm_setAutomine', [false])
  const baseHead = Number(await pc.getBlockNumber())

  const stellar = await startStellarHarness({})
  stellar.setTime(WORKSPACE_NOW)
  const stellarIssuer = Keypair.fromRawEd25519Seed(rng.bytes(32))
  const usdc = { code: 'USDC', issuer: stellarIssuer.publicKey() }
  stellar.createAccount(stellarIssuer.publicKey(), 100n * XLM)
  stellar.createAccount(STELLAR_TREASURY, 1_000_000n * XLM)
  stellar.addTrustline(STELLAR_TREASURY, usdc)
  stellar.issue(usdc, STELLAR_TREASURY, 9_000_000_000_000_000_000n)

  const stripe = await startStripeHarness({
    balances: Object.fromEntries(STRIPE_CURRENCIES.map((c) => [c, STRIPE_OPENING])),
    secretKey: `sk_test_chaos_${rng.hex(8)}`,
    idSalt: rng.hex(4),
    now: () => WORKSPACE_NOW,
  })

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `countersign-chaos-${label}-`))
  const ctx = await openWorkspace(dir)
  await seedDefaultAssets(ctx)
  await ctx.db.run(
    ctx.db.k.insertInto('operators').values({ id: MAKER, name: 'Maker', roles: '["preparer"]', created_at: '2026-01-01T00:00:00.000Z' }),
  )
  const network = String(evm.anvil.chainId)
  await addAsset(ctx, MAKER, { code: 'ETH', scale: 18, rail: 'evm', network })
  await addAsset(ctx, MAKER, { code: 'TUSD', scale: 6, rail: 'evm', network, issuer: evm.h.testUsd })
  await addAsset(ctx, MAKER, { code: 'XLM', scale: 7, rail: 'stellar', network: STELLAR_NETWORK })
  await addAsset(ctx, MAKER, { code: 'USDC', scale: 7, rail: 'stellar', network: STELLAR_NETWORK, issuer: usdc.issuer })
  await recordVerifiedSignerAddress(ctx, MAKER, { chain: 'evm', path: evmAccountPath(0), address: evm.treasury })
  await recordVerifiedSignerAddress(ctx, MAKER, { chain: 'stellar', path: stellarAccountPath(0), address: STELLAR_TREASURY })
  const openings: [string, string, bigint, number][] = [
    [evm.ethAssetId, evm.treasury, await pc.getBalance({ address: evm.treasury }), 18],
    [
      evm.tokenAssetId,
      evm.treasury,
      await pc.readContract({ address: evm.h.testUsd, abi: erc20Abi, functionName: 'balanceOf', args: [evm.treasury] }),
      6,
    ],
    [`XLM@stellar:${STELLAR_NETWORK}`, STELLAR_TREASURY, stellar.balance(STELLAR_TREASURY, 'native')!, 7],
    [`USDC@stellar:${STELLAR_NETWORK}`, STELLAR_TREASURY, stellar.balance(STELLAR_TREASURY, usdc)!, 7],
    ['USD@stripe', STRIPE_PLATFORM_SOURCE, STRIPE_OPENING, 2],
    ['JPY@stripe', STRIPE_PLATFORM_SOURCE, STRIPE_OPENING, 0],
  ]
  for (const [assetId, address, amount, scale] of openings) await openTreasury(ctx, assetId, address, decimal(amount, scale), 'rail')
  t.add('world.start', performance.now() - started)
  const run: RunWorld = {
    dir,
    rails,
    baseHead,
    evm,
    stellar,
    stellarIssuer,
    usdc,
    stripe,
    async stop() {
      await stellar.stop()
      await stripe.stop()
    },
  }
  return { run, ctx }
}

export function decimal(minor: bigint, scale: number): string {
  if (scale === 0) return minor.toString()
  const s = minor.toString().padStart(scale + 1, '0')
  return `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`
}

export async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

export type { Hex }
