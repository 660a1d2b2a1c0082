/** The escrow history's sentences: amounts at display precision (never rounded), names for actions and states. */
import { describe, expect, it } from 'vitest'
import { escrowHistoryText } from './escrowHistoryText'

const USDC = { code: 'USDC', scale: 6 }
const actions = new Map([
  ['esc-1:a1', { kind: 'fund', milestone: null }],
  ['esc-1:a2', { kind: 'release', milestone: 2 }],
])
const text = (action: string, change: Record<string, unknown>) => escrowHistoryText(action, JSON.stringify(change), USDC, actions)

describe('escrowHistoryText', () => {
  it('says what happened, with exact amounts trimmed for reading', () => {
    expect(text('escrow.create', { total: '3000.000001', payee: '0x7099', milestones: [{}, {}] })).toBe(
      'Escrow created: 3,000.000001 USDC in 2 milestones, for 0x7099',
    )
    expect(text('escrow.action.request', { kind: 'release', milestone: 2, amount: '2500.500000', reason: null })).toBe(
      'Release of milestone 2 requested: 2,500.50 USDC',
    )
    expect(
      text('escrow.action.request', {
        kind: 'resolve',
        milestone: 1,
        amount: '1000.000000',
        toPayee: '600.000000',
        toPayer: '400.000000',
        reason: 'half done',
      }),
    ).toBe('Resolution of milestone 1 requested: 600.00 USDC to the payee, 400.00 USDC back to the payer — “half done”')
    expect(text('escrow.action.approve', { actionId: 'esc-1:a2', comment: null })).toBe('Approved the release of milestone 2')
    expect(
      text('escrow.action.approved', { actionId: 'esc-1:a1', kind: 'fund', milestone: null, from: 'awaiting_approval', to: 'approved' }),
    ).toBe('Funding approved — ready to execute')
    expect(
      text('escrow.action.failed', {
        actionId: 'esc-1:a1',
        kind: 'fund',
        milestone: null,
        failure: { code: 'X', message: 'the rail refused it' },
      }),
    ).toBe('Funding failed: the rail refused it')
    expect(
      text('escrow.tx.broadcast', { txId: 't', actionId: 'esc-1:a1', from: 'signed', to: 'broadcast', txHash: '0x' + 'ab'.repeat(32) }),
    ).toBe('Transaction for the funding sent (0xabababab…)')
    expect(text('escrow.tx.confirmed', { txId: 't', actionId: 'esc-1:a2', landedAgainAfterReorg: true })).toBe(
      'Transaction for the release of milestone 2 confirmed again after a reorg',
    )
    expect(
      text('escrow.milestone.change', { milestone: 1, from: 'disputed', state: 'resolved', released: '600000000', refunded: '400000000' }),
    ).toBe('Milestone 1 resolved: 600.00 USDC to the payee, 400.00 USDC back to the payer')
    expect(text('escrow.milestone.change', { milestone: 2, from: 'in_review', state: 'released', released: '1', auto_released: 1 })).toBe(
      'Milestone 2 released: 0.000001 USDC to the payee, automatically, after its review window',
    )
    expect(text('escrow.state', { from: 'funding', to: 'held' })).toBe('Escrow is now held')
    expect(text('escrow.cancel', { from: 'draft', comment: 'wrong payee' })).toBe('Escrow cancelled — “wrong payee”')
  })

  it('an action it has no sentence for reads as its fields, nothing hidden; long lines are cut with an ellipsis', () => {
    expect(text('escrow.reminder', { kind: 'review_ends', milestone: 1 })).toBe('reminder: kind review_ends, milestone 1')
    const long = text('escrow.cancel', { comment: 'x'.repeat(400) })
    expect(long).toHaveLength(300)
    expect(long.endsWith('…')).toBe(true)
  })
})
