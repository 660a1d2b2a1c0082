import { describe, expect, it } from 'vitest'
import { displayMinDecimals, formatDisplay, formatDisplayMinor } from './displayAmount'
import { parseAmount } from './money'

describe('formatDisplay', () => {
  it('trims trailing zeros down to two decimals for stablecoins and fiat', () => {
    expect(formatDisplay('1250.500000', 6, 'USDC')).toBe('1,250.50')
    expect(formatDisplay('1250.5000000', 7, 'USDC')).toBe('1,250.50')
    expect(formatDisplay('1250', 2, 'USD')).toBe('1,250.00')
    expect(formatDisplay('0.000000', 6, 'USDC')).toBe('0.00')
  })

  it('keeps only significant digits for native coins', () => {
    expect(formatDisplay('1.000000000000000000', 18, 'ETH')).toBe('1')
    expect(formatDisplay('0.500000000000000000', 18, 'ETH')).toBe('0.5')
    expect(formatDisplay('12.5000000', 7, 'XLM')).toBe('12.5')
  })

  it('never rounds: an 18-decimal amount with a non-zero last digit shows every digit', () => {
    expect(formatDisplay('0.000000000000000001', 18, 'ETH')).toBe('0.000000000000000001')
    expect(formatDisplay('1234.567890123456789012', 18, 'ETH')).toBe('1,234.567890123456789012')
    expect(formatDisplay('1.123456789012345678', 18, 'ETH')).toBe('1.123456789012345678')
    expect(formatDisplay('10.1234561', 7, 'USDC')).toBe('10.1234561')
    expect(formatDisplay('10.123', 6, 'USDC')).toBe('10.123')
  })

  it('shows uint256-size values exactly', () => {
    const max = 2n ** 256n - 1n
    const text = formatDisplayMinor(max, 18, 'ETH')
    expect(text).toBe('115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.584007913129639935')
    expect(parseAmount(text.replaceAll(',', ''), 18)).toBe(max)
    expect(formatDisplayMinor(max - 999_999_999_999_999_999n, 18, 'ETH')).toBe(
      '115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,456.584007913129639936',
    )
    expect(formatDisplayMinor(10n ** 77n, 18, 'ETH')).toBe(`${(10n ** 59n).toLocaleString('en-US')}`)
  })

  it('round-trips: what it shows is the exact value', () => {
    for (const [v, s, c] of [
      ['987654321.000100', 6, 'USDC'],
      ['0.0000001', 7, 'XLM'],
      ['-42.100000000000000000', 18, 'ETH'],
    ] as const) {
      expect(parseAmount(formatDisplay(v, s, c).replaceAll(',', ''), s, { allowNegative: true })).toBe(
        parseAmount(v, s, { allowNegative: true }),
      )
    }
  })

  it('keeps negatives and leaves text that is not a decimal as it was', () => {
    expect(formatDisplay('-1000.250000', 6, 'USDC')).toBe('-1,000.25')
    expect(formatDisplay('abc', 6, 'USDC')).toBe('abc')
  })

  it('never shows more decimals than the asset has', () => {
    expect(displayMinDecimals('JPY', 0)).toBe(0)
    expect(formatDisplay('1500', 0, 'USD')).toBe('1,500')
    expect(displayMinDecimals('usdc', 6)).toBe(2)
    expect(displayMinDecimals('ETH', 18)).toBe(0)
  })
})
