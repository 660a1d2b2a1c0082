/**
 * Taking a planned submission out, with no node: the nonce gap closed by the later planned ones
 * of the same source only (gaps among them too), the floor respected, other sources and dead rows
 * untouched, every change audited; a dead submission that landed taking its payouts back from a
 * planned retry (which is superseded and closed up); and a finished batch settled again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import type { DeviceRail } from '../../rails/Rail'
import { cancelPlannedSubmission, laterSignedOf } from './cancelPlannedSubmission'
import { insertTestEscrowTx, insertTestSubmission, openExecuteTestDb, TEST_BATCH } from './executeTestDb'
import { finishBatchIfDone } from './finishBatch'
import { takeBackPayouts } from './takeBackPayouts'

let ctx: CoreContext
beforeEach(async () => {
  ctx = await openExecuteTestDb()
  await ctx.db.run(
    ctx.db.k.insertInto('assets').values({
      id: 'USDC@evm:1',
      code: 'USDC',
      name: 'USDC',
      scale: 6,
      rail: 'evm',
      network: '1',
      issuer: null,
      created_at: '2026-02-01T10:00:00.000Z',
    }),
  )
})
afterEach(async () => {
  await ctx.db.close()
})

/** Renumber only rewrites the payload's nonce; everything else of the rail is unused here. */
const rail = {
  rail: 'evm',
  network: '1',
  capabilities: { signer: 'evm' },
  renumber: (s: SubmissionRow, nonce: bigint) => ({
    source: s.source,
    idempotencyKey: s.idempotency_key,
    unsignedPayload: `unsigned@${nonce}`,
    feeCap: s.fee_cap,
  }),
} as unknown as DeviceRail

async function planned(nonce: number, over: Partial<SubmissionRow> = {}): Promise<SubmissionRow> {
  return await insertTestSubmission(ctx, {
    state: 'planned',
    nonce: String(nonce),
    unsigned_payload: `unsigned@${nonce}`,
    signed_payload: null,
    tx_hash: null,
    fee_cap: '100',
    ...over,
  })
}

let payoutSeq = 0
/** Payouts carried by `sub` (and linked to it), in `state`. */
async function payoutsOf(sub: SubmissionRow, count: number, state: string, linkedTo: readonly SubmissionRow[] = [sub]): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const id = `p-${++payoutSeq}`
    await ctx.db.run(
      ctx.db.k.insertInto('payouts').values({
        id,
        batch_id: TEST_BATCH,
        row_no: payoutSeq,
        rail: 'evm',
        network: '1',
        asset_id: 'USDC@evm:1',
        recipient: '0x1111111111111111111111111111111111111111',
        amount: '1',
        memo: null,
        reference: null,
        name: null,
        state,
        attempt: sub.attempt,
        submission_id: sub.id,
        entry_id: null,
        failure_code: null,
        failure_message: null,
        created_at: '2026-02-01T10:00:00.000Z',
        updated_at: '2026-02-01T10:00:00.000Z',
      }),
    )
    for (const s of linkedTo)
      await ctx.db.run(ctx.db.k.insertInto('submission_payouts').values({ submission_id: s.id, payout_id: id, idx: i }))
    ids.push(id)
  }
  return ids
}

async function row(id: string): Promise<SubmissionRow> {
  return (await ctx.db.first(ctx.db.k.selectFrom('submissions').selectAll().where('id', '=', id)))!
}

async function audits(): Promise<{ action: string; subject: string; change: Record<string, unknown> }[]> {
  return (await ctx.db.all(ctx.db.k.selectFrom('audit_log').select(['action', 'subject', 'change']).orderBy('seq'))).map((a) => ({
    ...a,
    change: JSON.parse(a.change) as Record<string, unknown>,
  }))
}

const CANCEL = { code: 'CANCELLED', message: 'Cancelled by Unit.', floor: null }

describe('cancelPlannedSubmission', () => {
  it('dead + payouts failed; later planned ones of the source close the gap, in nonce order; others untouched', async () => {
    const refused = await planned(5)
    const later = [await planned(6), await planned(8)]
    const otherSource = await planned(6, { source: '0xOther' })
    const deadLater = await insertTestSubmission(ctx, { state: 'dead', nonce: '9' })
    const payouts = await payoutsOf(refused, 2, 'planned')
    for (const s of later) await payoutsOf(s, 1, 'planned')
    const result = await ctx.db.tx(async () => await cancelPlannedSubmission(ctx, rail, 'op-unit', refused, CANCEL))
    expect(result).toEqual({
      payoutIds: payouts,
      renumbered: [
        { id: later[0]!.id, batchId: TEST_BATCH, fromNonce: '6', toNonce: '5' },
        { id: later[1]!.id, batchId: TEST_BATCH, fromNonce: '8', toNonce: '6' },
      ],
      finished: null,
    })
    expect(await row(refused.id)).toMatchObject({
      state: 'dead',
      failure_code: 'CANCELLED',
      failure_message: 'Cancelled by Unit.',
      nonce: '5',
    })
    for (const id of payouts) {
      expect(await ctx.db.first(ctx.db.k.selectFrom('payouts').select(['state', 'failure_code']).where('id', '=', id))).toEqual({
        state: 'failed',
        failure_code: 'CANCELLED',
      })
    }
    expect(await row(later[0]!.id)).toMatchObject({ state: 'planned', nonce: '5', unsigned_payload: 'unsigned@5' })
    expect(await row(later[1]!.id)).toMatchObject({ state: 'planned', nonce: '6', unsigned_payload: 'unsigned@6' })
    expect(await row(otherSource.id)).toEqual(otherSource)
    expect(await row(deadLater.id)).toEqual(deadLater)
    expect((await audits()).map((a) => [a.action, a.subject])).toEqual([
      ['payouts.submission.dead', `submission:${refused.id}`],
      ['payouts.submission.renumbered', `submission:${later[0]!.id}`],
      ['payouts.submission.renumbered', `submission:${later[1]!.id}`],
    ])
    expect((await audits())[0]!.change).toMatchObject({ from: 'planned', to: 'dead', code: 'CANCELLED', nonceFreed: '5', payouts })
  })

  it('starts at the nonce floor when another transaction of the key already took the freed nonce', async () => {
    const refused = await planned(5)
    const later = [await planned(6), await planned(8)]
    const result = await ctx.db.tx(async () => await cancelPlannedSubmission(ctx, rail, 'op-unit', refused, { ...CANCEL, floor: 7n }))
    expect(result.renumbered).toEqual([{ id: later[0]!.id, batchId: TEST_BATCH, fromNonce: '6', toNonce: '7' }])
    expect((await row(later[1]!.id)).nonce).toBe('8')
  })

  it('never renumbers onto a nonce a live escrow transaction of the same source holds', async () => {
    const refused = await planned(5)
    const later = [await planned(7), await planned(9)]
    await insertTestEscrowTx(ctx, { nonce: '6', state: 'planned' })
    await insertTestEscrowTx(ctx, { nonce: '8', state: 'dead' })
    const result = await ctx.db.tx(async () => await cancelPlannedSubmission(ctx, rail, 'op-unit', refused, CANCEL))
    expect(result.renumbered).toEqual([
      { id: later[0]!.id, batchId: TEST_BATCH, fromNonce: '7', toNonce: '5' },
      { id: later[1]!.id, batchId: TEST_BATCH, fromNonce: '9', toNonce: '7' },
    ])
  })

  it('a later submission signed (or landed) blocks it: laterSignedOf names it, and the cancel is a bug to attempt', async () => {
    const refused = await planned(5)
    const signed = await insertTestSubmission(ctx, { state: 'broadcast', nonce: '6' })
    await insertTestSubmission(ctx, { state: 'confirmed', nonce: '4' }) // earlier: no matter
    expect((await laterSignedOf(ctx, refused)).map((s) => s.id)).toEqual([signed.id])
    await expect(ctx.db.tx(async () => await cancelPlannedSubmission(ctx, rail, 'op-unit', refused, CANCEL))).rejects.toThrow(
      /^invariant: cancel of .* later signed/,
    )
    expect((await row(refused.id)).state).toBe('planned')
  })

  it('finishes the batch when nothing is left in flight', async () => {
    const done = await insertTestSubmission(ctx, { state: 'confirmed', nonce: '4' })
    await payoutsOf(done, 1, 'confirmed')
    const refused = await planned(5)
    await payoutsOf(refused, 1, 'planned')
    expect((await ctx.db.tx(async () => await cancelPlannedSubmission(ctx, rail, 'op-unit', refused, CANCEL))).finished).toBe(
      'partially_failed',
    )
  })
})

describe('takeBackPayouts (a dead submission that landed after all)', () => {
  it('points the payouts back at it, supersedes a planned retry and closes its nonce gap', async () => {
    const dead = await insertTestSubmission(ctx, { state: 'dead', nonce: '4', block_number: '100' })
    const retry = await planned(5, { chunk_index: dead.chunk_index, attempt: 2, id: `${dead.id}:retry` })
    const payouts = await payoutsOf(retry, 2, 'planned', [dead, retry])
    const next = await planned(6)
    const taken = await ctx.db.tx(async () => await takeBackPayouts(ctx, rail, dead))
    expect(taken).toEqual(payouts.map((payoutId) => ({ payoutId, from: retry.id, state: 'planned' })))
    for (const id of payouts) {
      expect(await ctx.db.first(ctx.db.k.selectFrom('payouts').select(['submission_id', 'attempt', 'state']).where('id', '=', id))).toEqual(
        {
          submission_id: dead.id,
          attempt: 1,
          state: 'planned',
        },
      )
    }
    expect(await row(retry.id)).toMatchObject({ state: 'dead', failure_code: 'SUPERSEDED' })
    expect(await row(next.id)).toMatchObject({ state: 'planned', nonce: '5' })
    expect((await audits()).find((a) => a.subject === `submission:${retry.id}`)!.change).toMatchObject({ supersededBy: dead.id })
  })

  it('leaves a retry in flight alone (it reverts on the chunk identity)', async () => {
    const dead = await insertTestSubmission(ctx, { state: 'dead', nonce: '4', block_number: '100' })
    const retry = await insertTestSubmission(ctx, {
      state: 'broadcast',
      nonce: '5',
      chunk_index: dead.chunk_index,
      attempt: 2,
      id: `${dead.id}:r`,
    })
    const payouts = await payoutsOf(retry, 1, 'broadcast', [dead, retry])
    expect(await ctx.db.tx(async () => await takeBackPayouts(ctx, rail, dead))).toEqual([
      { payoutId: payouts[0], from: retry.id, state: 'broadcast' },
    ])
    expect((await row(retry.id)).state).toBe('broadcast')
  })
})

describe('finishBatchIfDone on a finished batch (a dead transaction landed after all)', () => {
  async function setBatch(state: string): Promise<void> {
    await ctx.db.run(ctx.db.k.updateTable('batches').set({ state }).where('id', '=', TEST_BATCH))
  }

  it('failed -> completed or partially_failed as its payouts now say; a cancelled batch keeps its state', async () => {
    const s = await insertTestSubmission(ctx, { state: 'confirmed' })
    const [a, b] = await payoutsOf(s, 2, 'confirmed')
    await setBatch('failed')
    await ctx.db.run(ctx.db.k.updateTable('payouts').set({ state: 'failed' }).where('id', '=', b!))
    expect(await ctx.db.tx(async () => await finishBatchIfDone(ctx, TEST_BATCH))).toBe('partially_failed')
    expect(await ctx.db.tx(async () => await finishBatchIfDone(ctx, TEST_BATCH))).toBeNull() // nothing new
    await ctx.db.run(ctx.db.k.updateTable('payouts').set({ state: 'confirmed' }).where('id', '=', b!))
    expect(await ctx.db.tx(async () => await finishBatchIfDone(ctx, TEST_BATCH))).toBe('completed')
    expect((await audits()).at(-1)!.change).toMatchObject({
      from: 'partially_failed',
      to: 'completed',
      reason: 'a transaction declared dead landed after all',
    })
    await setBatch('cancelled')
    expect(a).toBeDefined()
    expect(await ctx.db.tx(async () => await finishBatchIfDone(ctx, TEST_BATCH))).toBeNull()
  })
})
