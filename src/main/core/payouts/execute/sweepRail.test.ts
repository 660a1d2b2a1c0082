/**
 * The sweep gate with a rail that counts its calls (no node): once per new head, unless
 * something changed on our side or the last lookup is too old; without a gate or a head probe,
 * every sweep looks up.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../context'
import type { Rail } from '../../rails/Rail'
import { insertTestSubmission, openExecuteTestDb } from './executeTestDb'
import { createSweepGate } from './sweepGate'
import { sweepRail } from './sweepRail'

let ctx: CoreContext
beforeEach(async () => {
  ctx = await openExecuteTestDb()
  await insertTestSubmission(ctx, { nonce: '1' })
})
afterEach(async () => {
  await ctx.db.close()
})

function countingRail(options: { withHead: boolean }) {
  const calls = { head: 0, lookup: 0 }
  let head = '0xaaa'
  const rail = {
    rail: 'evm',
    network: '1',
    ...(options.withHead
      ? {
          head: async () => {
            calls.head++
            return head
          },
        }
      : {}),
    lookup: async (subs: readonly { id: string }[]) => {
      calls.lookup++
      return new Map(subs.map((s) => [s.id, 'seen']))
    },
    classify: () => ({ kind: 'pending', rebroadcast: false, seenByNetwork: true }),
  } as unknown as Rail
  return { rail, calls, newBlock: (hash: string) => (head = hash) }
}

describe('sweepRail with a SweepGate', () => {
  it('looks up once per new block hash; the same head costs only the probe', async () => {
    const { rail, calls, newBlock } = countingRail({ withHead: true })
    const gate = createSweepGate()
    expect((await sweepRail(ctx, rail, gate)).skipped).toBeUndefined()
    expect(await sweepRail(ctx, rail, gate)).toEqual({ looked: 0, changed: 0, rebroadcast: 0, open: 1, skipped: true })
    expect(calls).toEqual({ head: 2, lookup: 1 })
    newBlock('0xbbb') // a new block — or a reorg at the same height: another hash
    await sweepRail(ctx, rail, gate)
    expect(calls).toEqual({ head: 3, lookup: 2 })
  })

  it('looks up again at the same head when a submission was signed or broadcast since', async () => {
    const { rail, calls } = countingRail({ withHead: true })
    const gate = createSweepGate()
    await sweepRail(ctx, rail, gate)
    await insertTestSubmission(ctx, { nonce: '2', state: 'signed' })
    await sweepRail(ctx, rail, gate)
    expect(calls.lookup).toBe(2)
    // That lookup saw it on the network and moved it to broadcast: its own change is looked at once more.
    await sweepRail(ctx, rail, gate)
    expect(calls.lookup).toBe(3)
    await sweepRail(ctx, rail, gate)
    expect(calls.lookup).toBe(3)
  })

  it('looks up again when the last full lookup is older than the bound, block or no block', async () => {
    const { rail, calls } = countingRail({ withHead: true })
    let ms = 0
    const gate = createSweepGate({ lookupAgeMaxMs: 30_000, nowMs: () => ms })
    await sweepRail(ctx, rail, gate)
    ms = 29_999
    await sweepRail(ctx, rail, gate)
    expect(calls.lookup).toBe(1)
    ms = 30_000
    await sweepRail(ctx, rail, gate)
    expect(calls.lookup).toBe(2)
  })

  it('without a gate, or on a rail without a head probe, every sweep looks up', async () => {
    const probing = countingRail({ withHead: true })
    await sweepRail(ctx, probing.rail)
    await sweepRail(ctx, probing.rail)
    expect(probing.calls).toEqual({ head: 0, lookup: 2 })
    const plain = countingRail({ withHead: false })
    const gate = createSweepGate()
    await sweepRail(ctx, plain.rail, gate)
    await sweepRail(ctx, plain.rail, gate)
    expect(plain.calls.lookup).toBe(2)
  })

  it('hands the rail its watched confirmed and SIGNED dead submissions, never a cancelled (unsigned) one', async () => {
    const confirmed = await insertTestSubmission(ctx, { state: 'confirmed', block_number: '10', block_hash: '0xb10' })
    const dead = await insertTestSubmission(ctx, { state: 'dead', block_number: '12', failure_code: 'NONCE_CONFLICT' })
    await insertTestSubmission(ctx, { state: 'dead', block_number: null }) // declared dead before heads were recorded
    await insertTestSubmission(ctx, { state: 'dead', tx_hash: null, signed_payload: null, failure_code: 'CANCELLED' })
    const outOfWindow = await insertTestSubmission(ctx, { state: 'dead', block_number: '1' })
    const seen: string[] = []
    const rail = {
      rail: 'evm',
      network: '1',
      reorgWatch: { submissionsMax: 10, isWatched: (x: { block_number: string | null }) => Number(x.block_number) >= 10 },
      lookup: async (subs: readonly { id: string }[]) => {
        seen.push(...subs.map((x) => x.id))
        return new Map()
      },
    } as unknown as Rail
    await sweepRail(ctx, rail)
    const open = (await ctx.db.first(ctx.db.k.selectFrom('submissions').select('id').where('state', '=', 'broadcast')))!.id
    expect(seen).toEqual([open, confirmed.id, dead.id])
    expect(seen).not.toContain(outOfWindow.id)
  })

  it('asks nothing at all when no submission is open or watched', async () => {
    await ctx.db.run(ctx.db.k.updateTable('submissions').set({ state: 'dead' }))
    const { rail, calls } = countingRail({ withHead: true })
    expect(await sweepRail(ctx, rail, createSweepGate())).toEqual({ looked: 0, changed: 0, rebroadcast: 0, open: 0 })
    expect(calls).toEqual({ head: 0, lookup: 0 })
  })

  it('one submission that cannot be judged does not hold back the others: they are re-sent, the failure is thrown, the next sweep looks again', async () => {
    const second = await insertTestSubmission(ctx, { nonce: '2' })
    const first = (await ctx.db.all(ctx.db.k.selectFrom('submissions').select('id').orderBy('chunk_index')))[0]!.id
    const resent: string[] = []
    let lookups = 0
    const rail = {
      rail: 'evm',
      network: '1',
      head: async () => '0xsame',
      lookup: async (subs: readonly { id: string }[]) => {
        lookups++
        return new Map(subs.map((s) => [s.id, 'lost']))
      },
      classify: (sub: { id: string }) => {
        if (sub.id === first) throw new Error('an answer the rail cannot read')
        return { kind: 'pending', rebroadcast: true, seenByNetwork: false }
      },
      rebroadcast: async (subs: readonly { id: string }[]) => {
        resent.push(...subs.map((s) => s.id))
      },
    } as unknown as Rail
    const gate = createSweepGate()
    await expect(sweepRail(ctx, rail, gate)).rejects.toThrow('an answer the rail cannot read')
    expect(resent).toEqual([second.id])
    // Not recorded as looked up: the same head is looked up again.
    await expect(sweepRail(ctx, rail, gate)).rejects.toThrow()
    expect(lookups).toBe(2)
  })
})
