import { describe, expect, it } from 'vitest'
import {
  ageText,
  isZeroDecimal,
  lastFullMonth,
  periodLabel,
  recentMonths,
  runSentence,
  signedMoney,
  subtractDecimals,
  sumDecimals,
} from './matchWords'

describe('matching words', () => {
  it('adds and subtracts decimals exactly, past what a double holds', () => {
    expect(sumDecimals(['-40.00', '-60.00'], 2)).toBe('-100.00')
    expect(sumDecimals(['0.10', '0.20'], 2)).toBe('0.30')
    expect(sumDecimals([], 2)).toBe('0.00')
    expect(sumDecimals(['1234567890123456789.99', '0.01'], 2)).toBe('1234567890123456790.00')
    expect(subtractDecimals('33.00', '-75.00', 2)).toBe('108.00')
    expect(subtractDecimals('-0.05', '0.00', 2)).toBe('-0.05')
    expect(subtractDecimals('1', '3', 0)).toBe('-2')
  })

  it('writes a difference with its sign, zero without one', () => {
    expect(signedMoney('108.00', 'EUR')).toBe('+108.00 EUR')
    expect(signedMoney('-2.50', 'EUR')).toBe('-2.50 EUR')
    expect(signedMoney('0.00', 'EUR')).toBe('0.00 EUR')
    expect(signedMoney('1234.5', 'USD')).toBe('+1,234.5 USD')
    expect(isZeroDecimal('-0.00')).toBe(true)
    expect(isZeroDecimal('0.01')).toBe(false)
  })

  it('names months: the last full one is the default to close', () => {
    expect(lastFullMonth(new Date(2026, 11, 4))).toBe('2026-11')
    expect(lastFullMonth(new Date(2027, 0, 15))).toBe('2026-12')
    expect(recentMonths(new Date(2027, 0, 15), 3)).toEqual(['2026-12', '2026-11', '2026-10'])
    expect(periodLabel('2026-11')).toBe('November 2026')
    expect(ageText(0)).toBe('today')
    expect(ageText(1)).toBe('1 day')
    expect(ageText(22)).toBe('22 days')
  })

  it('says what a run found, and a preview as what it would do', () => {
    const stats = {
      statementItems: 6,
      ledgerItems: 6,
      matched: 2,
      suggested: 3,
      byKind: {},
      exceptions: { unmatched: 2 },
      rejectedBefore: 0,
    }
    expect(runSentence(stats, false)).toBe(
      '6 open statement lines and 6 open ledger postings compared: 2 matched at once, 3 suggested for you to confirm, 2 items for the exceptions queue.',
    )
    expect(runSentence({ ...stats, rejectedBefore: 1 }, true)).toBe(
      '6 open statement lines and 6 open ledger postings compared: 2 would be matched at once, 3 would be suggested for you to confirm, 2 items for the exceptions queue · 1 rejected before, not proposed again.',
    )
  })
})
