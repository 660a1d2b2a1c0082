import { describe, expect, it } from 'vitest'
import { checkSplit, followReviewEnds, fromLocalInput, milestonesTotal, openAmount, type MilestoneDraft } from './milestonePlan'
import { deadlineText, formatDuration } from './deadlines'

const row = (amount: string, hours: string, reviewEndsAt = '', endsAtEdited = false): MilestoneDraft => ({
  title: 't',
  amount,
  reviewWindowHours: hours,
  reviewEndsAt,
  endsAtEdited,
})

describe('milestone plan', () => {
  it('totals exactly, past 2^53, and refuses a surplus digit', () => {
    expect(milestonesTotal([row('9007199254.740993', '0'), row('0.000001', '0')], 6)).toBe(9007199254740994n)
    expect(milestonesTotal([row('1.0000001', '0')], 6)).toBeNull()
    expect(milestonesTotal([row('', '0')], 6)).toBeNull()
  })

  it('each review end follows the previous one plus its own window, until typed', () => {
    const start = new Date(2026, 0, 1, 9, 0)
    const rows = followReviewEnds([row('1', '24'), row('1', '48'), row('1', '72')], start)
    expect(rows.map((r) => r.reviewEndsAt)).toEqual(['2026-01-02T09:00', '2026-01-04T09:00', '2026-01-07T09:00'])
    const typed = followReviewEnds([row('1', '24'), row('1', '48', '2026-02-01T10:00', true), row('1', '24')], start)
    expect(typed.map((r) => r.reviewEndsAt)).toEqual(['2026-01-02T09:00', '2026-02-01T10:00', '2026-02-02T10:00'])
    expect(fromLocalInput('')).toBeNull()
  })

  it('a split must add up to the milestone exactly', () => {
    expect(checkSplit('700.000000', '300', '1000', 6, 'USDC')).toMatchObject({ ok: true, sum: '1,000.00' })
    expect(checkSplit('700', '299.999999', '1000', 6, 'USDC')).toMatchObject({ ok: false, difference: '0.000001', over: false })
    expect(checkSplit('700', '300.000001', '1000', 6, 'USDC')).toMatchObject({ ok: false, over: true })
    expect(checkSplit('700', '3.0000001', '1000', 6, 'USDC')).toMatchObject({ ok: false, sum: null })
    expect(checkSplit('', '', '0', 6, 'USDC').ok).toBe(false)
    // The sentence reads in the one display form (never rounded); the hover has the exact values.
    expect(checkSplit('1750.35', '750', '2500.500000', 6, 'USDC')).toMatchObject({
      sum: '2,500.35',
      target: '2,500.50',
      difference: '0.15',
      exact: { sum: '2,500.350000', target: '2,500.500000', difference: '0.150000' },
    })
    expect(checkSplit('0.5', '0.25', '1', 18, 'ETH')).toMatchObject({ sum: '0.75', target: '1', difference: '0.25' })
    expect(openAmount('1000', '700', '0', 6)).toBe('300.000000')
  })
})

describe('deadlines', () => {
  it('reads as people say it', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(formatDuration((2 * 24 + 4) * 3600_000 + 59_000)).toBe('2 d 4 h')
    expect(deadlineText('review_ends', '2026-01-03T04:30:00Z', now)).toEqual({
      text: 'review ends in 2 d 4 h',
      urgent: false,
      passed: false,
    })
    expect(deadlineText('expires', '2026-01-01T05:12:30Z', now)).toEqual({ text: 'expires in 5 h 12 min', urgent: true, passed: false })
    expect(deadlineText('review_ends', '2025-12-31T21:00:00Z', now).text).toBe('review ended 3 h ago')
  })
})
