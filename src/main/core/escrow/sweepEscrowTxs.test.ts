/**
 * The escrow sweep's isolation, with no node: a rail that cannot be reached, or one transaction
 * whose verdict cannot be worked out, holds back no other escrow — the others are settled and the
 * first failure is thrown at the end (as the payout sweep does, sweepRail.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CoreContext } from '../context'
import { insertTestEscrowTx, openExecuteTestDb } from '../payouts/execute/executeTestDb'
import { createSweepGate } from '../payouts/execute/sweepGate'
import type { EscrowRail, EscrowRailRegistry, EscrowRailTx, EscrowVerdict } from '../rails/EscrowRail'
import { sweepEscrowTxs } from './sweepEscrowTxs'

let ctx: CoreContext
beforeEach(async () => {
  ctx = await openExecuteTestDb()
})
afterEach(async () => {
  await ctx.db.close()
})

/** Only what the sweep calls: lookup and classify (a broadcast transaction the rail calls dead). */
function fakeRail(network: string, behave: { lookup?: () => never; classify?: (tx: EscrowRailTx) => EscrowVerdict }): EscrowRail {
  return {
    rail: 'evm',
    network,
    lookup: async (txs: readonly EscrowRailTx[]) => {
      if (behave.lookup) behave.lookup()
      return new Map(txs.map((t) => [t.id, {}]))
    },
    classify:
      behave.classify ?? ((): EscrowVerdict => ({ kind: 'dead', code: 'NONCE_USED', reason: 'its nonce was used by another transaction' })),
  } as unknown as EscrowRail
}

function registry(...rails: EscrowRail[]): EscrowRailRegistry {
  return { get: (rail, network) => rails.find((r) => r.rail === rail && r.network === network) }
}

async function stateOf(id: string): Promise<string> {
  return (await ctx.db.first(ctx.db.k.selectFrom('escrow_txs').select('state').where('id', '=', id)))!.state
}

describe('sweepEscrowTxs', () => {
  it('a rail that cannot be reached holds back no other rail; its error is thrown at the end', async () => {
    const down = await insertTestEscrowTx(ctx, { network: '1', nonce: '1' })
    const up = await insertTestEscrowTx(ctx, { network: '2', nonce: '1' })
    const rails = registry(
      fakeRail('1', {
        lookup: () => {
          throw new Error('node unreachable')
        },
      }),
      fakeRail('2', {}),
    )
    await expect(sweepEscrowTxs(ctx, rails)).rejects.toThrow('node unreachable')
    expect(await stateOf(down)).toBe('broadcast')
    expect(await stateOf(up)).toBe('dead')
  })

  it('one verdict that cannot be worked out holds back no other transaction of the same rail', async () => {
    const bad = await insertTestEscrowTx(ctx, { nonce: '1' })
    const good = await insertTestEscrowTx(ctx, { nonce: '2' })
    const rails = registry(
      fakeRail('1', {
        classify: (tx) => {
          if (tx.id === bad) throw new Error('an answer the rail cannot read')
          return { kind: 'dead', code: 'NONCE_USED', reason: 'its nonce was used by another transaction' }
        },
      }),
    )
    await expect(sweepEscrowTxs(ctx, rails)).rejects.toThrow('an answer the rail cannot read')
    expect(await stateOf(bad)).toBe('broadcast')
    expect(await stateOf(good)).toBe('dead')
    // The next sweep, with the rail readable again, settles the one left.
    await expect(sweepEscrowTxs(ctx, registry(fakeRail('1', {})))).resolves.toMatchObject({ settled: 1 })
    expect(await stateOf(bad)).toBe('dead')
  })

  it("the reorg watch looks confirmed transactions up once per new head (the poller's gate), and always without one", async () => {
    await insertTestEscrowTx(ctx, { nonce: '1', state: 'confirmed' })
    let head = '0xaa'
    let lookups = 0
    const rail = {
      rail: 'evm',
      network: '1',
      lookup: async (txs: readonly EscrowRailTx[]) => {
        lookups++
        return new Map(txs.map((t) => [t.id, {}]))
      },
      // Still in its block: nothing to send again.
      classify: (): EscrowVerdict => ({ kind: 'pending', rebroadcast: false }),
      reorgWatch: { txsMax: 10, head: async () => head, isWatched: () => true, resend: () => false },
    } as unknown as EscrowRail
    let nowMs = 0
    const gate = createSweepGate({ nowMs: () => nowMs, lookupAgeMaxMs: 30_000 })
    await sweepEscrowTxs(ctx, registry(rail), gate)
    await sweepEscrowTxs(ctx, registry(rail), gate)
    expect(lookups).toBe(1)
    head = '0xbb' // a new block, or the same height after a reorg: another hash
    await sweepEscrowTxs(ctx, registry(rail), gate)
    expect(lookups).toBe(2)
    nowMs = 30_000 // no block for a while: looked at again anyway
    await sweepEscrowTxs(ctx, registry(rail), gate)
    expect(lookups).toBe(3)
    await insertTestEscrowTx(ctx, { nonce: '2', state: 'confirmed' }) // one more under watch
    await sweepEscrowTxs(ctx, registry(rail), gate)
    expect(lookups).toBe(4)
    await sweepEscrowTxs(ctx, registry(rail)) // the CLI's one-off sweep
    expect(lookups).toBe(5)
  })
})
