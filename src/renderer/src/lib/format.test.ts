import { describe, expect, it } from 'vitest'
import { formatExact, formatHourMinute, shareBasisPoints, summarizeChange } from './format'

describe('formatExact', () => {
  it('keeps 10^30 minor units exact, grouped', () => {
    expect(formatExact('1000000000000000000000000.000000', 6)).toBe('1,000,000,000,000,000,000,000,000.000000')
  })
  it('pads to the scale and keeps the sign', () => {
    expect(formatExact('-1234.5', 2)).toBe('-1,234.50')
    expect(formatExact('0', 6)).toBe('0.000000')
  })
  it('shows a string it cannot read as it is, rather than lose it', () => {
    expect(formatExact('1.0000001', 6)).toBe('1.0000001')
    expect(formatExact('abc', 2)).toBe('abc')
  })
})

describe('shareBasisPoints', () => {
  it('computes shares exactly in bigint, beyond Number precision', () => {
    expect(shareBasisPoints([10n ** 30n, 10n ** 30n, 0n])).toEqual([5000, 5000, 0])
    // Rounded down: shares never add up to more than the whole.
    expect(shareBasisPoints([10n ** 40n + 1n, 1n])).toEqual([9_999, 0])
  })
  it('treats negatives as zero and an empty whole as all zero', () => {
    expect(shareBasisPoints([-5n, 5n])).toEqual([0, 10_000])
    expect(shareBasisPoints([0n, 0n])).toEqual([0, 0])
  })
})

describe('summarizeChange', () => {
  it('is one bounded line', () => {
    expect(summarizeChange({ name: 'Dana', roles: ['admin'] })).toBe('name: "Dana", roles: ["admin"]')
    expect(summarizeChange({ big: 'x'.repeat(1000) }, 50)).toHaveLength(50)
    expect(summarizeChange(null)).toBe('—')
  })
})

describe('formatHourMinute', () => {
  it('shows local hours and minutes, zero-padded, without seconds', () => {
    expect(formatHourMinute(new Date(2026, 0, 31, 9, 5, 59))).toBe('09:05')
    expect(formatHourMinute(new Date(2026, 0, 31, 23, 41, 0))).toBe('23:41')
  })
})
