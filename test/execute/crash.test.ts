/**
 * Crash tests: a real child process runs the engine on a workspace and is SIGKILLed at each named
 * crash point (COUNTERSIGN_CRASH_AT, see crashPoint.ts), first and second time reached. Then this
 * process opens the same workspace — a restart — and runs resumeOpen and the poller until nothing
 * is open. After every run: each payout confirmed, paid exactly once on chain (its balance, and
 * exactly one Paid event per chunk index across all attempts), booked exactly once, and the
 * ledger's treasury equals the chain's.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CRASH_ENV, CRASH_POINTS, resumeOpen } from '../../src/main/core/payouts/execute'
import { evmBatchRef } from '../../src/main/core/rails/evm'
import { recipientAddresses } from '../harness/evm/recipients'
import {
  chainBalances,
  emulatorSigner,
  feesBooked,
  insertApprovedBatchForTest,
  ledgerBalance,
  openWorkspace,
  paidEvents,
  pollUntilQuiet,
  railsFor,
  recipientBalance,
  setupWorkspace,
  startWorld,
  sumOf,
  tempDir,
  type TestPayout,
  type World,
} from './executeKit'
import { sqlFirst } from '../dbSql'

const childScript = fileURLToPath(new URL('./crashChild.ts', import.meta.url))
/** 2 native + 4 token payouts, 2 per chunk: 3 chunks, so "the second time" is a different chunk. */
const payoutsPerChunkMax = 2
// after-plan is reached once per executeBatch; every other point once per chunk.
const runs = CRASH_POINTS.flatMap((point) => (point === 'after-plan' ? [`${point}:1`] : [`${point}:1`, `${point}:2`]))

let world: World
const signer = emulatorSigner()
let runCount = 0

beforeAll(async () => {
  world = await startWorld()
}, 60_000)
afterAll(async () => {
  await signer.close()
  await world?.stop()
  console.log(`crash runs: ${runCount} (each a SIGKILLed child + a restart)`)
})

describe('crash at every step, restart, every payout paid exactly once', () => {
  it.each(runs)(
    'SIGKILL at %s',
    async (crashAt) => {
      const label = crashAt.replace(/[^a-z0-9]/g, '-')
      const dir = tempDir(label)
      const { ctx, opening } = await setupWorkspace(world, dir)
      const batchId = `b-${label}`
      const recipients = recipientAddresses(`crash-${label}`, 6)
      const payouts: TestPayout[] = recipients.map((recipient, i) =>
        i < 2
          ? { id: `${label}-n${i}`, assetId: world.ethAssetId, recipient, amount: 10n ** 14n + BigInt(i) }
          : { id: `${label}-t${i}`, assetId: world.tokenAssetId, recipient, amount: 2_000_000n + BigInt(i) },
      )
      await insertApprovedBatchForTest(ctx, batchId, payouts)
      await ctx.db.close()

      const chain = world.chain({ payoutsPerChunkMax })
      const child = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          childScript,
          dir,
          JSON.stringify({ batchId, chain: { ...chain, maxFeePerGasCap: chain.maxFeePerGasCap.toString() } }),
        ],
        { env: { ...process.env, [CRASH_ENV]: crashAt }, encoding: 'utf8', timeout: 60_000 },
      )
      expect(child.signal, `child should have been killed at ${crashAt}; stderr: ${child.stderr}`).toBe('SIGKILL')
      runCount++

      // Restart: a fresh process state on the same workspace.
      const ctx2 = await openWorkspace(dir)
      const rails = railsFor(chain)
      await resumeOpen(ctx2, { rails, signer })
      await pollUntilQuiet(ctx2, world, rails)

      expect((await ctx2.db.first(ctx2.db.k.selectFrom('batches').select('state').where('id', '=', batchId)))!.state).toBe('completed')
      for (const p of payouts) {
        expect(await recipientBalance(world, p)).toBe(p.amount)
        const row = (await ctx2.db.first(ctx2.db.k.selectFrom('payouts').select(['state', 'entry_id']).where('id', '=', p.id)))!
        expect(row).toEqual({ state: 'confirmed', entry_id: `payout:${p.id}` })
      }
      for (let chunk = 0; chunk < 3; chunk++) {
        const events = await paidEvents(world, evmBatchRef(world.anvil.chainId, batchId, chunk))
        expect(events.map((e) => e.index)).toEqual([0n, 1n])
      }
      const booked = (await sqlFirst<{ n: number }>(ctx2.db, `SELECT COUNT(*) AS n FROM entries WHERE kind = 'payout'`))!
      expect(booked.n).toBe(payouts.length)
      const subs = (await sqlFirst<{ n: number }>(ctx2.db, `SELECT COUNT(*) AS n FROM submissions`))!
      expect(subs.n).toBe(3) // no retry was ever needed: nothing was re-signed with a new nonce
      const now = await chainBalances(world)
      expect(await ledgerBalance(ctx2, `treasury:${world.tokenAssetId}`)).toBe(now.token)
      expect(await ledgerBalance(ctx2, `treasury:${world.ethAssetId}`)).toBe(now.eth)
      expect(opening.token - now.token).toBe(sumOf(payouts, world.tokenAssetId))
      expect(opening.eth - now.eth).toBe(sumOf(payouts, world.ethAssetId) + (await feesBooked(ctx2, world)))
      await ctx2.db.close()
    },
    60_000,
  )
})
