/**
 * A milestone that moved on by itself (expired, or taken by the payee on the rail) closes the
 * requests it can no longer take and that never reached a rail — so an approved release cannot
 * block the refund after expiry for ever (chaos seed 310.13); requests it still allows, and one
 * being executed, are left alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CoreContext } from '../context'
import { insertTestEscrowTx, openExecuteTestDb } from '../payouts/execute/executeTestDb'
import { closeMootRequests } from './closeMootRequests'
import { getEscrowRow } from './escrowRows'

let ctx: CoreContext
let escrowId: string
beforeEach(async () => {
  ctx = await openExecuteTestDb()
  // An escrow (with its funding action) as the kit makes it; its id is the tx id's first part.
  escrowId = (await insertTestEscrowTx(ctx, { nonce: '1', state: 'confirmed' })).split(':')[0]!
})
afterEach(async () => {
  await ctx.db.close()
})

async function request(id: string, kind: string, milestone: number, state: string): Promise<void> {
  await ctx.db.run(
    ctx.db.k.insertInto('escrow_actions').values({
      id,
      escrow_id: escrowId,
      kind,
      milestone,
      amount: '1',
      to_payee: null,
      to_payer: null,
      reason: null,
      state,
      digest: 'unit',
      requested_by: 'op-unit',
      requested_at: '2026-02-01T10:00:00.000Z',
      failure_code: null,
      failure_message: null,
      updated_at: '2026-02-01T10:00:00.000Z',
    }),
  )
}

async function actionStates(): Promise<Record<string, { state: string; failure_message: string | null }>> {
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('escrow_actions').select(['id', 'state', 'failure_message']).where('kind', '<>', 'fund'),
  )
  return Object.fromEntries(rows.map((r) => [r.id, { state: r.state, failure_message: r.failure_message }]))
}

describe('closeMootRequests', () => {
  it('expired: an approved or awaiting release and dispute are cancelled with why; a refund and an executing release stay', async () => {
    await request('r-approved', 'release', 1, 'approved')
    await request('d-awaiting', 'dispute', 1, 'awaiting_approval')
    await request('f-awaiting', 'refund', 1, 'awaiting_approval')
    await request('r-executing', 'release', 1, 'executing')
    await request('r-other', 'release', 2, 'approved')
    const escrow = await getEscrowRow(ctx, escrowId)
    const closed = await ctx.db.tx(() => closeMootRequests(ctx, 'system', escrow, 1, 'expired'))
    expect(closed.sort()).toEqual(['d-awaiting', 'r-approved'])
    const states = await actionStates()
    expect(states['r-approved']).toEqual({
      state: 'cancelled',
      failure_message:
        'Milestone 1 of "unit" expired before this release was carried out — nothing was sent; ask for a refund to the payer.',
    })
    expect(states['d-awaiting']!.state).toBe('cancelled')
    expect(states['f-awaiting']!.state).toBe('awaiting_approval')
    expect(states['r-executing']!.state).toBe('executing')
    expect(states['r-other']!.state).toBe('approved')
    const audit = await ctx.db.all(
      ctx.db.k.selectFrom('audit_log').select(['action', 'change']).where('action', '=', 'escrow.action.cancelled'),
    )
    expect(audit).toHaveLength(2)
    expect(JSON.parse(audit[0]!.change)).toMatchObject({
      from: 'approved',
      to: 'cancelled',
      milestoneNow: 'expired',
      failure: { code: 'ESCROW_STATE' },
    })
  })

  it('released on the rail (the payee took it): every request not yet on a rail is moot, a refund too', async () => {
    await request('f-approved', 'refund', 1, 'approved')
    await request('r-awaiting', 'release', 1, 'awaiting_approval')
    const escrow = await getEscrowRow(ctx, escrowId)
    expect((await ctx.db.tx(() => closeMootRequests(ctx, 'system', escrow, 1, 'released'))).sort()).toEqual(['f-approved', 'r-awaiting'])
    expect((await actionStates())['f-approved']!.failure_message).toContain('was released to the payee on the rail')
  })
})
