/**
 * Exact money. Amounts are bigint minor units paired with an asset scale; decimal strings only at
 * the edges. Nothing here ever rounds: surplus precision is an error the user must fix.
 * Imports nothing platform-specific (runs in the renderer, the core and the CLI).
 */
import { CsError } from './errors'

/** Largest magnitude an amount may have: on-chain amounts are uint256. */
export const AMOUNT_MAX = (1n << 256n) - 1n
/** Scales above this are not money we know of (ETH wei is 18). */
export const SCALE_MAX = 36

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/
/** Longest decimal string we accept: uint256 has 78 digits, plus sign, point and scale. */
export const DECIMAL_CHARS_MAX = 78 + 2 + SCALE_MAX

export interface ParseAmountOptions {
  /** Allow a leading '-' (journal postings are signed; payouts never are). */
  allowNegative?: boolean
  /** Allow zero (balances may be zero; postings and payouts may not). */
  allowZero?: boolean
  /** Name of the asset for the error sentence, e.g. "USDC". */
  assetLabel?: string
}

/**
 * Parse a decimal string into minor units at `scale`, exactly.
 * "1.5" at scale 6 -> 1500000n. "1.0000001" at scale 6 -> AMOUNT_PRECISION.
 */
export function parseAmount(text: string, scale: number, options: ParseAmountOptions = {}): bigint {
  assertScale(scale)
  const label = options.assetLabel ?? `an asset with ${scale} decimals`
  if (typeof text !== 'string' || text.length === 0) {
    throw new CsError('AMOUNT_INVALID', 'The amount is empty — enter a decimal number such as 12.50.')
  }
  if (text.length > DECIMAL_CHARS_MAX) {
    throw new CsError('AMOUNT_RANGE', `The amount has ${text.length} characters — that is larger than any amount ${label} can hold.`)
  }
  const m = DECIMAL_RE.exec(text)
  if (!m) {
    throw new CsError(
      'AMOUNT_INVALID',
      `"${truncate(text)}" is not a decimal amount — use digits with an optional "." (no spaces, commas, signs or exponents).`,
    )
  }
  const negative = m[1] === '-'
  const whole = m[2]!
  const fraction = m[3] ?? ''
  const significantFraction = fraction.replace(/0+$/, '')
  if (significantFraction.length > scale) {
    throw new CsError(
      'AMOUNT_PRECISION',
      `${truncate(text)} has more than ${scale} decimals for ${label} — remove the extra digits; amounts are never rounded.`,
    )
  }
  const minor = BigInt(whole + significantFraction.padEnd(scale, '0'))
  const signed = negative ? -minor : minor
  if (minor > AMOUNT_MAX) {
    throw new CsError('AMOUNT_RANGE', `${truncate(text)} is larger than the largest amount ${label} can hold (2^256 − 1 minor units).`)
  }
  if (signed === 0n && !options.allowZero) {
    throw new CsError('AMOUNT_INVALID', 'The amount is zero — enter an amount greater than zero.')
  }
  if (signed < 0n && !options.allowNegative) {
    throw new CsError('AMOUNT_INVALID', `${truncate(text)} is negative — enter an amount greater than zero.`)
  }
  return signed
}

/** Format minor units as a plain decimal string with exactly `scale` decimals ("-12.500000"). */
export function formatAmount(minor: bigint, scale: number): string {
  assertScale(scale)
  const negative = minor < 0n
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const fraction = digits.slice(digits.length - scale)
  return `${negative ? '-' : ''}${whole}${scale > 0 ? '.' + fraction : ''}`
}

/** Format for people: thousands separators, exact, no rounding ("1,234,567.50"). */
export function formatAmountGrouped(minor: bigint, scale: number): string {
  const plain = formatAmount(minor, scale)
  const negative = plain.startsWith('-')
  const [whole, fraction] = (negative ? plain.slice(1) : plain).split('.')
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${negative ? '-' : ''}${grouped}${fraction !== undefined ? '.' + fraction : ''}`
}

/** Parse a canonical signed integer string (as stored in the DB: "-123"). Programmer error if bad. */
export function parseMinor(text: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new Error(`invariant: stored amount "${truncate(text)}" is not an integer string`)
  return BigInt(text)
}

export function assertScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > SCALE_MAX) {
    throw new Error(`invariant: asset scale ${scale} is not an integer in 0..${SCALE_MAX}`)
  }
}

function truncate(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + '…' : text
}
