/**
 * Stellar crash and fault tests. A real child process runs the engine against the harness and
 * is SIGKILLed at each crash point (first and second time reached); this process then reopens
 * the workspace (a restart), resumes, and sweeps until nothing is open. Faults: the answer
 * dropped after applying, 504 before and after applying, a transaction that never reached the
 * network until its time bound passed. After each: every payout applied exactly once on the
 * harness, booked once, and no transaction was rebuilt while an earlier one could still land.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../src/main/core/context'
import { CRASH_ENV, CRASH_POINTS, executeBatch, resumeOpen } from '../../src/main/core/payouts/execute'
import { retryFailed } from '../../src/main/core/payouts/execute/retryFailed'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { insertApprovedBatchForTest, ledgerBalance, MAKER, openWorkspace, tempDir, type TestPayout } from './executeKit'
import {
  pollStellarUntilQuiet,
  setupStellarWorkspace,
  startStellarWorld,
  stellarPayouts,
  stellarRails,
  stellarSigner,
  TREASURY,
  WORKSPACE_NOW,
  type StellarWorld,
} from './stellarKit'
import { sqlFirst } from '../dbSql'

const childScript = fileURLToPath(new URL('./stellarCrashChild.ts', import.meta.url))
const runs = CRASH_POINTS.flatMap((point) => (point === 'after-plan' ? [`${point}:1`] : [`${point}:1`, `${point}:2`]))

let world: StellarWorld
const signer = stellarSigner()
beforeAll(async () => {
  world = await startStellarWorld()
})
afterAll(async () => {
  await signer.close()
  await world?.stop()
})

/** Async: the harness answers from THIS process, so the parent must not block while the child runs. */
function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGTERM'), 90_000)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stderr })
    })
  })
}

async function assertPaidOnce(ctx: CoreContext, batchId: string, payouts: readonly TestPayout[], assetUsdc: boolean): Promise<void> {
  const subs = await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId))
  for (const s of subs.filter((x) => x.state === 'confirmed'))
    expect(
      world.h.applied().filter((a) => a.hash === s.tx_hash),
      `tx ${s.tx_hash} applied once`,
    ).toHaveLength(1)
  for (const p of payouts) {
    expect(world.h.balance(p.recipient, assetUsdc ? world.usdc : 'native')).toBe(assetUsdc ? p.amount : 5n * 10_000_000n + p.amount)
    const row = (await ctx.db.first(ctx.db.k.selectFrom('payouts').select(['state', 'entry_id']).where('id', '=', p.id)))!
    expect(row.state).toBe('confirmed')
  }
  const booked = (await sqlFirst<{
    n: number
  }>(ctx.db, `SELECT COUNT(*) AS n FROM entries WHERE kind = 'payout' AND id LIKE ?`, `payout:${batchId}-%`))!
  expect(booked.n).toBe(payouts.length)
  expect(await ledgerBalance(ctx, `treasury:${world.usdcAssetId}`)).toBe(world.h.balance(TREASURY, world.usdc))
  expect(await ledgerBalance(ctx, `treasury:${world.xlmAssetId}`)).toBe(world.h.balance(TREASURY, 'native'))
}

describe('Stellar: SIGKILL at every step, restart, every payout applied exactly once', () => {
  it.each(runs)(
    'SIGKILL at %s',
    async (crashAt) => {
      const label = `sc-${crashAt.replace(/[^a-z0-9]/g, '-')}`
      const dir = tempDir(label)
      const ctx = await setupStellarWorkspace(world, dir)
      const payouts = stellarPayouts(world, label, 6, world.usdcAssetId)
      await insertApprovedBatchForTest(ctx, label, payouts)
      await ctx.db.close()
      const config = world.config({ opsPerTxMax: 2 })
      const child = await runChild(
        [dir, JSON.stringify({ batchId: label, network: { ...config, maxFeePerOpStroops: config.maxFeePerOpStroops.toString() } })],
        { ...process.env, [CRASH_ENV]: crashAt },
      )
      expect(child.signal, `child should have been killed at ${crashAt}; stderr: ${child.stderr}`).toBe('SIGKILL')

      const ctx2 = await openWorkspace(dir)
      const rails = stellarRails(config)
      await resumeOpen(ctx2, { rails, signer })
      await pollStellarUntilQuiet(ctx2, world, rails)
      expect((await ctx2.db.first(ctx2.db.k.selectFrom('batches').select('state').where('id', '=', label)))!.state).toBe('completed')
      await assertPaidOnce(ctx2, label, payouts, true)
      // No rebuild: 3 chunks, 3 submissions — nothing was ever signed again with a new sequence.
      const subs = (await sqlFirst<{ n: number }>(ctx2.db, `SELECT COUNT(*) AS n FROM submissions WHERE batch_id = ?`, label))!
      expect(subs.n).toBe(3)
      await ctx2.db.close()
    },
    120_000,
  )
})

describe('Stellar faults on submission', () => {
  const cases: [string, (w: StellarWorld) => void][] = [
    ['the answer dropped after applying', (w) => w.h.faults.dropResponseAfterApply(2)],
    ['504 before applying', (w) => w.h.faults.fail504(2)],
    ['504 after applying', (w) => w.h.faults.fail504(2, { applied: true })],
  ]
  it.each(cases)('%s: resubmits the same envelope, applies once, rebuilds nothing', async (name, inject) => {
    const label = `sf-${name.replace(/[^a-z0-9]+/g, '-')}`
    const ctx = await setupStellarWorkspace(world, tempDir(label))
    const payouts = stellarPayouts(world, label, 4, world.usdcAssetId)
    await insertApprovedBatchForTest(ctx, label, payouts)
    const rails = stellarRails(world.config({ opsPerTxMax: 2 }))
    inject(world)
    const submittedBefore = world.h.submissions()
    const result = await executeBatch(ctx, { rails, signer }, label, MAKER)
    expect(result.broadcast).toBe(2) // 'maybe-sent' counts as broadcast: only the lookup decides
    await pollStellarUntilQuiet(ctx, world, rails)
    world.h.faults.clear()
    await assertPaidOnce(ctx, label, payouts, true)
    const subs = await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', label))
    expect(subs).toHaveLength(2)
    // The harness saw the same envelopes again (resubmission), never a new one.
    const hashes = new Set(subs.map((s) => s.tx_hash))
    expect(world.h.submissions() - submittedBefore).toBeGreaterThanOrEqual(2)
    expect(world.h.applied().filter((a) => hashes.has(a.hash))).toHaveLength(2)
    await ctx.db.close()
  })

  it('a transaction that lands and fails (no trustline) books its fee and names the payee and asset', async () => {
    const label = 'sf-notrust'
    const ctx = await setupStellarWorkspace(world, tempDir(label))
    const good = stellarPayouts(world, label, 1, world.usdcAssetId)
    const noTrust = world.payee({ noTrust: true })
    const payouts: TestPayout[] = [...good, { id: `${label}-x`, assetId: world.usdcAssetId, recipient: noTrust, amount: 5n }]
    await insertApprovedBatchForTest(ctx, label, payouts)
    const rails = stellarRails(world.config())
    const xlmBefore = world.h.balance(TREASURY, 'native')!
    await executeBatch(ctx, { rails, signer }, label, MAKER)
    await pollStellarUntilQuiet(ctx, world, rails)
    const sub = (await ctx.db.first(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', label)))!
    expect(sub.state).toBe('failed')
    expect(sub.failure_code).toBe('STELLAR_NO_TRUST')
    expect(sub.failure_message).toContain(`${noTrust} has no trustline for USDC`)
    // Atomic: the good payout was not applied either; the fee was charged and is booked.
    expect(world.h.balance(good[0]!.recipient, world.usdc)).toBe(0n)
    expect(xlmBefore - world.h.balance(TREASURY, 'native')!).toBe(200n)
    expect(await ledgerBalance(ctx, `treasury:${world.xlmAssetId}`)).toBe(world.h.balance(TREASURY, 'native'))
    await ctx.db.close()
  })

  // Last: it moves the harness clock forward for good.
  it('a transaction that never lands is resubmitted until its time bound passed, declared dead only then, and the retry pays once', async () => {
    const label = 'sf-expired'
    const base = await setupStellarWorkspace(world, tempDir(label))
    // This test moves time: the workspace clock follows the harness clock.
    let nowMs = WORKSPACE_NOW.getTime()
    const ctx: CoreContext = { ...base, clock: { now: () => new Date(nowMs) } }
    const payouts = stellarPayouts(world, label, 2, world.usdcAssetId)
    await insertApprovedBatchForTest(ctx, label, payouts)
    const rails = stellarRails(world.config())
    world.h.faults.fail504(1_000) // Horizon times out on every submission, nothing is applied
    await executeBatch(ctx, { rails, signer }, label, MAKER)
    const first = (await ctx.db.first(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', label)))!
    const rail = rails.all()[0]!
    // Within the time bound: every sweep resubmits the same envelope, nothing is declared dead.
    for (const minutes of [1, 3, 5]) {
      world.h.setTime(new Date(WORKSPACE_NOW.getTime() + minutes * 60_000))
      await world.h.closeLedger()
      const r = await sweepRail(ctx, rail)
      expect(r.rebroadcast).toBe(1)
      expect((await ctx.db.first(ctx.db.k.selectFrom('submissions').select('state').where('id', '=', first.id)))!.state).toBe('broadcast')
    }
    const rebuildsBeforeExpiry =
      (await sqlFirst<{ n: number }>(ctx.db, `SELECT COUNT(*) AS n FROM submissions WHERE batch_id = ?`, label))!.n - 1
    expect(rebuildsBeforeExpiry).toBe(0)
    // Past the bound (and its margin), with a ledger closed after it: dead, payouts failed.
    nowMs = WORKSPACE_NOW.getTime() + 6 * 60_000
    world.h.setTime(new Date(nowMs))
    await world.h.closeLedger()
    await sweepRail(ctx, rail)
    const dead = (await ctx.db.first(ctx.db.k.selectFrom('submissions').selectAll().where('id', '=', first.id)))!
    expect(dead.state).toBe('dead')
    expect(dead.failure_code).toBe('STELLAR_EXPIRED')
    expect((await ctx.db.first(ctx.db.k.selectFrom('batches').select('state').where('id', '=', label)))!.state).toBe('failed')
    // The network recovers; a retry builds a NEW transaction (new sequence is the same free one).
    world.h.faults.clear()
    await retryFailed(ctx, { rails, signer }, label, MAKER)
    await pollStellarUntilQuiet(ctx, world, rails)
    await assertPaidOnce(ctx, label, payouts, true)
    const all = await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', label).orderBy('attempt'))
    expect(all.map((s) => s.state)).toEqual(['dead', 'confirmed'])
    expect(world.h.applied().some((a) => a.hash === first.tx_hash)).toBe(false)
    await ctx.db.close()
  })
})
