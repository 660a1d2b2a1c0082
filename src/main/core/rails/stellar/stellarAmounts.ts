/** Horizon's 7-decimal amount strings ↔ stroops, exactly (never through a float). */
import { CsError } from '../../../../shared/errors'
import { formatAmount } from '../../../../shared/money'

/** Every Stellar asset counts 7 decimals on the wire (1 XLM = 10^7 stroops). */
export const STELLAR_SCALE = 7

const STELLAR_AMOUNT_RE = /^(\d{1,12})(?:\.(\d{1,7}))?$/

/** "12.3456789" → "123456789" (stroops as decimal text). */
export function stringToStroopsText(amount: string): string {
  const m = STELLAR_AMOUNT_RE.exec(amount)
  if (!m) throw new CsError('AMOUNT_INVALID', `Horizon sent "${amount.slice(0, 40)}", which is not a Stellar amount.`)
  return (BigInt(m[1]!) * 10_000_000n + BigInt((m[2] ?? '').padEnd(7, '0'))).toString()
}

/** 123456789n → "12.3456789": Stellar amounts on the wire, 7 decimals, exact. */
export function stroopsText(stroops: bigint): string {
  return formatAmount(stroops, STELLAR_SCALE)
}
