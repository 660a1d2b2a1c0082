/**
 * Disk full during execution on Stellar and Stripe (issue 18) — the EVM case is
 * executeDiskFull.test.ts. The full disk is SQLite's own page limit (test/support/diskFull.ts).
 *
 * Stellar, on the Horizon harness with the device emulator: the disk fills the moment the device
 *   has signed, before the signed envelope is committed. Nothing reaches Horizon (no transaction
 *   applied, the treasury's sequence unchanged), the run stops with DISK_FULL, the chunk is still
 *   only planned; when space is back the resume signs the same sequence again and every payout is
 *   paid exactly once (read from the harness), booked once, the books equal the harness.
 * Stripe, on the Stripe harness: the disk fills the moment Stripe has answered — the transfers
 *   exist at Stripe but our record of the answer cannot be stored. The run stops with DISK_FULL;
 *   when space is back the resume sends the stored request again under the same idempotency key,
 *   and Stripe holds exactly one transfer per payout; books equal Stripe's balance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAudit } from '../../src/main/core/audit/verifyAudit'
import { seedDefaultAssets } from '../../src/main/core/ledger'
import { executeBatch, resumeOpen } from '../../src/main/core/payouts/execute'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { createRailRegistry, type Rail } from '../../src/main/core/rails/Rail'
import { createStripeRail, STRIPE_PLATFORM_SOURCE } from '../../src/main/core/rails/stripe/createStripeRail'
import {
  insertApprovedBatchForTest,
  ledgerBalance,
  MAKER,
  openTreasury,
  openWorkspace,
  sealPayoutsForTest,
  tempDir,
  type TestPayout,
} from '../execute/executeKit'
import {
  pollStellarUntilQuiet,
  setupStellarWorkspace,
  startStellarWorld,
  stellarPayouts,
  stellarRails,
  stellarSigner,
  TREASURY,
  type StellarWorld,
} from '../execute/stellarKit'
import { startStripeHarness, type StripeHarness } from '../harness/stripe'
import { executionStates, fillDisk, freeDisk, ON_POSTGRES } from '../support/diskFull'

describe.skipIf(ON_POSTGRES)('disk full during Stellar execution', () => {
  let world: StellarWorld
  beforeAll(async () => {
    world = await startStellarWorld()
  })
  afterAll(async () => world?.stop())

  it('after the device signed, before the envelope is stored: nothing sent, DISK_FULL; with space back, paid exactly once', async () => {
    const ctx = await setupStellarWorkspace(world, tempDir('disk-full-stellar'))
    const batchId = 'b-df-stellar'
    const payouts = stellarPayouts(world, 'dfs', 30, world.usdcAssetId)
    await insertApprovedBatchForTest(ctx, batchId, payouts)
    await sealPayoutsForTest(ctx, batchId)
    const rails = stellarRails(world.config())
    const signer = stellarSigner()
    const appliedBefore = world.h.applied().length
    const sequenceBefore = world.h.sequence(TREASURY)

    let filled = 0
    const filling = new Proxy(signer, {
      get(target, prop, receiver) {
        // A large transaction is signed by its hash, a small one in full: either way.
        if (prop === 'signStellarTransactions' || prop === 'signStellarHash')
          return async (...args: unknown[]) => {
            const signed = await (target[prop] as (...a: unknown[]) => Promise<unknown>).apply(target, args)
            await fillDisk(ctx.db)
            filled++
            return signed
          }
        const value = Reflect.get(target, prop, receiver) as unknown
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      },
    })
    const error = await executeBatch(ctx, { rails, signer: filling }, batchId, MAKER).catch((e: unknown) => e)
    expect(filled).toBe(1)
    expect(error).toMatchObject({ code: 'DISK_FULL' })
    expect(world.h.applied().length).toBe(appliedBefore)
    expect(world.h.sequence(TREASURY)).toBe(sequenceBefore)
    expect(await executionStates(ctx.db, batchId)).toEqual({ submissions: ['planned'], payouts: ['planned'], entries: 0 })
    expect(await verifyAudit(ctx)).toMatchObject({ ok: true })

    await freeDisk(ctx.db)
    await resumeOpen(ctx, { rails, signer })
    await pollStellarUntilQuiet(ctx, world, rails)
    expect(await executionStates(ctx.db, batchId)).toEqual({ submissions: ['confirmed'], payouts: ['confirmed'], entries: payouts.length })
    expect(world.h.applied().length).toBe(appliedBefore + 1)
    expect(world.h.sequence(TREASURY)).toBe(sequenceBefore + 1n)
    for (const p of payouts) expect(world.h.balance(p.recipient, world.usdc)).toBe(p.amount)
    expect((await executionStates(ctx.db, batchId)).entries).toBe(payouts.length)
    expect(await ledgerBalance(ctx, `treasury:${world.usdcAssetId}`)).toBe(world.h.balance(TREASURY, world.usdc))
    expect(await ledgerBalance(ctx, `treasury:${world.xlmAssetId}`)).toBe(world.h.balance(TREASURY, 'native'))
    expect(await verifyAudit(ctx)).toMatchObject({ ok: true })
    await signer.close()
    await ctx.db.close()
  }, 60_000)
})

describe.skipIf(ON_POSTGRES)('disk full during Stripe execution', () => {
  let h: StripeHarness
  beforeAll(async () => {
    h = await startStripeHarness({ balances: { usd: 10_000_000n } })
  })
  afterAll(async () => h?.stop())

  it('after Stripe committed the transfers, before the answers are stored: DISK_FULL; with space back, one transfer per payout', async () => {
    const ctx = await openWorkspace(tempDir('disk-full-stripe'))
    await seedDefaultAssets(ctx)
    await ctx.db.run(
      ctx.db.k.insertInto('operators').values({ id: MAKER, name: 'Maker', roles: '["preparer"]', created_at: '2026-01-01T00:00:00.000Z' }),
    )
    await openTreasury(ctx, 'USD@stripe', STRIPE_PLATFORM_SOURCE, '100000.00', 'Stripe')
    const batchId = 'b-df-stripe'
    const payouts: TestPayout[] = Array.from({ length: 12 }, (_, i) => ({
      id: `dft-${i}`,
      assetId: 'USD@stripe',
      recipient: h.addConnectedAccount() as TestPayout['recipient'],
      amount: 10_001n + BigInt(i),
    }))
    await insertApprovedBatchForTest(ctx, batchId, payouts)
    await sealPayoutsForTest(ctx, batchId)
    const inner = createStripeRail({
      apiBase: { host: h.host, port: h.port, protocol: h.protocol },
      secretKey: async () => h.secretKey,
      retry: { attemptsMax: 3, backoffMsBase: 1, backoffMsMax: 4, sleep: async () => {} },
      timeoutMs: 5_000,
    })
    let filled = 0
    const filling = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'broadcast')
          return async (...args: Parameters<Rail['broadcast']>) => {
            const outcome = await target.broadcast(...args)
            if (filled === 0) await fillDisk(ctx.db)
            filled++
            return outcome
          }
        const value = Reflect.get(target, prop, receiver) as unknown
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      },
    })
    const error = await executeBatch(ctx, { rails: createRailRegistry([filling]) }, batchId, MAKER).catch((e: unknown) => e)
    expect(filled).toBeGreaterThan(0)
    expect(error).toMatchObject({ code: 'DISK_FULL' })
    const committed = (h.transfers() as { metadata: Record<string, string> }[]).length
    expect(committed).toBeGreaterThan(0)
    // Nothing booked while the answers could not be stored.
    expect((await executionStates(ctx.db, batchId)).entries).toBe(0)
    expect(await verifyAudit(ctx)).toMatchObject({ ok: true })

    await freeDisk(ctx.db)
    const rails = createRailRegistry([inner])
    await resumeOpen(ctx, { rails })
    for (let round = 0; round < 5; round++) for (const rail of rails.all()) await sweepRail(ctx, rail)
    expect(await executionStates(ctx.db, batchId)).toMatchObject({ payouts: ['confirmed'], entries: payouts.length })
    const transfers = h.transfers() as { destination: string; amount: bigint; metadata: Record<string, string> }[]
    for (const p of payouts) {
      const mine = transfers.filter((t) => t.metadata.countersign_payout_id === p.id)
      expect(mine, p.id).toHaveLength(1)
      expect(mine[0]).toMatchObject({ destination: p.recipient, amount: p.amount })
    }
    expect((await executionStates(ctx.db, batchId)).entries).toBe(payouts.length)
    expect(await ledgerBalance(ctx, 'treasury:USD@stripe')).toBe(h.balance('usd'))
    expect(await verifyAudit(ctx)).toMatchObject({ ok: true })
    await ctx.db.close()
  }, 60_000)
})
