/**
 * The execution engine against a real Anvil, signing through the real Ledger signer over the
 * device emulator: a full batch, the fee cap, a replaced nonce and a reorg. Every test ends with
 * the chain and the ledger compared, payout by payout and in total.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../src/main/core/context'
import { executeBatch, retryFailed } from '../../src/main/core/payouts/execute'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { evmBatchRef } from '../../src/main/core/rails/evm'
import { recipientAddresses } from '../harness/evm/recipients'
import { reorg } from '../harness/evm/control'
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
import { sqlFirst, sqlRun } from '../dbSql'

let world: World
const signer = emulatorSigner()

beforeAll(async () => {
  world = await startWorld()
}, 60_000)
afterAll(async () => {
  await signer.close()
  await world?.stop()
})

function payoutsFor(seed: string, native: number, token: number): TestPayout[] {
  const recipients = recipientAddresses(seed, native + token)
  return recipients.map((recipient, i) =>
    i < native
      ? { id: `${seed}-n${i}`, assetId: world.ethAssetId, recipient, amount: 10n ** 15n + BigInt(i) }
      : { id: `${seed}-t${i}`, assetId: world.tokenAssetId, recipient, amount: 1_000_000n + BigInt(i) },
  )
}

async function state(ctx: CoreContext, table: 'batches' | 'payouts' | 'submissions', id: string): Promise<string> {
  return (await ctx.db.first(ctx.db.k.selectFrom(table).select('state').where('id', '=', id)))!.state
}

/** The ledger moved exactly as the chain did since the workspace opened. */
async function expectLedgerEqualsChain(ctx: CoreContext, opening: { eth: bigint; token: bigint }) {
  const now = await chainBalances(world)
  expect(await ledgerBalance(ctx, `treasury:${world.tokenAssetId}`)).toBe(now.token)
  expect(await ledgerBalance(ctx, `treasury:${world.ethAssetId}`)).toBe(now.eth)
  return { ethSpent: opening.eth - now.eth, tokenSpent: opening.token - now.token }
}

describe('executeBatch on a real node', () => {
  it('refuses to pay from a treasury never verified on the device: nothing planned, nothing signed', async () => {
    const { ctx } = await setupWorkspace(world, tempDir('unverified'))
    await sqlRun(ctx.db, 'DELETE FROM signer_addresses')
    const rails = railsFor(world.chain())
    await insertApprovedBatchForTest(ctx, 'b-unverified', payoutsFor('unverified', 1, 0))
    await expect(executeBatch(ctx, { rails, signer }, 'b-unverified', MAKER)).rejects.toMatchObject({
      code: 'SIGNER_ADDRESS_NOT_VERIFIED',
      message: expect.stringContaining('in Settings → Signers before paying from it'),
    })
    expect(await state(ctx, 'batches', 'b-unverified')).toBe('approved')
    expect(await ctx.db.all(ctx.db.k.selectFrom('submissions').select('id'))).toEqual([])
    await ctx.db.close()
  })

  it('pays 3 native + 250 token payouts once, and the ledger equals the chain', async () => {
    const { ctx, opening } = await setupWorkspace(world, tempDir('full'))
    const rails = railsFor(world.chain())
    const payouts = payoutsFor('full', 3, 250)
    await insertApprovedBatchForTest(ctx, 'b-full', payouts)
    const progress: string[] = []
    const result = await executeBatch(ctx, { rails, signer }, 'b-full', MAKER, { onProgress: (p) => progress.push(p.message) })
    expect(result.chunks).toBe(2)
    expect(result.broadcast).toBe(2)
    expect(progress).toContainEqual(
      expect.stringMatching(/^Confirm transaction 1 of 2 on your Ledger — \d payouts?, [\d,.]+ (ETH|TUSD)\.$/),
    )
    await pollUntilQuiet(ctx, world, rails)

    expect(await state(ctx, 'batches', 'b-full')).toBe('completed')
    // The on-chain sender of every transaction is the address the device derived (and shows) at the treasury path.
    const onDevice = await signer.getAccount('evm', world.chain().source.path)
    for (const sub of await ctx.db.all(ctx.db.k.selectFrom('submissions').select('tx_hash').where('batch_id', '=', 'b-full'))) {
      const receipt = await world.h.clients.publicClient.getTransactionReceipt({ hash: sub.tx_hash as `0x${string}` })
      expect(receipt.from.toLowerCase()).toBe(onDevice.address.toLowerCase())
    }
    for (const p of payouts) {
      expect(await recipientBalance(world, p)).toBe(p.amount)
      expect(await state(ctx, 'payouts', p.id)).toBe('confirmed')
    }
    const spent = await expectLedgerEqualsChain(ctx, opening)
    const fees = await feesBooked(ctx, world)
    expect(fees).toBeGreaterThan(0n)
    expect(spent.tokenSpent).toBe(sumOf(payouts, world.tokenAssetId))
    expect(spent.ethSpent).toBe(sumOf(payouts, world.ethAssetId) + fees)
    const payoutEntries = (await sqlFirst<{ n: number }>(ctx.db, `SELECT COUNT(*) AS n FROM entries WHERE kind = 'payout'`))!
    expect(payoutEntries.n).toBe(253)
    // Each booking points at its Paid event.
    const meta = JSON.parse(
      (await ctx.db.first(ctx.db.k.selectFrom('entries').select('metadata').where('id', '=', 'payout:full-t3')))!.metadata,
    ) as Record<string, string>
    expect(meta.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(Number(meta.logIndex)).toBeGreaterThanOrEqual(0)
    await ctx.db.close()
  }, 90_000)

  it('refuses to plan or sign above the max-fee cap, leaving the batch approved', async () => {
    const { ctx } = await setupWorkspace(world, tempDir('cap'))
    const rails = railsFor(world.chain({ maxFeePerGasCap: 1n }))
    await insertApprovedBatchForTest(ctx, 'b-cap', payoutsFor('cap', 1, 1))
    await expect(executeBatch(ctx, { rails, signer }, 'b-cap', MAKER)).rejects.toMatchObject({
      code: 'FEE_CAP_EXCEEDED',
      message: expect.stringMatching(/above your cap .* nothing was signed/),
    })
    expect(await state(ctx, 'batches', 'b-cap')).toBe('approved')
    expect(await sqlFirst(ctx.db, 'SELECT COUNT(*) AS n FROM submissions')).toEqual({ n: 0 })
    // No nonce is held: the submissions are the reservation record (reserveNonce.ts).
    expect(await sqlFirst(ctx.db, 'SELECT COUNT(*) AS n FROM submissions WHERE nonce IS NOT NULL')).toEqual({ n: 0 })
    await ctx.db.close()
  })

  it('a nonce consumed by another transaction: submission dead, payouts retried, paid once', async () => {
    const { ctx, opening } = await setupWorkspace(world, tempDir('replace'))
    const rails = railsFor(world.chain())
    const payouts = payoutsFor('replace', 0, 2)
    await insertApprovedBatchForTest(ctx, 'b-replace', payouts)
    const tc = world.h.clients.testClient
    await tc.setAutomine(false)
    try {
      await executeBatch(ctx, { rails, signer }, 'b-replace', MAKER)
      const sub = (await ctx.db.first(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', 'b-replace')))!
      expect(sub.state).toBe('broadcast')
      // Another wallet on the same key takes the nonce: our tx leaves the pool, theirs is mined.
      await tc.dropTransaction({ hash: sub.tx_hash as `0x${string}` })
      const other = await world.h.clients.walletFor(world.h.treasury).sendTransaction({
        to: world.h.deployer.address,
        value: 1n,
        nonce: Number(sub.nonce),
      })
      await tc.mine({ blocks: 1 })
      expect((await world.h.clients.publicClient.getTransactionReceipt({ hash: other })).status).toBe('success')
    } finally {
      await tc.setAutomine(true)
    }
    await pollUntilQuiet(ctx, world, rails)
    expect(
      await ctx.db.first(ctx.db.k.selectFrom('submissions').select(['state', 'failure_code']).where('batch_id', '=', 'b-replace')),
    ).toEqual({
      state: 'dead',
      failure_code: 'NONCE_CONFLICT',
    })
    expect(await state(ctx, 'batches', 'b-replace')).toBe('failed')
    for (const p of payouts) expect(await recipientBalance(world, p)).toBe(0n)

    const retry = await retryFailed(ctx, { rails, signer }, 'b-replace', MAKER)
    expect(retry.payouts).toBe(2)
    await pollUntilQuiet(ctx, world, rails)
    expect(await state(ctx, 'batches', 'b-replace')).toBe('completed')
    for (const p of payouts) expect(await recipientBalance(world, p)).toBe(p.amount)
    const events = await paidEvents(world, evmBatchRef(world.anvil.chainId, 'b-replace', 0))
    expect(events).toHaveLength(2)
    // The replacement's 1 wei and its gas are not ours to book: compare ledger to chain net of them.
    const now = await chainBalances(world)
    expect(opening.token - now.token).toBe(sumOf(payouts, world.tokenAssetId))
    expect(await ledgerBalance(ctx, `treasury:${world.tokenAssetId}`)).toBe(now.token)
    await ctx.db.close()
  })

  it('a reorg takes a confirmed chunk out: reversed, re-sent with the same bytes, booked once net', async () => {
    const { ctx, opening } = await setupWorkspace(world, tempDir('reorg'))
    const rails = railsFor(world.chain())
    const payouts = payoutsFor('reorg', 1, 2)
    await insertApprovedBatchForTest(ctx, 'b-reorg', payouts)
    await executeBatch(ctx, { rails, signer }, 'b-reorg', MAKER)
    await pollUntilQuiet(ctx, world, rails)
    expect(await state(ctx, 'batches', 'b-reorg')).toBe('completed')
    const before = await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', 'b-reorg').orderBy('chunk_index'))
    const head = await world.h.clients.publicClient.getBlockNumber()
    const lowest = before.reduce((m, s) => (BigInt(s.block_number!) < m ? BigInt(s.block_number!) : m), head)
    await reorg(world.anvil, Number(head - lowest + 1n))
    for (const p of payouts) expect(await recipientBalance(world, p)).toBe(0n)

    const [rail] = rails.all()
    await sweepRail(ctx, rail!)
    for (const s of before) expect(await state(ctx, 'submissions', s.id)).toBe('broadcast')
    for (const p of payouts) expect(await state(ctx, 'payouts', p.id)).toBe('broadcast')
    expect(await ledgerBalance(ctx, `treasury:${world.tokenAssetId}`)).toBe(opening.token)
    expect(await ledgerBalance(ctx, `treasury:${world.ethAssetId}`)).toBe(opening.eth)

    await pollUntilQuiet(ctx, world, rails)
    const after = await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', 'b-reorg').orderBy('chunk_index'))
    after.forEach((s, i) => {
      expect(s.state).toBe('confirmed')
      expect(s.tx_hash).toBe(before[i]!.tx_hash) // the same signed bytes, never re-signed
      expect(s.block_hash).not.toBe(before[i]!.block_hash)
    })
    for (const p of payouts) {
      expect(await recipientBalance(world, p)).toBe(p.amount)
      expect((await ctx.db.first(ctx.db.k.selectFrom('payouts').select('entry_id').where('id', '=', p.id)))!.entry_id).toBe(
        `payout:${p.id}:1`,
      )
    }
    const ids = (
      await ctx.db.all(ctx.db.k.selectFrom('entries').select('id').where('id', 'like', `payout:${payouts[0]!.id}%`).orderBy('seq'))
    ).map((r) => r.id)
    expect(ids).toEqual([`payout:${payouts[0]!.id}`, `payout:${payouts[0]!.id}:reorg:1`, `payout:${payouts[0]!.id}:1`])
    const spent = await expectLedgerEqualsChain(ctx, opening)
    expect(spent.tokenSpent).toBe(sumOf(payouts, world.tokenAssetId))
    expect(spent.ethSpent).toBe(sumOf(payouts, world.ethAssetId) + (await feesBooked(ctx, world)))
    await ctx.db.close()
  })
})
