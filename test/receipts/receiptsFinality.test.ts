/**
 * A receipt attests a FINAL payment (chaos seeds 51.12, 51.17, 51.28), on a real Anvil through the
 * real engine and the device emulator: an EVM payout confirmed at confirmationsMin (2) is due a
 * receipt but waits, with why, until its block is past the engine's reorg window (64 blocks, the
 * rule the engine watches by); a reorg of depth ≥ 2 meanwhile moves the payment to another block,
 * and the receipt, issued only once THAT block is past the window — not one block earlier — names
 * the new block and verifies online. A chain whose head cannot be read holds the receipt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../src/main/core/context'
import { executeBatch } from '../../src/main/core/payouts/execute'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { listDueReceipts } from '../../src/main/core/receipts/findDueReceipts'
import { issueReceipts } from '../../src/main/core/receipts/issueReceipts'
import { loadReceiptFile } from '../../src/main/core/receipts/receiptFiles'
import { verifyReceiptFile } from '../../src/main/core/receipts/verifyReceiptFile'
import { createMemorySecretStore } from '../../src/main/core/secrets/SecretStore'
import type { RailRegistry } from '../../src/main/core/rails/Rail'
import { mine, reorg } from '../harness/evm/control'
import { recipientAddresses } from '../harness/evm/recipients'
import {
  emulatorSigner,
  insertApprovedBatchForTest,
  MAKER,
  pollUntilQuiet,
  railsFor,
  setupWorkspace,
  startWorld,
  tempDir,
  type World,
} from '../execute/executeKit'

let world: World
const signer = emulatorSigner()

beforeAll(async () => {
  world = await startWorld()
}, 60_000)
afterAll(async () => {
  await signer.close()
  await world?.stop()
})

async function submissionOf(ctx: CoreContext, batchId: string) {
  return (await ctx.db.first(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId)))!
}

describe('an EVM payout receipt', () => {
  it('waits for the reorg window, then names the block a reorg moved the payment to, and verifies online', async () => {
    const { ctx } = await setupWorkspace(world, tempDir('receipt-final'))
    const rails = railsFor(world.chain())
    const secrets = createMemorySecretStore()
    const issue = (registry: RailRegistry = rails) => issueReceipts(ctx, { secrets, actor: MAKER, rails: async () => registry })
    const [recipient] = recipientAddresses('receipt-final', 1)
    await insertApprovedBatchForTest(ctx, 'b-final', [
      { id: 'rf-t0', assetId: world.tokenAssetId, recipient: recipient!, amount: 1_250_000n },
    ])
    await executeBatch(ctx, { rails, signer }, 'b-final', MAKER)
    await pollUntilQuiet(ctx, world, rails)
    const first = await submissionOf(ctx, 'b-final')
    expect(first.state).toBe('confirmed')
    const head = await world.h.clients.publicClient.getBlockNumber()
    expect(head - BigInt(first.block_number!) + 1n).toBe(2n) // confirmed at confirmationsMin

    // Confirmed, not final: no receipt; due, waiting for finality, with a sentence a person reads.
    const held = await issue()
    expect(held).toMatchObject({ issued: 0, waiting: 1 })
    const wait = {
      kind: 'finality',
      network: String(world.anvil.chainId),
      block: first.block_number,
      blocksLeft: 64,
      windowBlocks: 64,
    }
    expect(held.waitingFor).toEqual([expect.objectContaining({ subjectKey: 'payout:rf-t0', waitingFor: wait })])
    const due = await listDueReceipts(ctx, async () => rails)
    expect(due).toMatchObject({ due: 1, waiting: 1 })
    expect(due.items[0]!.reason).toBe(
      `Waiting for finality: block ${first.block_number} on Local Anvil is still inside the 64-block reorg window; the receipt is issued after 64 more blocks.`,
    )

    // A reorg of depth 2 takes the block away; the engine sends the same bytes, which land in another block.
    await reorg(world.anvil, 2)
    // Before the engine has seen it: the books still say confirmed in the old block, which is gone — it waits.
    expect((await issue()).waitingFor).toEqual([
      expect.objectContaining({
        waitingFor: { kind: 'reorged', network: String(world.anvil.chainId), block: first.block_number },
        reason: `Waiting for finality: block ${first.block_number} on Local Anvil left the chain in a reorg; the payment is being confirmed again, and its receipt will name the block it lands in.`,
      }),
    ])
    const [rail] = rails.all()
    await sweepRail(ctx, rail!)
    expect((await listDueReceipts(ctx, async () => rails)).due).toBe(0) // reversed: not confirmed, nothing due
    await pollUntilQuiet(ctx, world, rails)
    await mine(world.anvil, 1) // a block on top: confirmed again at confirmationsMin
    for (let i = 0; i < 3 && (await submissionOf(ctx, 'b-final')).state !== 'confirmed'; i++) await sweepRail(ctx, rail!)
    const moved = await submissionOf(ctx, 'b-final')
    expect(moved.state).toBe('confirmed')
    expect(moved.tx_hash).toBe(first.tx_hash)
    expect(moved.block_hash).not.toBe(first.block_hash)

    // Past the window by exactly one rule: one block short still waits, the next one issues.
    const now = await world.h.clients.publicClient.getBlockNumber()
    const left = BigInt(moved.block_number!) + 64n + 1n - now
    await mine(world.anvil, Number(left - 1n))
    expect((await issue()).waitingFor).toEqual([
      expect.objectContaining({ waitingFor: { ...wait, block: moved.block_number, blocksLeft: 1 } }),
    ])
    await mine(world.anvil, 1)

    // The head cannot be read: held, never issued early, and it says why.
    const offline = await issue(railsFor(world.chain({ rpcUrl: 'http://127.0.0.1:9' })))
    expect(offline).toMatchObject({ issued: 0, waiting: 1 })
    expect(offline.waitingFor[0]!.waitingFor).toMatchObject({ kind: 'chain-unreadable' })
    expect(offline.waitingFor[0]!.reason).toMatch(
      /^Waiting for finality: the head of Local Anvil could not be read \(.+\); the receipt is held/,
    )

    expect(await issue()).toMatchObject({ issued: 1, first: 1, waiting: 0 })
    const file = await loadReceiptFile(ctx, 1)
    expect(file.receipt.evidence).toMatchObject({ blockNumber: moved.block_number, blockHash: moved.block_hash, txHash: moved.tx_hash })
    expect(file.receipt.timeline.at(-1)!.detail).toBe(
      `block ${moved.block_number}; 66 confirmations when receipted, past the 64-block reorg window`,
    )
    const v = await verifyReceiptFile(ctx, JSON.stringify(file), {
      online: true,
      sources: {
        evmRpcUrl: (chainId) => (chainId === String(world.anvil.chainId) ? world.anvil.rpcUrl : null),
        horizonUrl: () => null,
        stripe: async () => null,
      },
    })
    expect(v.ok).toBe(true)
    expect(v.checks.find((c) => c.name === 'rail-evidence')).toMatchObject({ status: 'pass' })
    await ctx.db.close()
  })
})
