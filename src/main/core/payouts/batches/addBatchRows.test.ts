/** Editing rows: validation, all-or-nothing, and an edit after approval voiding the approvals. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE, BOB, CAROL, ERIN, PAYEES, TREASURY_ADDRESS, USDC, draftWith, failure, openDesk, submitted, type Desk } from './testKit'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk()
})
afterEach(async () => {
  await desk.close()
})

describe('batches.rows.*', () => {
  it('adds rows exactly and totals them per asset and rail', async () => {
    const batch = await desk.as(ALICE, 'batches.create', { name: 'Mixed' })
    const s = await desk.as(ALICE, 'batches.rows.add', {
      id: batch.id,
      rows: [
        { id: 'inv-1', assetId: USDC, recipient: PAYEES[0], amount: '0.000001', name: 'Acme' },
        { id: 'inv-2', assetId: USDC, recipient: PAYEES[1], amount: '123456789012345678901234567890.5' },
        { assetId: 'USD@stripe', recipient: 'acct_1234567890ABCDEF', amount: '12.5' },
      ],
    })
    expect(s).toMatchObject({ state: 'draft', version: 2, payouts: 3, rails: ['evm', 'stripe'] })
    expect(s.totals).toEqual([
      { assetId: 'USD@stripe', assetCode: 'USD', scale: 2, total: '12.50', payouts: 1 },
      { assetId: USDC, assetCode: 'USDC', scale: 6, total: '123456789012345678901234567890.500001', payouts: 2 },
    ])
    const detail = await desk.as(undefined, 'batches.get', { id: batch.id })
    expect(detail.payouts.map((p) => [p.id, p.rowNo, p.amount, p.state])).toEqual([
      ['inv-1', 1, '0.000001', 'pending'],
      ['inv-2', 2, '123456789012345678901234567890.500000', 'pending'],
      [`${batch.id}-3`, 3, '12.50', 'pending'],
    ])
    expect(detail.totalsByRail.map((t) => [t.rail, t.assetId, t.total])).toEqual([
      ['evm', USDC, '123456789012345678901234567890.500001'],
      ['stripe', 'USD@stripe', '12.50'],
    ])
  })

  it('refuses bad rows all or nothing, naming each row and field', async () => {
    const id = await draftWith(desk, ALICE, ['1'])
    const err = await failure(
      desk.as(ALICE, 'batches.rows.add', {
        id,
        rows: [
          { assetId: USDC, recipient: PAYEES[0], amount: '1.0000001' },
          { assetId: USDC, recipient: '0x70997970c51812dc3a010c7d01b50e0d17dc79c9X', amount: '1' },
          { assetId: 'NOPE@evm:1', recipient: PAYEES[0], amount: '1' },
          { assetId: USDC, recipient: TREASURY_ADDRESS, amount: '1' },
          { id: `${id}-1`, assetId: USDC, recipient: PAYEES[1], amount: '1' },
          { assetId: USDC, recipient: PAYEES[1], amount: '0' },
        ],
      }),
    )
    expect(err.code).toBe('PAYOUT_INVALID')
    expect(err.message).toMatch(/^No rows were added: Row 1, amount: .*more than 6 decimals/)
    expect(err.message).toContain('Row 2, recipient:')
    expect(err.message).toContain('Row 3, asset: there is no asset "NOPE@evm:1"')
    expect(err.message).toContain('Row 4, recipient:')
    expect(err.message).toContain(`Row 5 (${id}-1), id:`)
    expect(err.message).toContain(`(and 1 more)`)
    // The same refusals as structured details (through the API's whitelist): a form marks the field from these.
    expect(err.details).toMatchObject({
      issues: [
        { row: 1, column: 'amount', code: 'AMOUNT_PRECISION' },
        { row: 2, column: 'recipient' },
        { row: 3, column: 'asset' },
        { row: 4, column: 'recipient' },
        { row: 5, column: 'id', payoutId: `${id}-1` },
        { row: 6, column: 'amount' },
      ],
    })
    const detail = await desk.as(undefined, 'batches.get', { id })
    expect(detail.batch).toMatchObject({ payouts: 1, version: 2 })
  })

  it('an edit after approval sends the batch back to draft, bumps the version and voids approvals', async () => {
    const { id, version } = await submitted(desk, ALICE, ['10', '20'])
    await desk.as(BOB, 'batches.approve', { id, version })
    const edited = await desk.as(ERIN, 'batches.rows.remove', { id, version, payoutIds: [`${id}-2`] })
    expect(edited).toMatchObject({ state: 'draft', version: version + 1, payouts: 1, editors: [ALICE, ERIN] })
    const detail = await desk.core.api.call('batches.get', { id }, { operatorId: BOB })
    expect(detail.approvals).toEqual([])
    expect(detail.approvalStatus.approvals).toBe(0)
    // A stale edit is refused.
    expect(
      (await failure(desk.as(ALICE, 'batches.rows.update', { id, version, payoutId: `${id}-1`, changes: { amount: '11' } }))).code,
    ).toBe('BATCH_STALE')
    const updated = await desk.as(ALICE, 'batches.rows.update', {
      id,
      version: version + 1,
      payoutId: `${id}-1`,
      changes: { amount: '11', reference: 'March' },
    })
    expect(updated.totals[0]!.total).toBe('11.000000')
    const again = await desk.as(ALICE, 'batches.submit', { id })
    expect((await desk.as(CAROL, 'batches.approve', { id, version: again.version })).batch.state).toBe('approved')
  })

  it('only preparers edit; unknown payouts and batches are named', async () => {
    const id = await draftWith(desk, ALICE, ['1'])
    expect((await failure(desk.as(BOB, 'batches.rows.remove', { id, payoutIds: [`${id}-1`] }))).code).toBe('ROLE_REQUIRED')
    expect(await failure(desk.as(ALICE, 'batches.rows.remove', { id, payoutIds: ['nope'] }))).toEqual({
      code: 'PAYOUT_NOT_FOUND',
      message: 'Batch "March contractors" has no payout "nope" — nothing was removed; check the ids (batches show).',
    })
    expect((await failure(desk.as(undefined, 'batches.get', { id: 'b-missing' }))).code).toBe('BATCH_NOT_FOUND')
  })
})
