/**
 * The words of the matching engine's reasons (issue 15) that a match of one line and one posting
 * needs: shared by the passes that decide such a match and by ./matchRecord.ts, which writes the
 * sentence only when the reason is first read. Both must say the very same thing, so the sentence
 * is written here once.
 */
import { formatAmount } from '../../../../shared/money'
import type { MatchItem, MatchRule } from './matchTypes'

/** reason.rule of a match made by exact keys with equal amounts (no rule was needed). */
export const KEY_RULE_ID = 'key'
export const KEY_RULE_NAME = 'Exact key'

/** The keys of a match made without keys (shared: it is read-only). */
export const NO_KEYS: readonly string[] = Object.freeze([])

const BPS_PER_UNIT = 10_000n

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

/** "12.00 EUR": an amount in the scale of its currency. */
export function moneyText(amount: bigint, scale: number, currency: string): string {
  return `${formatAmount(amount, scale)} ${currency}`
}

export function abs(v: bigint): bigint {
  return v < 0n ? -v : v
}

/** The larger of the rule's absolute tolerance and its basis points of the size of `amount` (rounded down). */
export function ruleTolerance(rule: MatchRule, bps: bigint, amount: bigint): bigint {
  if (bps === 0n) return rule.toleranceMinor
  const relative = (abs(amount) * bps) / BPS_PER_UNIT
  return relative > rule.toleranceMinor ? relative : rule.toleranceMinor
}

/** The keys two items share, sorted and distinct. */
export function sharedKeys(a: MatchItem, b: MatchItem): string[] {
  if (a.keys.length === 1 && b.keys.length === 1) return a.keys[0] === b.keys[0] ? [a.keys[0]!] : []
  const shared: string[] = []
  for (const k of a.keys) if (b.keys.includes(k) && !shared.includes(k)) shared.push(k)
  return shared.sort()
}

/** The keys of a key match of one line and one posting: the line's own array when it has one key (read-only, shared). */
export function pairKeys(line: MatchItem, posting: MatchItem): readonly string[] {
  return line.keys.length === 1 ? line.keys : sharedKeys(line, posting)
}

/** "Same reference E2E-7; amounts equal": a key match of equal totals (with its shape when it is not one line and one posting). */
export function sameKeysText(keys: readonly string[], shape = ''): string {
  const one = keys.length === 1
  return `Same reference${one ? '' : 's'} ${one ? keys[0]! : keys.join(', ')}; amounts equal${shape}`
}

/** A 1:1 match of equal amounts under an amount rule. */
export function sameAmountText(line: MatchItem, scale: number, days: number, rule: MatchRule): string {
  return `Same amount ${moneyText(line.amount, scale, line.currency)}, ${plural(days, 'business day')} apart (rule "${rule.name}")`
}

/** A 1:1 match whose amounts differ inside the rule's tolerance. */
export function nearAmountText(
  line: MatchItem,
  posting: MatchItem,
  scale: number,
  days: number,
  rule: MatchRule,
  tolerance: bigint,
): string {
  const variance = line.amount - posting.amount
  return `Amount ${moneyText(line.amount, scale, line.currency)} against ${formatAmount(posting.amount, scale)} differs by ${formatAmount(abs(variance), scale)} (inside the ${formatAmount(tolerance, scale)} tolerance of rule "${rule.name}"), ${plural(days, 'business day')} apart`
}
