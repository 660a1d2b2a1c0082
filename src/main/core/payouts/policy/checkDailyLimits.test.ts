/** Daily limits per rail and asset: at approval, and as the engine calls it again before signing. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE, BOB, CAROL, DANA, USDC, failure, openDesk, submitted, type Desk } from '../batches/testKit'
import { checkDailyLimits } from './checkDailyLimits'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk()
  await desk.as(DANA, 'settings.policy.set', {
    approversMin: 1,
    thresholds: [],
    dailyLimits: [{ rail: 'evm', assetId: USDC, amount: '1000' }],
  })
})
afterEach(async () => {
  await desk.close()
})

describe('checkDailyLimits', () => {
  it('counts batches approved today (UTC) and refuses the approval that would pass the limit', async () => {
    const first = await submitted(desk, ALICE, ['600'])
    await desk.as(BOB, 'batches.approve', first)
    const second = await submitted(desk, ALICE, ['400.000001'])
    expect(await checkDailyLimits(desk.core.ctx, second.id)).toMatchObject({
      ok: false,
      usage: [{ rail: 'evm', assetId: USDC, limit: '1000.000000', usedToday: '600.000000', thisBatch: '400.000001', ok: false }],
    })
    const status = (await desk.core.api.call('batches.get', { id: second.id }, { operatorId: CAROL })).approvalStatus
    expect(status.canApprove).toBe(false)
    expect(status.sentences.join(' ')).toContain('above the daily limit of 1,000.000000')
    const err = await failure(desk.as(CAROL, 'batches.approve', second))
    expect(err.code).toBe('DAILY_LIMIT_EXCEEDED')
    expect(err.message).toBe(
      `You cannot approve it today: USDC (${USDC}) on evm: this batch (400.000001) plus 600.000000 already approved or paid today (UTC) is 1,000.000001, above the daily limit of 1,000.000000 — wait until tomorrow (UTC), split the batch, or ask an admin to raise the limit.`,
    )
    // Exactly at the limit is allowed.
    await desk.as(ALICE, 'batches.rows.update', { id: second.id, payoutId: `${second.id}-1`, changes: { amount: '400' } })
    const again = await desk.as(ALICE, 'batches.submit', { id: second.id })
    expect((await desk.as(CAROL, 'batches.approve', { id: second.id, version: again.version })).batch.state).toBe('approved')
  })

  it('starts afresh the next UTC day, and ignores cancelled batches', async () => {
    const first = await submitted(desk, ALICE, ['900'])
    await desk.as(BOB, 'batches.approve', first)
    const cancelled = await submitted(desk, ALICE, ['100'])
    await desk.as(BOB, 'batches.approve', cancelled)
    await desk.as(ALICE, 'batches.cancel', { id: cancelled.id })
    const second = await submitted(desk, ALICE, ['100'])
    expect((await checkDailyLimits(desk.core.ctx, second.id)).ok).toBe(true)
    const third = await submitted(desk, ALICE, ['100'])
    await desk.as(BOB, 'batches.approve', second)
    expect((await checkDailyLimits(desk.core.ctx, third.id)).ok).toBe(false)
    desk.clock.set('2026-03-03T00:00:00.000Z')
    expect(await checkDailyLimits(desk.core.ctx, third.id)).toMatchObject({ ok: true, usage: [{ usedToday: '0.000000' }] })
  })

  it('counts payouts of older approvals that are moving today', async () => {
    const old = await submitted(desk, ALICE, ['700'])
    await desk.as(BOB, 'batches.approve', old)
    desk.clock.set('2026-03-03T10:00:00.000Z')
    // The engine signs it today.
    const db = desk.core.ctx.db
    await db.run(db.k.updateTable('batches').set({ state: 'executing' }).where('id', '=', old.id))
    await db.run(
      db.k.updateTable('payouts').set({ state: 'signed', updated_at: '2026-03-03T10:00:00.000Z' }).where('batch_id', '=', old.id),
    )
    const today = await submitted(desk, ALICE, ['300.000001'])
    expect((await checkDailyLimits(desk.core.ctx, today.id)).usage[0]).toMatchObject({ usedToday: '700.000000', ok: false })
  })
})
