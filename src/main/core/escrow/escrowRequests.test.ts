/**
 * Escrow requests and their approvals, in process on a real SQLite file (PostgreSQL under
 * COUNTERSIGN_TEST_DB=postgres), before anything reaches a rail: what creating checks, who may
 * approve, that an approval is a signature over the escrow as stored (a row inserted with SQL or a
 * milestone changed after approval approves nothing, and execute refuses before any network call),
 * which requests a milestone's state allows, the CSV import, and the rolled-up state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqlAll, sqlRun } from '../../../../test/dbSql'
import { ALICE, BOB, CAROL, DANA, ERIN, SAM, TREASURY_ADDRESS, USDC, failure, openDesk, type Desk } from '../payouts/batches/testKit'
import { rolledUpState } from './rollUpEscrowState'

let desk: Desk
const PAYEE = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
/** An RPC nobody answers: nothing here may reach the network. */
const NOWHERE = 'http://127.0.0.1:9/'

beforeEach(async () => {
  desk = await openDesk()
  await desk.as(DANA, 'settings.rails.set', {
    evm: {
      chains: [
        {
          chainId: 8453,
          rpcUrl: NOWHERE,
          batchContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
          escrowContract: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
          confirmationsMin: 2,
          maxFeePerGasCap: '500000000000',
          source: { address: TREASURY_ADDRESS, path: "44'/60'/0'/0/0" },
        },
      ],
    },
  })
})
afterEach(async () => {
  await desk.close()
})

function input(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Website build',
    rail: 'evm' as const,
    network: '8453',
    assetId: USDC,
    payee: PAYEE,
    autoRelease: true,
    expiresAt: '2026-06-01T00:00:00Z',
    milestones: [
      { title: 'Design', amount: '1000.00', reviewWindowHours: 72, reviewEndsAt: '2026-03-10T00:00:00Z' },
      { title: 'Build', amount: '2000.000001', reviewWindowHours: 72, reviewEndsAt: '2026-04-10T00:00:00Z' },
    ],
    ...overrides,
  }
}

describe('escrow requests', () => {
  it('creates an escrow with its funding request; the total is the exact sum of its milestones', async () => {
    const d = await desk.as(ALICE, 'escrow.create', input())
    expect(d.escrow).toMatchObject({ state: 'draft', total: '3000.000001', milestones: 2, autoRelease: true })
    expect(d.actions).toMatchObject([{ kind: 'fund', state: 'awaiting_approval', amount: '3000.000001', required: 1, canApprove: false }])
    expect(d.milestoneList.map((m) => [m.index, m.state, m.amount])).toEqual([
      [1, 'draft', '1000.000000'],
      [2, 'draft', '2000.000001'],
    ])
    const audit = await sqlAll<{ action: string }>(
      desk.core.ctx.db,
      'SELECT action FROM audit_log WHERE subject = ? ORDER BY seq',
      `escrow:${d.escrow.id}`,
    )
    expect(audit.map((a) => a.action)).toEqual(['escrow.create', 'escrow.action.request'])
  })

  it('refuses bad terms with a sentence and the field, creating nothing', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { milestones: [{ title: 'X', amount: '1.0000001', reviewWindowHours: 1, reviewEndsAt: '2026-03-10T00:00:00Z' }] },
        'ESCROW_INVALID',
        /more than 6 decimals|decimals/,
      ],
      [{ milestones: [{ title: 'X', amount: '0', reviewWindowHours: 1, reviewEndsAt: '2026-03-10T00:00:00Z' }] }, 'ESCROW_INVALID', /zero/],
      [{ expiresAt: '2026-03-05T00:00:00Z' }, 'ESCROW_INVALID', /at or after the escrow's expiry/],
      [{ expiresAt: '2026-01-01T00:00:00Z' }, 'ESCROW_INVALID', /in the past/],
      [{ payee: '0x1234' }, 'ESCROW_INVALID', /Payee/],
      [{ funding: 'charge' }, 'ESCROW_INVALID', /Only a Stripe escrow/],
      [{ network: '1' }, 'ESCROW_RAIL_NOT_CONFIGURED', /evm 1 is not configured/],
    ]
    for (const [overrides, code, message] of cases) {
      const f = await failure(desk.as(ALICE, 'escrow.create', input(overrides)))
      expect(f.code, JSON.stringify(overrides)).toBe(code)
      expect(f.message).toMatch(message)
    }
    expect(await sqlAll(desk.core.ctx.db, 'SELECT id FROM escrows')).toEqual([])
    const noRail = await failure(
      desk.as(ALICE, 'escrow.create', input({ rail: 'stellar', network: 'testnet', assetId: 'XLM@stellar:testnet' })),
    )
    expect(['ESCROW_RAIL_NOT_CONFIGURED', 'ASSET_NOT_FOUND']).toContain(noRail.code)
  })

  it('maker-checker: the creator and the requester never approve; a preparer cannot approve at all', async () => {
    const own = await desk.as(ERIN, 'escrow.create', input())
    const f = await failure(desk.as(ERIN, 'escrow.approve', { actionId: own.actions[0]!.id }))
    expect(f.code).toBe('ESCROW_APPROVAL_NOT_ALLOWED')
    expect((await failure(desk.as(ALICE, 'escrow.approve', { actionId: own.actions[0]!.id }))).code).toBe('ROLE_REQUIRED')
    const approved = await desk.as(BOB, 'escrow.approve', { actionId: own.actions[0]!.id })
    expect(approved.actions[0]).toMatchObject({ state: 'approved', approvals: [{ operatorId: BOB, verified: true }] })
    expect((await failure(desk.as(CAROL, 'escrow.approve', { actionId: own.actions[0]!.id }))).code).toBe('ESCROW_STATE')
  })

  it('an approval inserted with SQL counts for nothing: execute refuses before any network call, and says why', async () => {
    const d = await desk.as(ALICE, 'escrow.create', input())
    const actionId = d.actions[0]!.id
    await sqlRun(
      desk.core.ctx.db,
      "INSERT INTO escrow_approvals (action_id, operator_id, decision, comment, at) VALUES (?, ?, 'approve', NULL, ?)",
      actionId,
      BOB,
      '2026-03-02T09:00:00.000Z',
    )
    await sqlRun(desk.core.ctx.db, "UPDATE escrow_actions SET state = 'approved' WHERE id = ?", actionId)
    const f = await failure(desk.as(SAM, 'escrow.execute', { actionId }))
    expect(f.code).toBe('APPROVAL_SIGNATURE_INVALID')
    expect(f.message).toContain('carries no signature')
    expect(await sqlAll(desk.core.ctx.db, 'SELECT id FROM escrow_txs')).toEqual([])
    const refusals = await sqlAll(desk.core.ctx.db, "SELECT seq FROM audit_log WHERE action = 'escrow.execute.refused'")
    expect(refusals).toHaveLength(1)
    const audit = await desk.as(undefined, 'audit.verify', {})
    expect(audit.ok).toBe(false)
    expect(JSON.stringify(audit)).toContain(`escrow action ${actionId}`)
  })

  it('a funding approved but not executed before the expiry is refused after it, before any network call', async () => {
    const d = await desk.as(ALICE, 'escrow.create', input())
    const actionId = d.actions[0]!.id
    await desk.as(BOB, 'escrow.approve', { actionId })
    desk.clock.set('2026-06-01T00:00:00.000Z') // the expiry
    const f = await failure(desk.as(SAM, 'escrow.execute', { actionId }))
    expect(f.code).toBe('ESCROW_STATE')
    expect(f.message).toBe(
      'Escrow "Website build" expired at 2026-06-01T00:00:00.000Z before it was funded — nothing was sent. Cancel it, and create it again with a later expiry.',
    )
    expect(await sqlAll(desk.core.ctx.db, 'SELECT id FROM escrow_txs')).toEqual([])
    expect((await desk.as(ALICE, 'escrow.cancel', { id: d.escrow.id, comment: 'expired unfunded' })).state).toBe('cancelled')
  })

  it('a milestone changed after approval voids the approval (the digest covers every milestone)', async () => {
    const d = await desk.as(ALICE, 'escrow.create', input())
    const actionId = d.actions[0]!.id
    await desk.as(BOB, 'escrow.approve', { actionId })
    await sqlRun(desk.core.ctx.db, "UPDATE escrow_milestones SET amount = '1500000000' WHERE escrow_id = ? AND idx = 1", d.escrow.id)
    const shown = await desk.as(ALICE, 'escrow.get', { id: d.escrow.id })
    expect(shown.actions[0]!.approvals).toMatchObject([{ operatorId: BOB, verified: false }])
    const f = await failure(desk.as(SAM, 'escrow.execute', { actionId }))
    expect(f.code).toBe('APPROVAL_SIGNATURE_INVALID')
    expect(f.message).toContain('does not match the escrow')
  })

  it('requests follow the milestone: nothing to release before funding; refusals change nothing', async () => {
    const d = await desk.as(ALICE, 'escrow.create', input())
    const release = await failure(desk.as(ALICE, 'escrow.request', { id: d.escrow.id, kind: 'release', milestone: 1 }))
    expect(release.code).toBe('ESCROW_STATE')
    const resolve = await failure(
      desk.as(ALICE, 'escrow.request', { id: d.escrow.id, kind: 'resolve', milestone: 1, toPayee: '1', toPayer: '1' }),
    )
    expect(resolve.code).toBe('ESCROW_STATE')
    const missing = await failure(desk.as(ALICE, 'escrow.request', { id: d.escrow.id, kind: 'release', milestone: 3 }))
    expect(missing.code).toBe('ESCROW_MILESTONE_NOT_FOUND')
    expect((await desk.as(ALICE, 'escrow.get', { id: d.escrow.id })).actions).toHaveLength(1)
    const cancelled = await desk.as(ALICE, 'escrow.cancel', { id: d.escrow.id, comment: 'not needed' })
    expect(cancelled.state).toBe('cancelled')
    expect((await desk.as(ALICE, 'escrow.get', { id: d.escrow.id })).actions[0]!.state).toBe('cancelled')
  })

  it('an expired milestone refuses anything but a refund, and says to ask for one (seed 670.8)', async () => {
    const d = await desk.as(ALICE, 'escrow.create', input())
    // As the poller leaves it once the escrow's expiry passed with the money held.
    await sqlRun(desk.core.ctx.db, "UPDATE escrow_milestones SET state = 'expired' WHERE escrow_id = ? AND idx = 1", d.escrow.id)
    const release = await failure(desk.as(ALICE, 'escrow.request', { id: d.escrow.id, kind: 'release', milestone: 1 }))
    expect(release.code).toBe('ESCROW_STATE')
    expect(release.message).toBe('Milestone 1 of "Website build" is expired — you cannot release it now; ask for a refund to the payer.')
    // A milestone in any other state keeps the plain sentence.
    const held = await failure(
      desk.as(ALICE, 'escrow.request', { id: d.escrow.id, kind: 'resolve', milestone: 2, toPayee: '1', toPayer: '1' }),
    )
    expect(held.message).not.toContain('refund')
  })

  it('imports escrows from a CSV, one row per milestone, all or nothing', async () => {
    const header =
      'escrow_name,reference,rail,network,asset,payee,payee_name,expires_at,milestone_title,amount,review_window_hours,review_ends_at'
    const row = (name: string, title: string, amount: string, ends: string) =>
      `${name},PO-7,evm,8453,${USDC},${PAYEE},Web Studio,2026-06-01T00:00:00Z,${title},${amount},48,${ends}`
    const csv = [
      header,
      row('Site', 'Design', '10.50', '2026-03-10T00:00:00Z'),
      row('Site', 'Build', '20', '2026-04-10T00:00:00Z'),
      row('Logo', 'Draft', '5', '2026-03-20T00:00:00Z'),
    ].join('\n')
    const made = await desk.as(ALICE, 'escrow.importCsv', { csv, autoRelease: false })
    expect(made.escrows.map((e) => [e.name, e.total, e.milestones]).sort()).toEqual([
      ['Logo', '5.000000', 1],
      ['Site', '30.500000', 2],
    ])
    const bad = [header, row('Other', 'A', '1', '2026-03-10T00:00:00Z'), row('Other', 'B', 'ten', '2026-04-10T00:00:00Z')].join('\n')
    const f = await failure(desk.as(ALICE, 'escrow.importCsv', { csv: bad, autoRelease: false }))
    expect(f.code).toBe('ESCROW_INVALID')
    expect(f.message).toMatch(/^Row 3, milestones\.1\.amount: /)
    expect((await desk.as(ALICE, 'escrow.list', {})).escrows).toHaveLength(2)
  })
})

describe('rolled-up state', () => {
  it('follows the milestones', () => {
    expect(rolledUpState(['draft', 'draft'], false)).toBe('draft')
    expect(rolledUpState(['draft', 'draft'], true)).toBe('failed')
    expect(rolledUpState(['funding', 'funding'], false)).toBe('funding')
    expect(rolledUpState(['released', 'disputed', 'held'], false)).toBe('disputed')
    expect(rolledUpState(['released', 'held'], false)).toBe('held')
    expect(rolledUpState(['released', 'released'], false)).toBe('released')
    expect(rolledUpState(['released', 'resolved', 'released'], false)).toBe('resolved')
    expect(rolledUpState(['refunded', 'refunded'], false)).toBe('refunded')
    expect(rolledUpState(['released', 'expired'], false)).toBe('expired')
  })
})
