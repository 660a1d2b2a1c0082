/** Every state change goes through transitionBatch: legal moves only, each audited with its operator. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listAuditRows } from '../../audit/listAuditRows'
import { verifyAudit } from '../../audit/verifyAudit'
import { ALICE, BOB, DANA, USDC, failure, openDesk, submitted, type Desk } from './testKit'
import { transitionBatch } from './transitionBatch'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk()
})
afterEach(async () => {
  await desk.close()
})

async function transitionsOf(batchId: string): Promise<{ actor: string; from: unknown; to: unknown; reason: unknown }[]> {
  return (await listAuditRows(desk.core.ctx, { subject: `batch:${batchId}`, limit: 1000 })).rows
    .filter((r) => r.action === 'batches.transition')
    .reverse()
    .map((r) => {
      const change = r.change as { from: string; to: string; reason: string }
      return { actor: r.actor, from: change.from, to: change.to, reason: change.reason }
    })
}

describe('transitionBatch', () => {
  it('audits every transition with its operator, in order', async () => {
    const { id, version } = await submitted(desk, ALICE, ['10'])
    await desk.as(BOB, 'batches.approve', { id, version })
    await desk.as(ALICE, 'batches.rows.update', { id, payoutId: `${id}-1`, changes: { amount: '11' } })
    const again = await desk.as(ALICE, 'batches.submit', { id })
    await desk.as(BOB, 'batches.reject', { id, version: again.version, comment: 'no' })
    await desk.as(DANA, 'batches.cancel', { id, comment: 'duplicate of another run' })
    expect(await transitionsOf(id)).toEqual([
      { actor: ALICE, from: 'draft', to: 'awaiting_approval', reason: 'submitted' },
      { actor: BOB, from: 'awaiting_approval', to: 'approved', reason: 'approved' },
      { actor: ALICE, from: 'approved', to: 'draft', reason: 'edited' },
      { actor: ALICE, from: 'draft', to: 'awaiting_approval', reason: 'submitted' },
      { actor: BOB, from: 'awaiting_approval', to: 'draft', reason: 'rejected' },
      { actor: DANA, from: 'draft', to: 'cancelled', reason: 'cancelled' },
    ])
    const actions = (await listAuditRows(desk.core.ctx, { subject: `batch:${id}`, limit: 1000 })).rows.map((r) => r.action)
    expect(actions).toContain('batches.create')
    expect(actions).toContain('batches.approve')
    expect(actions).toContain('batches.reject')
    expect((await verifyAudit(desk.core.ctx)).ok).toBe(true)
  })

  it('refuses illegal transitions and changes nothing', async () => {
    const { id, version } = await submitted(desk, ALICE, ['10'])
    await desk.as(ALICE, 'batches.cancel', { id })
    const auditBefore = (await listAuditRows(desk.core.ctx, {})).rows.length
    const approve = await failure(desk.as(BOB, 'batches.approve', { id, version }))
    expect(approve.code).toBe('BATCH_STATE')
    expect(approve.message).toBe(
      'Batch "March contractors" is cancelled, so you cannot approve it — that is possible only while it is awaiting approval.',
    )
    expect((await failure(desk.as(ALICE, 'batches.cancel', { id }))).message).toBe(
      'Batch "March contractors" is cancelled, so it cannot become cancelled — nothing more can happen to it.',
    )
    expect((await failure(desk.as(ALICE, 'batches.submit', { id }))).code).toBe('BATCH_STATE')
    expect(
      (
        await failure(
          desk.as(ALICE, 'batches.rows.add', {
            id,
            rows: [{ assetId: USDC, recipient: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', amount: '1' }],
          }),
        )
      ).code,
    ).toBe('BATCH_STATE')
    // Directly, as the execution engine would call it.
    await expect(transitionBatch(desk.core.ctx, 'system', id, 'approved', { reason: 'test' })).rejects.toThrowError(
      /cannot become approved/,
    )
    await expect(transitionBatch(desk.core.ctx, 'system', id, 'executing', { reason: 'test' })).rejects.toThrowError(/cancelled/)
    expect((await listAuditRows(desk.core.ctx, {})).rows.length).toBe(auditBefore)
    expect((await desk.as(undefined, 'batches.get', { id })).batch.state).toBe('cancelled')
  })

  it('refuses a draft going straight to approved or executing', async () => {
    const batch = await desk.as(ALICE, 'batches.create', { name: 'x' })
    await expect(transitionBatch(desk.core.ctx, 'system', batch.id, 'approved', { reason: 'test' })).rejects.toThrowError(
      /is a draft, so it cannot become approved — from here it can only become awaiting approval or cancelled/,
    )
    await expect(transitionBatch(desk.core.ctx, 'system', batch.id, 'executing', { reason: 'test' })).rejects.toThrowError(
      /cannot become executing/,
    )
  })

  it('lets the engine move an approved batch to executing, refusing a stale version', async () => {
    const { id, version } = await submitted(desk, ALICE, ['10'])
    await desk.as(BOB, 'batches.approve', { id, version })
    await expect(
      transitionBatch(desk.core.ctx, 'system', id, 'executing', { reason: 'execute', expectVersion: version + 1 }),
    ).rejects.toThrowError(/changed since you read it/)
    expect(await transitionBatch(desk.core.ctx, 'system', id, 'executing', { reason: 'execute', expectVersion: version })).toEqual({
      batchId: id,
      from: 'approved',
      to: 'executing',
      version,
    })
    expect(desk.events.at(-1)).toEqual({ event: 'batches.changed', payload: { batchId: id } })
    // Executing: no edits, no cancel.
    expect((await failure(desk.as(ALICE, 'batches.rows.remove', { id, payoutIds: [`${id}-1`] }))).code).toBe('BATCH_STATE')
    expect((await failure(desk.as(ALICE, 'batches.cancel', { id }))).code).toBe('BATCH_STATE')
  })
})
