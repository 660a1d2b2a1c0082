import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hasErrorCode } from './errors'
import { AMOUNT_MAX, formatAmount, formatAmountGrouped, parseAmount } from './money'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return (e as { code?: string }).code
  }
  return undefined
}

describe('parseAmount', () => {
  it('parses exactly at the asset scale', () => {
    expect(parseAmount('1.5', 6)).toBe(1_500_000n)
    expect(parseAmount('0.000001', 6)).toBe(1n)
    expect(parseAmount('12', 2)).toBe(1200n)
    expect(parseAmount('7', 0)).toBe(7n)
    expect(parseAmount('1.230', 2)).toBe(123n) // trailing zeros are not precision
  })

  it('refuses surplus precision instead of rounding', () => {
    expect(codeOf(() => parseAmount('1.0000001', 6, { assetLabel: 'USDC' }))).toBe('AMOUNT_PRECISION')
    expect(() => parseAmount('1.0000001', 6, { assetLabel: 'USDC' })).toThrow(/more than 6 decimals for USDC/)
    expect(codeOf(() => parseAmount('1.5', 0))).toBe('AMOUNT_PRECISION')
    expect(codeOf(() => parseAmount('0.001', 2))).toBe('AMOUNT_PRECISION')
  })

  it('refuses malformed, zero and negative amounts with their own codes', () => {
    for (const bad of ['', ' 1', '1 ', '1,000.00', '1e6', '+1', '.5', '5.', '0x10', 'NaN', '١٢']) {
      expect(
        codeOf(() => parseAmount(bad, 6)),
        bad,
      ).toBe('AMOUNT_INVALID')
    }
    expect(codeOf(() => parseAmount('0', 6))).toBe('AMOUNT_INVALID')
    expect(codeOf(() => parseAmount('0.000', 6))).toBe('AMOUNT_INVALID')
    expect(codeOf(() => parseAmount('-1', 6))).toBe('AMOUNT_INVALID')
    expect(parseAmount('-1', 6, { allowNegative: true })).toBe(-1_000_000n)
    expect(parseAmount('0', 6, { allowZero: true })).toBe(0n)
  })

  it('holds uint256 exactly and refuses one more', () => {
    const max = AMOUNT_MAX.toString()
    expect(parseAmount(max, 0)).toBe(AMOUNT_MAX)
    expect(codeOf(() => parseAmount((AMOUNT_MAX + 1n).toString(), 0))).toBe('AMOUNT_RANGE')
    const tenTo30 = 10n ** 30n
    expect(parseAmount('1000000000000000000000000.000000', 6)).toBe(tenTo30)
    expect(codeOf(() => parseAmount('9'.repeat(200), 0))).toBe('AMOUNT_RANGE')
  })

  it('round-trips every amount and scale exactly (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -AMOUNT_MAX, max: AMOUNT_MAX }), fc.integer({ min: 0, max: 36 }), (minor, scale) => {
        const text = formatAmount(minor, scale)
        expect(parseAmount(text, scale, { allowNegative: true, allowZero: true })).toBe(minor)
      }),
      { numRuns: 2_000 },
    )
  })
})

describe('formatAmount', () => {
  it('pads and groups without rounding', () => {
    expect(formatAmount(1n, 6)).toBe('0.000001')
    expect(formatAmount(-1_500_000n, 6)).toBe('-1.500000')
    expect(formatAmount(123n, 0)).toBe('123')
    expect(formatAmountGrouped(10n ** 30n, 6)).toBe('1,000,000,000,000,000,000,000,000.000000')
    expect(formatAmountGrouped(-123456789n, 2)).toBe('-1,234,567.89')
    expect(formatAmountGrouped(999n, 0)).toBe('999')
  })

  it('reports errors by code, not class', () => {
    try {
      parseAmount('x', 2)
      expect.unreachable()
    } catch (e) {
      expect(hasErrorCode(e, 'AMOUNT_INVALID')).toBe(true)
    }
  })
})
