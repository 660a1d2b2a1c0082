/**
 * Test kit for the Stellar rail: the Horizon-compatible harness (test/harness/stellar), the
 * device emulator's Stellar app behind the real Ledger signer, and workspaces (SQLite files)
 * whose ledger opens with the harness's balances. The treasury is the emulator's m/44'/148'/0'.
 */
import { Keypair, StrKey } from '@stellar/stellar-base'
import type { Address } from 'viem'
import type { CoreContext } from '../../src/main/core/context'
import { addAsset, seedDefaultAssets } from '../../src/main/core/ledger'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { createRailRegistry, type RailRegistry } from '../../src/main/core/rails/Rail'
import { createStellarRail } from '../../src/main/core/rails/stellar/createStellarRail'
import type { StellarNetworkConfig } from '../../src/main/core/rails/stellar/stellarRailConfig'
import { stellarAccountPath } from '../../src/main/core/signing/bip32Path'
import { recordVerifiedSignerAddress } from '../../src/main/core/signing/verifySignerAddress'
import { createSandboxLedgerEmulator, type SandboxLedgerEmulator } from '../../src/main/core/signing/emulator/createSandboxLedgerEmulator'
import { createSandboxSoftwareKeys, SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { parseBip32Path } from '../../src/main/core/signing/bip32Path'
import { createLedgerSigner } from '../../src/main/core/signing/ledgerDevice/createLedgerSigner'
import type { Signer } from '../../src/main/core/signing/Signer'
import { startStellarHarness, type HarnessAsset, type StellarHarness } from '../harness/stellar'
import { MAKER, openTreasury, openWorkspace, type TestPayout } from './executeKit'
import { sqlFirst } from '../dbSql'

export const NETWORK = 'standalone'
export const XLM = 10_000_000n
/** The workspaces' fixed clock (openWorkspace); the harness runs on the same time. */
export const WORKSPACE_NOW = new Date('2026-02-01T10:00:00.000Z')

export const TREASURY = StrKey.encodeEd25519PublicKey(
  Buffer.from(createSandboxSoftwareKeys(SPECULOS_TEST_MNEMONIC).ed25519PublicKey(parseBip32Path(stellarAccountPath(0)))!),
)

export interface StellarWorld {
  h: StellarHarness
  issuer: Keypair
  usdc: HarnessAsset
  xlmAssetId: string
  usdcAssetId: string
  config(overrides?: Partial<StellarNetworkConfig>): StellarNetworkConfig
  /** A funded payee account with a USDC trustline (unless noTrust). */
  payee(opts?: { noTrust?: boolean; unfunded?: boolean }): Address
  stop(): Promise<void>
}

export async function startStellarWorld(opts: { autoClose?: boolean } = {}): Promise<StellarWorld> {
  const h = await startStellarHarness({ ...(opts.autoClose !== undefined ? { autoClose: opts.autoClose } : {}) })
  h.setTime(WORKSPACE_NOW)
  const issuer = Keypair.random()
  const usdc = { code: 'USDC', issuer: issuer.publicKey() }
  h.createAccount(issuer.publicKey(), 100n * XLM)
  h.createAccount(TREASURY, 10_000n * XLM)
  h.addTrustline(TREASURY, usdc)
  h.issue(usdc, TREASURY, 1_000_000n * XLM)
  return {
    h,
    issuer,
    usdc,
    xlmAssetId: `XLM@stellar:${NETWORK}`,
    usdcAssetId: `USDC@stellar:${NETWORK}`,
    config: (overrides = {}) => ({
      network: NETWORK,
      horizonUrl: h.url,
      networkPassphrase: h.networkPassphrase,
      source: { address: TREASURY, path: stellarAccountPath(0) },
      maxFeePerOpStroops: 1_000n,
      ...overrides,
    }),
    payee(o = {}) {
      const id = Keypair.random().publicKey()
      if (!o.unfunded) {
        h.createAccount(id, 5n * XLM)
        if (!o.noTrust) h.addTrustline(id, usdc)
      }
      return id as Address
    },
    stop: () => h.stop(),
  }
}

export function stellarEmulator(settings: { hashSigning?: boolean; maxDataSizeBytes?: number } = {}): SandboxLedgerEmulator {
  return createSandboxLedgerEmulator({
    mnemonic: SPECULOS_TEST_MNEMONIC,
    openApp: 'Stellar',
    user: 'approve',
    stellar: {
      hashSigning: settings.hashSigning ?? true,
      ...(settings.maxDataSizeBytes ? { maxDataSizeBytes: settings.maxDataSizeBytes } : {}),
    },
  })
}

export function stellarSigner(emulator = stellarEmulator()): Signer {
  return createLedgerSigner({ factory: emulator.transportFactory, deviceId: emulator.deviceId })
}

export function stellarRails(config: StellarNetworkConfig): RailRegistry {
  return createRailRegistry([createStellarRail(config)])
}

/** A workspace with the standalone assets and treasury accounts opened at the harness balances. */
export async function setupStellarWorkspace(world: StellarWorld, dir: string): Promise<CoreContext> {
  const ctx = await openWorkspace(dir)
  await seedDefaultAssets(ctx)
  await addAsset(ctx, MAKER, { code: 'XLM', scale: 7, rail: 'stellar', network: NETWORK })
  await addAsset(ctx, MAKER, { code: 'USDC', scale: 7, rail: 'stellar', network: NETWORK, issuer: world.usdc.issuer })
  await ctx.db.run(
    ctx.db.k.insertInto('operators').values({ id: MAKER, name: 'Maker', roles: '["preparer"]', created_at: '2026-01-01T00:00:00.000Z' }),
  )
  await recordVerifiedSignerAddress(ctx, MAKER, { chain: 'stellar', path: stellarAccountPath(0), address: TREASURY })
  for (const [assetId, amount] of [
    [world.xlmAssetId, world.h.balance(TREASURY, 'native')!],
    [world.usdcAssetId, world.h.balance(TREASURY, world.usdc)!],
  ] as const) {
    await openTreasury(ctx, assetId, TREASURY, `${amount / XLM}.${(amount % XLM).toString().padStart(7, '0')}`, 'harness')
  }
  return ctx
}

/** Sweeps (closing a ledger each round) until nothing is open; bounded, no sleeps. */
export async function pollStellarUntilQuiet(ctx: CoreContext, world: StellarWorld, rails: RailRegistry, roundsMax = 20): Promise<number> {
  for (let round = 1; round <= roundsMax; round++) {
    for (const rail of rails.all()) await sweepRail(ctx, rail)
    const open = (await sqlFirst<{
      n: number
    }>(ctx.db, `SELECT COUNT(*) AS n FROM submissions WHERE state IN ('planned', 'signed', 'broadcast')`))!
    if (open.n === 0) return round
    await world.h.closeLedger()
  }
  throw new Error(`submissions still open after ${roundsMax} rounds`)
}

export function stellarPayouts(world: StellarWorld, prefix: string, count: number, assetId: string, memo?: string): TestPayout[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    assetId,
    recipient: world.payee(),
    // Distinct amounts with all 7 decimals used: a rounding anywhere shows.
    amount: 10_000_000n + BigInt(i) * 1_234_567n + 1n,
    ...(memo ? { memo } : {}),
  }))
}
