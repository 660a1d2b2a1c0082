/**
 * Disk full during execution on EVM (issue 18), on a real Anvil with the device emulator:
 *
 * (b) the disk fills after the device signed and before the signed bytes are committed: nothing
 *     is broadcast (the treasury's nonce on the node does not move, no Paid event), the run stops
 *     with DISK_FULL, nothing is half-stored and the books verify; when space is back a resume
 *     signs the same planned chunk again and pays every payout exactly once (read on the chain).
 * (c) the poller's confirm-and-book write fails for want of space: no partial booking (nothing
 *     confirmed, no entry), the poller reports the task failed and retries at its next tick — no
 *     new block needed — and then books every payout once; ledger balances equal the chain's.
 *
 * The full disk is SQLite's own page limit (test/support/diskFull.ts). A chunk of 60 payouts
 * makes the signed bytes (and the booking) larger than any slack left in a page, so the write
 * that fails is exactly the one named.
 */
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAudit } from '../../src/main/core/audit/verifyAudit'
import type { CoreContext } from '../../src/main/core/context'
import { executeBatch, resumeOpen } from '../../src/main/core/payouts/execute'
import { createPoller } from '../../src/main/core/poller/createPoller'
import { createEvmConfirmTask, EVM_CONFIRM_TASK } from '../../src/main/core/poller/tasks/evmConfirm'
import { evmBatchRef } from '../../src/main/core/rails/evm'
import type { RailRegistry } from '../../src/main/core/rails/Rail'
import type { Signer } from '../../src/main/core/signing/Signer'
import { sqlFirst } from '../dbSql'
import {
  chainBalances,
  emulatorSigner,
  feesBooked,
  insertApprovedBatchForTest,
  ledgerBalance,
  MAKER,
  paidEvents,
  railsFor,
  recipientBalance,
  sealPayoutsForTest,
  setupWorkspace,
  startWorld,
  sumOf,
  tempDir,
  type TestPayout,
  type World,
} from '../execute/executeKit'
import { recipientAddresses } from '../harness/evm/recipients'
import { executionStates, fillDisk, freeDisk, ON_POSTGRES } from '../support/diskFull'

const PAYOUTS = 60

/** The device signs as usual; the disk fills the moment the signature is back. */
function signerThatFillsTheDisk(inner: Signer, ctx: CoreContext): Signer & { filled: number } {
  const state = { filled: 0 }
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'filled') return state.filled
      if (prop === 'signEvmTransactions') {
        return async (...args: Parameters<Signer['signEvmTransactions']>) => {
          const signatures = await target.signEvmTransactions(...args)
          await fillDisk(ctx.db)
          state.filled++
          return signatures
        }
      }
      const value = Reflect.get(target, prop, receiver) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as Signer & { filled: number }
}

async function nonceOnNode(world: World, address: Address): Promise<number> {
  return await world.h.clients.publicClient.getTransactionCount({ address, blockTag: 'pending' })
}

describe.skipIf(ON_POSTGRES)('disk full during EVM execution', () => {
  let world: World
  const signer = emulatorSigner()

  beforeAll(async () => {
    world = await startWorld()
  }, 60_000)
  afterAll(async () => {
    await signer.close()
    await world?.stop()
  })

  it('(b) after signing, before the signed bytes are stored: nothing sent, DISK_FULL; (c) the confirm write fails: no partial booking, retried; every payout paid and booked once', async () => {
    const dir = tempDir('disk-full')
    const { ctx, opening } = await setupWorkspace(world, dir)
    const batchId = 'b-disk-full'
    const payouts: TestPayout[] = recipientAddresses('disk-full', PAYOUTS).map((recipient, i) => ({
      id: `df-${i}`,
      assetId: world.ethAssetId,
      recipient,
      amount: 10n ** 12n + BigInt(i),
    }))
    await insertApprovedBatchForTest(ctx, batchId, payouts)
    await sealPayoutsForTest(ctx, batchId)
    expect(await verifyAudit(ctx)).toMatchObject({ ok: true })
    const chain = world.chain({ payoutsPerChunkMax: PAYOUTS })
    const rails: RailRegistry = railsFor(chain)
    const nonceBefore = await nonceOnNode(world, world.treasury)

    // (b) The device signs; the disk is full before the signed bytes are committed.
    const filling = signerThatFillsTheDisk(signer, ctx)
    const error = await executeBatch(ctx, { rails, signer: filling }, batchId, MAKER).catch((e: unknown) => e)
    expect(filling.filled).toBe(1)
    expect(error).toMatchObject({ code: 'DISK_FULL', details: { reason: 'full' } })
    expect((error as Error).message).toMatch(/free disk space/)
    // Nothing broadcast: the node never saw a transaction from the treasury, no Paid event exists.
    expect(await nonceOnNode(world, world.treasury)).toBe(nonceBefore)
    expect(await paidEvents(world, evmBatchRef(world.anvil.chainId, batchId, 0))).toEqual([])
    // Nothing half-stored: the chunk is still only planned (its signature was never committed).
    expect(await executionStates(ctx.db, batchId)).toEqual({ submissions: ['planned'], payouts: ['planned'], entries: 0 })
    const signedRow = await sqlFirst<{ signed_payload: string | null; tx_hash: string | null }>(
      ctx.db,
      'SELECT signed_payload, tx_hash FROM submissions WHERE batch_id = ?',
      batchId,
    )
    expect(signedRow).toEqual({ signed_payload: null, tx_hash: null })
    expect(await verifyAudit(ctx)).toMatchObject({ ok: true })

    // Space is back: the resume signs the stored planned chunk (same nonce) and sends it.
    await freeDisk(ctx.db)
    await resumeOpen(ctx, { rails, signer })
    expect(await executionStates(ctx.db, batchId)).toMatchObject({ submissions: ['broadcast'], entries: 0 })
    expect(await nonceOnNode(world, world.treasury)).toBe(nonceBefore + 1)

    // (c) Enough blocks to confirm; then the poller's confirm-and-book finds the disk full.
    await world.h.clients.testClient.mine({ blocks: chain.confirmationsMin + 1 })
    await fillDisk(ctx.db)
    const poller = createPoller(ctx, [createEvmConfirmTask(rails)])
    expect(await poller.runOnce()).toEqual({ failed: [EVM_CONFIRM_TASK] })
    expect(await executionStates(ctx.db, batchId)).toEqual({ submissions: ['broadcast'], payouts: ['broadcast'], entries: 0 })
    expect(await verifyAudit(ctx)).toMatchObject({ ok: true })

    // Space is back: the next tick (no new block) confirms and books, once.
    await freeDisk(ctx.db)
    expect(await poller.runOnce()).toEqual({ failed: [] })
    expect(await executionStates(ctx.db, batchId)).toEqual({ submissions: ['confirmed'], payouts: ['confirmed'], entries: PAYOUTS })
    expect(await poller.runOnce()).toEqual({ failed: [] })
    expect((await executionStates(ctx.db, batchId)).entries).toBe(PAYOUTS)

    // On the chain: every payout paid exactly once, one transaction for the chunk.
    const events = await paidEvents(world, evmBatchRef(world.anvil.chainId, batchId, 0))
    expect(events.map((e) => e.index)).toEqual(payouts.map((_, i) => BigInt(i)))
    for (const p of payouts) expect(await recipientBalance(world, p)).toBe(p.amount)
    expect(await nonceOnNode(world, world.treasury)).toBe(nonceBefore + 1)
    const now = await chainBalances(world)
    expect(await ledgerBalance(ctx, `treasury:${world.ethAssetId}`)).toBe(now.eth)
    expect(opening.eth - now.eth).toBe(sumOf(payouts, world.ethAssetId) + (await feesBooked(ctx, world)))
    expect((await sqlFirst<{ state: string }>(ctx.db, 'SELECT state FROM batches WHERE id = ?', batchId))!.state).toBe('completed')
    expect(await verifyAudit(ctx)).toMatchObject({ ok: true })
    await ctx.db.close()
  }, 120_000)
})
