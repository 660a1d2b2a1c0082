/**
 * Stellar pre-flight against the harness: each problem the issue names is found before anything
 * is approved or signed, with its code and a sentence naming the payee and the asset — through
 * the same preflightBatch the approval flow and the engine run, which asks the rail's own
 * `preflight` (the rail is built from `config` at each call, as settings.rails.set would).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { preflightBatch } from '../../src/main/core/payouts/batches/preflightBatch'
import type { StellarNetworkConfig } from '../../src/main/core/rails/stellar/stellarRailConfig'
import { insertApprovedBatchForTest, tempDir, type TestPayout } from './executeKit'
import { setupStellarWorkspace, startStellarWorld, stellarPayouts, stellarRails, TREASURY, XLM, type StellarWorld } from './stellarKit'

let world: StellarWorld
let config: StellarNetworkConfig
beforeAll(async () => {
  world = await startStellarWorld()
  config = world.config()
})
afterAll(async () => {
  await world?.stop()
})

async function problemsFor(label: string, payouts: TestPayout[]) {
  const ctx = await setupStellarWorkspace(world, tempDir(label))
  await insertApprovedBatchForTest(ctx, label, payouts)
  const result = await preflightBatch(ctx, label, stellarRails(config))
  await ctx.db.close()
  return result
}

describe('Stellar pre-flight', () => {
  it('passes a payable batch', async () => {
    const result = await problemsFor('pf-ok', stellarPayouts(world, 'pf-ok', 3, world.usdcAssetId))
    expect(result).toEqual({ ok: true, problems: [] })
  })

  it('no trustline: names the payee and the asset', async () => {
    const noTrust = world.payee({ noTrust: true })
    const result = await problemsFor('pf-trust', [{ id: 'pf-trust-1', assetId: world.usdcAssetId, recipient: noTrust, amount: 5n }])
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'STELLAR_NO_TRUST',
        payoutId: 'pf-trust-1',
        message: expect.stringContaining(`${noTrust} has no trustline for USDC`),
      }),
    ])
  })

  it('unfunded destination: refused unless create_account is allowed (XLM only)', async () => {
    const unfunded = world.payee({ unfunded: true })
    const result = await problemsFor('pf-dest', [{ id: 'pf-dest-1', assetId: world.xlmAssetId, recipient: unfunded, amount: 2n * XLM }])
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'STELLAR_NO_DESTINATION',
        message: expect.stringContaining(`${unfunded} does not exist on Stellar standalone`),
      }),
    ])
    config = world.config({ allowCreateAccount: true })
    try {
      const allowed = await problemsFor('pf-dest2', [
        { id: 'pf-dest2-1', assetId: world.xlmAssetId, recipient: unfunded, amount: 2n * XLM },
      ])
      expect(allowed.ok).toBe(true)
    } finally {
      config = world.config()
    }
  })

  it('underfunded source: the treasury cannot cover the USDC total', async () => {
    const held = world.h.balance(TREASURY, world.usdc)!
    const result = await problemsFor('pf-under', [
      { id: 'pf-under-1', assetId: world.usdcAssetId, recipient: world.payee(), amount: held + 1n },
    ])
    // The ledger's own balance check and the chain's both object.
    expect(result.problems.map((p) => p.code)).toContain('STELLAR_UNDERFUNDED')
    expect(result.problems.find((p) => p.code === 'STELLAR_UNDERFUNDED')!.message).toMatch(
      /The treasury holds [\d.]+ USDC on Stellar standalone and the batch pays/,
    )
  })

  it('wrong network passphrase: refused before anything else', async () => {
    config = { ...world.config(), networkPassphrase: 'Public Global Stellar Network ; September 2015' }
    try {
      const result = await problemsFor('pf-net', stellarPayouts(world, 'pf-net', 1, world.usdcAssetId))
      expect(result.problems).toEqual([
        expect.objectContaining({ code: 'CHAIN_MISMATCH', message: expect.stringContaining('Standalone Network ; February 2017') }),
      ])
    } finally {
      config = world.config()
    }
  })
})
