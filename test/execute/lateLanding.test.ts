/**
 * A transaction declared dead that lands after all, on a real Anvil. Attempt 1 is broadcast,
 * dropped from the pool, and "another wallet on the same key" uses its nonce; confirmationsMin
 * blocks later the sweep declares it dead. Then a reorg deeper than confirmationsMin takes the
 * other transaction away and attempt 1's own signed bytes are mined. The next sweeps must
 * confirm it: its payouts confirmed (also those a retry had taken over), booked exactly once,
 * the batch completed, and the ledger equal to the chain. A retry in flight at that moment
 * reverts on the chunk's batchRef (BatchRefUsed), pays nothing, and only its fee is booked.
 * Deterministic: automine off, blocks mined on purpose, no sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../src/main/core/context'
import type { SubmissionRow } from '../../src/main/core/db/schema'
import { executeBatch, retryFailed } from '../../src/main/core/payouts/execute'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { evmBatchRef } from '../../src/main/core/rails/evm'
import type { RailRegistry } from '../../src/main/core/rails/Rail'
import { reorg } from '../harness/evm/control'
import { recipientAddresses } from '../harness/evm/recipients'
import {
  chainBalances,
  emulatorSigner,
  feesBooked,
  insertApprovedBatchForTest,
  ledgerBalance,
  MAKER,
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

/** executeKit's chains confirm at 2 blocks. */
const CONFIRMATIONS_MIN = 2

let world: World
const signer = emulatorSigner()

beforeAll(async () => {
  world = await startWorld()
}, 60_000)
afterAll(async () => {
  await signer.close()
  await world?.stop()
})

function payoutsFor(seed: string): TestPayout[] {
  return recipientAddresses(seed, 2).map((recipient, i) => ({
    id: `${seed}-t${i}`,
    assetId: world.tokenAssetId,
    recipient,
    amount: 2_000_000n + BigInt(i),
  }))
}

async function submissionsOf(ctx: CoreContext, batchId: string): Promise<SubmissionRow[]> {
  return await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId).orderBy('attempt'))
}

async function batchState(ctx: CoreContext, batchId: string): Promise<string> {
  return (await ctx.db.first(ctx.db.k.selectFrom('batches').select('state').where('id', '=', batchId)))!.state
}

/**
 * Attempt 1 broadcast; dropped from the pool; the same key's other transaction takes its nonce in
 * block B; CONFIRMATIONS_MIN blocks on top; one sweep → dead. Automine stays OFF (the caller restores it).
 * Returns the dead submission and B.
 */
async function declareDead(ctx: CoreContext, rails: RailRegistry, batchId: string): Promise<{ dead: SubmissionRow; otherBlock: bigint }> {
  const tc = world.h.clients.testClient
  const pc = world.h.clients.publicClient
  await tc.setAutomine(false)
  await executeBatch(ctx, { rails, signer }, batchId, MAKER)
  const sub = (await submissionsOf(ctx, batchId))[0]!
  expect(sub.state).toBe('broadcast')
  await tc.dropTransaction({ hash: sub.tx_hash as `0x${string}` })
  const other = await world.h.clients.walletFor(world.h.treasury).sendTransaction({
    to: world.h.deployer.address,
    value: 1n,
    nonce: Number(sub.nonce),
  })
  await tc.mine({ blocks: CONFIRMATIONS_MIN })
  const otherBlock = (await pc.getTransactionReceipt({ hash: other })).blockNumber
  await sweepRail(ctx, rails.all()[0]!)
  const dead = (await submissionsOf(ctx, batchId))[0]!
  expect(dead).toMatchObject({ state: 'dead', failure_code: 'NONCE_CONFLICT', block_number: String(await pc.getBlockNumber()) })
  expect(await batchState(ctx, batchId)).toBe('failed')
  // Still dead while nothing changes: watched, never re-sent.
  await sweepRail(ctx, rails.all()[0]!)
  expect((await submissionsOf(ctx, batchId))[0]!.state).toBe('dead')
  return { dead, otherBlock }
}

/** A reorg from block B on (the other transaction gone), attempt 1's own bytes sent again and mined. */
async function landAfterAll(dead: SubmissionRow, otherBlock: bigint): Promise<void> {
  const pc = world.h.clients.publicClient
  const head = await pc.getBlockNumber()
  await reorg(world.anvil, Number(head - otherBlock + 1n))
  expect(await pc.getTransactionCount({ address: world.treasury })).toBe(Number(dead.nonce))
  await pc.request({ method: 'eth_sendRawTransaction', params: [dead.signed_payload as `0x${string}`] })
  await world.h.clients.testClient.mine({ blocks: CONFIRMATIONS_MIN })
  expect((await pc.getTransactionReceipt({ hash: dead.tx_hash as `0x${string}` })).status).toBe('success')
}

async function expectPaidOnceAndBooked(ctx: CoreContext, batchId: string, payouts: readonly TestPayout[], landed: SubmissionRow) {
  for (const p of payouts) {
    expect(await recipientBalance(world, p)).toBe(p.amount)
    expect(await ctx.db.first(ctx.db.k.selectFrom('payouts').selectAll().where('id', '=', p.id))).toMatchObject({
      state: 'confirmed',
      submission_id: landed.id,
      attempt: landed.attempt,
      entry_id: `payout:${p.id}`,
      failure_code: null,
    })
    const entries = await ctx.db.all(ctx.db.k.selectFrom('entries').select('id').where('id', 'like', `payout:${p.id}%`))
    expect(entries.map((e) => e.id)).toEqual([`payout:${p.id}`])
  }
  expect(await paidEvents(world, evmBatchRef(world.anvil.chainId, batchId, 0))).toHaveLength(payouts.length)
}

async function expectLedgerEqualsChain(ctx: CoreContext, opening: { eth: bigint; token: bigint }, payouts: readonly TestPayout[]) {
  const now = await chainBalances(world)
  expect(await ledgerBalance(ctx, `treasury:${world.tokenAssetId}`)).toBe(now.token)
  expect(await ledgerBalance(ctx, `treasury:${world.ethAssetId}`)).toBe(now.eth)
  expect(opening.token - now.token).toBe(sumOf(payouts, world.tokenAssetId))
  // The other transaction left the chain with the reorg: every wei spent is ours and booked.
  expect(opening.eth - now.eth).toBe(await feesBooked(ctx, world))
}

describe('a transaction declared dead that lands later', () => {
  it('is confirmed after the reorg: payouts paid, booked once, batch failed → completed, ledger equals chain', async () => {
    const { ctx, opening } = await setupWorkspace(world, tempDir('late'))
    const rails = railsFor(world.chain())
    const payouts = payoutsFor('late')
    await insertApprovedBatchForTest(ctx, 'b-late', payouts)
    try {
      const { dead, otherBlock } = await declareDead(ctx, rails, 'b-late')
      for (const p of payouts) expect(await recipientBalance(world, p)).toBe(0n)
      await landAfterAll(dead, otherBlock)
      await pollUntilQuiet(ctx, world, rails)
    } finally {
      await world.h.clients.testClient.setAutomine(true)
    }
    const [landed] = await submissionsOf(ctx, 'b-late')
    expect(landed).toMatchObject({ state: 'confirmed', failure_code: null, failure_message: null })
    const receipt = await world.h.clients.publicClient.getTransactionReceipt({ hash: landed!.tx_hash as `0x${string}` })
    expect(landed!.block_hash).toBe(receipt.blockHash)
    expect(await batchState(ctx, 'b-late')).toBe('completed')
    await expectPaidOnceAndBooked(ctx, 'b-late', payouts, landed!)
    const audit = await ctx.db.first(
      ctx.db.k
        .selectFrom('audit_log')
        .select('change')
        .where('subject', '=', `submission:${landed!.id}`)
        .where('action', '=', 'payouts.submission.confirmed'),
    )
    expect(JSON.parse(audit!.change)).toMatchObject({ from: 'dead', to: 'confirmed', landedAfterDead: true, takenBack: [] })
    const settled = await ctx.db.all(ctx.db.k.selectFrom('audit_log').select('change').where('subject', '=', 'batch:b-late').orderBy('seq'))
    expect(JSON.parse(settled.at(-1)!.change)).toMatchObject({ from: 'failed', to: 'completed' })
    // Watched again as a confirmed one: later sweeps change nothing, and book nothing twice.
    await sweepRail(ctx, rails.all()[0]!)
    await expectPaidOnceAndBooked(ctx, 'b-late', payouts, landed!)
    await expectLedgerEqualsChain(ctx, opening, payouts)
    await ctx.db.close()
  }, 120_000)

  it('a retry in flight reverts with BatchRefUsed: its fee booked as failed, the payouts confirmed by attempt 1, once', async () => {
    const { ctx, opening } = await setupWorkspace(world, tempDir('late-retry'))
    const rails = railsFor(world.chain())
    const payouts = payoutsFor('lateretry')
    await insertApprovedBatchForTest(ctx, 'b-late-retry', payouts)
    try {
      const { dead, otherBlock } = await declareDead(ctx, rails, 'b-late-retry')
      // The failed payouts go out again as attempt 2, which waits in the pool (automine is off).
      const retry = await retryFailed(ctx, { rails, signer }, 'b-late-retry', MAKER)
      expect(retry).toMatchObject({ payouts: 2, broadcast: 1 })
      const attempt2 = (await submissionsOf(ctx, 'b-late-retry'))[1]!
      expect(BigInt(attempt2.nonce!)).toBe(BigInt(dead.nonce!) + 1n)
      for (const p of payouts) {
        expect(await ctx.db.first(ctx.db.k.selectFrom('payouts').select(['state', 'submission_id']).where('id', '=', p.id))).toEqual({
          state: 'broadcast',
          submission_id: attempt2.id,
        })
      }
      await landAfterAll(dead, otherBlock)
      await pollUntilQuiet(ctx, world, rails)
    } finally {
      await world.h.clients.testClient.setAutomine(true)
    }
    const [landed, attempt2] = await submissionsOf(ctx, 'b-late-retry')
    expect(landed!.state).toBe('confirmed')
    expect(attempt2).toMatchObject({ state: 'failed', failure_code: 'REVERTED' })
    const reverted = await world.h.clients.publicClient.getTransactionReceipt({ hash: attempt2!.tx_hash as `0x${string}` })
    expect(reverted.status).toBe('reverted')
    // Its fee, and only its fee, is booked.
    const fee = await ctx.db.first(ctx.db.k.selectFrom('entries').select(['id', 'kind']).where('id', '=', `fee:${attempt2!.id}`))
    expect(fee).toEqual({ id: `fee:${attempt2!.id}`, kind: 'payout.fee' })
    expect(BigInt(attempt2!.fee_paid!)).toBe(reverted.gasUsed * reverted.effectiveGasPrice)
    expect(await batchState(ctx, 'b-late-retry')).toBe('completed')
    await expectPaidOnceAndBooked(ctx, 'b-late-retry', payouts, landed!)
    const audit = await ctx.db.first(
      ctx.db.k
        .selectFrom('audit_log')
        .select('change')
        .where('subject', '=', `submission:${landed!.id}`)
        .where('action', '=', 'payouts.submission.confirmed'),
    )
    expect(JSON.parse(audit!.change)).toMatchObject({
      landedAfterDead: true,
      takenBack: payouts.map((p) => ({ payoutId: p.id, from: attempt2!.id })),
    })
    await expectLedgerEqualsChain(ctx, opening, payouts)
    await ctx.db.close()
  }, 120_000)
})
