/**
 * Amounts for people at the precision they expect — "1,250.50 USDC", "0.5 ETH" — without ever
 * rounding: only trailing zeros are trimmed, down to a display minimum per asset (2 decimals for
 * fiat and stablecoins, none for native coins such as ETH or XLM). A value with more significant
 * decimals than that minimum shows every one of them. Stored and exported amounts stay the exact
 * decimal strings at the asset's scale; this is for the screen and the CLI's human output only.
 */
import { formatAmountGrouped, parseAmount } from './money'

/** Codes people read as money with cents. Anything else (ETH, XLM, tokens) keeps only its significant digits. */
const TWO_DECIMAL_CODES: ReadonlySet<string> = new Set([
  'USD',
  'EUR',
  'GBP',
  'CHF',
  'CAD',
  'AUD',
  'NZD',
  'SGD',
  'HKD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'MXN',
  'BRL',
  'USDC',
  'USDT',
  'EURC',
  'PYUSD',
  'DAI',
  'USDS',
  'EURS',
])

/** The fewest decimals `code` shows with (never more than the asset's scale). */
export function displayMinDecimals(code: string, scale: number): number {
  const min = TWO_DECIMAL_CODES.has(code.toUpperCase()) ? 2 : 0
  return Math.min(min, scale)
}

/**
 * An exact amount in minor units, grouped and with trailing zeros trimmed down to the display
 * minimum: (1250500000n, 6, 'USDC') → "1,250.50"; (10n**18n, 18, 'ETH') → "1"; (1n, 18, 'ETH') →
 * "0.000000000000000001". Exact: parse the result back and it is the same value.
 */
export function formatDisplayMinor(minor: bigint, scale: number, code: string): string {
  const grouped = formatAmountGrouped(minor, scale)
  const dot = grouped.indexOf('.')
  if (dot < 0) return grouped
  const min = displayMinDecimals(code, scale)
  let end = grouped.length
  while (end > dot + 1 + min && grouped[end - 1] === '0') end--
  return end === dot + 1 ? grouped.slice(0, dot) : grouped.slice(0, end)
}

/** The same for a decimal string at `scale`; text that is not a decimal comes back as it was (never lost). */
export function formatDisplay(decimal: string, scale: number, code: string): string {
  try {
    return formatDisplayMinor(parseAmount(decimal, scale, { allowNegative: true, allowZero: true }), scale, code)
  } catch {
    return decimal
  }
}
