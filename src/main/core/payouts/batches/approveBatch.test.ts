/** Maker-checker through the contract: who may approve what, and when a batch is approved. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE, BOB, CAROL, DANA, ERIN, SAM, USDC, failure, openDesk, submitted, type Desk } from './testKit'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk()
})
afterEach(async () => {
  await desk.close()
})

describe('batches.approve', () => {
  it('approves with one eligible approver under the default policy and says so', async () => {
    const { id, version } = await submitted(desk, ALICE, ['100.50', '200'])
    const before = await desk.core.api.call('batches.get', { id }, { operatorId: BOB })
    expect(before.approvalStatus).toMatchObject({ required: 1, approvals: 0, remaining: 1, canApprove: true })
    expect(before.approvalStatus.sentences).toContain(`You can approve version ${version}.`)
    const detail = await desk.as(BOB, 'batches.approve', { id, version, comment: 'checked against invoices' })
    expect(detail.batch.state).toBe('approved')
    expect(detail.approvals).toMatchObject([
      { operatorId: BOB, operatorName: 'Bob Approver', decision: 'approve', comment: 'checked against invoices' },
    ])
    expect(detail.approvalStatus.sentences.join(' ')).toContain(`Version ${version} approved by Bob Approver — ready to execute.`)
    expect(detail.batch.totals).toEqual([{ assetId: USDC, assetCode: 'USDC', scale: 6, total: '300.500000', payouts: 2 }])
    expect(desk.events.filter((e) => e.event === 'batches.changed').at(-1)).toEqual({ event: 'batches.changed', payload: { batchId: id } })
  })

  it('refuses the creator, with the sentence, and explains it in batches.get', async () => {
    const { id, version } = await submitted(desk, ERIN, ['10'])
    const status = (await desk.core.api.call('batches.get', { id }, { operatorId: ERIN })).approvalStatus
    expect(status.canApprove).toBe(false)
    expect(status.sentences).toContain('You created this batch, so you cannot approve it.')
    expect(status.sentences.join(' ')).toContain('it needs 1 approver')
    const err = await failure(desk.as(ERIN, 'batches.approve', { id, version }))
    expect(err.code).toBe('APPROVAL_NOT_ALLOWED')
    expect(err.message).toBe('Erin Both: you created this batch, so you cannot approve it — another approver must.')
  })

  it('refuses an approver who edited the batch', async () => {
    const { id } = await submitted(desk, ALICE, ['10'])
    const edited = await desk.as(ERIN, 'batches.rows.add', {
      id,
      rows: [{ assetId: USDC, recipient: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', amount: '5' }],
    })
    expect(edited.state).toBe('draft')
    expect(edited.editors).toEqual([ALICE, ERIN])
    const resubmitted = await desk.as(ALICE, 'batches.submit', { id })
    const err = await failure(desk.as(ERIN, 'batches.approve', { id, version: resubmitted.version }))
    expect(err).toEqual({
      code: 'APPROVAL_NOT_ALLOWED',
      message: 'Erin Both: you edited this batch, so you cannot approve it — another approver must.',
    })
    expect((await desk.as(BOB, 'batches.approve', { id, version: resubmitted.version })).batch.state).toBe('approved')
  })

  it('refuses operators without the approver role, and calls without an operator', async () => {
    const { id, version } = await submitted(desk, ALICE, ['10'])
    for (const who of [SAM, DANA, ALICE]) {
      const err = await failure(desk.as(who, 'batches.approve', { id, version }))
      expect(err.code).toBe('ROLE_REQUIRED')
      expect(err.message).toMatch(/cannot approve batches: that needs the approver role/)
    }
    expect((await failure(desk.as(undefined, 'batches.approve', { id, version }))).code).toBe('OPERATOR_REQUIRED')
    const status = (await desk.core.api.call('batches.get', { id }, { operatorId: SAM })).approvalStatus
    expect(status.sentences).toContain('You do not have the approver role, so you cannot approve it.')
  })

  it('refuses a stale version and a second decision by the same approver', async () => {
    const policy = { approversMin: 2, thresholds: [], dailyLimits: [] }
    await desk.as(DANA, 'settings.policy.set', policy)
    const { id, version } = await submitted(desk, ALICE, ['10'])
    const stale = await failure(desk.as(BOB, 'batches.approve', { id, version: version - 1 }))
    expect(stale.code).toBe('APPROVAL_STALE')
    expect(stale.message).toContain(`you were shown version ${version - 1}, it is now version ${version}`)
    await desk.as(BOB, 'batches.approve', { id, version })
    expect(await failure(desk.as(BOB, 'batches.approve', { id, version }))).toEqual({
      code: 'APPROVAL_NOT_ALLOWED',
      message: `Bob Approver: you already approved version ${version}.`,
    })
    const detail = await desk.as(CAROL, 'batches.approve', { id, version })
    expect(detail.batch.state).toBe('approved')
    expect(detail.approvals.map((a) => a.operatorId)).toEqual([BOB, CAROL])
  })

  it('needs two approvers above a threshold, one below', async () => {
    await desk.as(DANA, 'settings.policy.set', {
      approversMin: 1,
      thresholds: [{ assetId: USDC, above: '10000', approversMin: 2 }],
      dailyLimits: [],
    })
    const small = await submitted(desk, ALICE, ['6000', '4000']) // exactly 10,000: not above
    expect((await desk.as(BOB, 'batches.approve', small)).batch.state).toBe('approved')

    const big = await submitted(desk, ALICE, ['6000', '4000.000001'])
    const first = await desk.as(BOB, 'batches.approve', big)
    expect(first.batch.state).toBe('awaiting_approval')
    expect(first.approvalStatus).toMatchObject({ required: 2, approvals: 1, remaining: 1 })
    expect(first.approvalStatus.sentences[0]).toBe(
      `This batch needs 2 approvers with the approver role because its USDC total 10,000.000001 (${USDC}) is above 10,000.000000; whoever created or edited it cannot approve it.`,
    )
    expect(first.approvalStatus.sentences[1]).toBe(
      'Approved so far by Bob Approver (1 of 2); it needs 1 more approver with the approver role.',
    )
    expect((await desk.as(CAROL, 'batches.approve', big)).batch.state).toBe('approved')
  })

  it('a rejection sends the batch back to draft with the comment and voids earlier approvals', async () => {
    await desk.as(DANA, 'settings.policy.set', { approversMin: 2, thresholds: [], dailyLimits: [] })
    const { id, version } = await submitted(desk, ALICE, ['10'])
    await desk.as(BOB, 'batches.approve', { id, version })
    const rejected = await desk.as(CAROL, 'batches.reject', { id, version, comment: 'wrong invoice for row 1' })
    expect(rejected.batch).toMatchObject({ state: 'draft', version: version + 1 })
    expect(rejected.approvals).toEqual([])
    expect(rejected.lastRejection).toMatchObject({ operatorId: CAROL, version, comment: 'wrong invoice for row 1' })
    const again = await desk.as(ALICE, 'batches.submit', { id })
    const after = await desk.as(BOB, 'batches.approve', { id, version: again.version })
    expect(after.approvalStatus).toMatchObject({ required: 2, approvals: 1 })
    expect(after.batch.state).toBe('awaiting_approval')
  })
})
