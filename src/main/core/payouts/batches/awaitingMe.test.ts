/**
 * batches.awaitingMe: what the navigation counts — batches awaiting approval that the caller may
 * approve now; never the preparer's own, never one the caller already decided, never for a
 * non-approver. Real SQLite workspace (openDesk).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE, BOB, CAROL, DANA, ERIN, draftWith, openDesk, submitted, type Desk } from './testKit'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk()
})
afterEach(async () => {
  await desk.close()
})

describe('batches.awaitingMe', () => {
  it('counts the batches each approver may approve now, and follows submissions and decisions', async () => {
    expect(await desk.as(BOB, 'batches.awaitingMe', {})).toEqual({ count: 0, batchIds: [] })
    await draftWith(desk, ALICE, ['1.00']) // a draft waits for nobody
    const one = await submitted(desk, ALICE, ['5.00'])
    const two = await submitted(desk, ERIN, ['6.00'])

    expect((await desk.as(BOB, 'batches.awaitingMe', {})).batchIds.sort()).toEqual([one.id, two.id].sort())
    // Erin prepared the second one: she may approve only the first.
    expect(await desk.as(ERIN, 'batches.awaitingMe', {})).toEqual({ count: 1, batchIds: [one.id] })
    // Not approvers: nothing waits for them.
    expect((await desk.as(ALICE, 'batches.awaitingMe', {})).count).toBe(0)
    expect((await desk.as(DANA, 'batches.awaitingMe', {})).count).toBe(0)

    // Bob approves the first (one approval is the policy here): it waits for nobody any more.
    expect((await desk.as(BOB, 'batches.approve', { id: one.id, version: one.version })).batch.state).toBe('approved')
    expect(await desk.as(BOB, 'batches.awaitingMe', {})).toEqual({ count: 1, batchIds: [two.id] })
    expect(await desk.as(CAROL, 'batches.awaitingMe', {})).toEqual({ count: 1, batchIds: [two.id] })
  })
})
