/**
 * How the matching screens word what the core sends: a match's kind and state, an item's state,
 * an exception's reason, a run's outcome, periods (YYYY-MM) and exact sums of decimals. Acts on
 * codes and fields, never on the core's sentences, which are shown as they are.
 */
import type { ReconException, ReconItem, ReconMatch, ReconRunStats } from '../../../../shared/reconMatchApi'
import { formatCount, formatExact, toMinor } from '../../lib/format'
import { formatStatementAmount } from './statementWords'

export type ItemState = ReconItem['state']
export type ReasonCode = ReconException['reason']

export const ITEM_STATES: readonly ItemState[] = ['matched', 'suggested', 'exception', 'unmatched']

export const ITEM_STATE_LABELS: Record<ItemState, string> = {
  matched: 'Matched',
  suggested: 'Suggested',
  exception: 'Exception',
  unmatched: 'Unmatched',
}

export const ITEM_STATE_COLORS: Record<ItemState, string> = {
  matched: 'teal',
  suggested: 'blue',
  exception: 'red',
  unmatched: 'gray',
}

export const MATCH_KIND_LABELS: Record<ReconMatch['kind'], string> = {
  key: 'Exact key',
  '1:1': 'One to one',
  '1:N': 'One line, several postings',
  'N:1': 'Several lines, one posting',
  fee: 'Bank charge',
  manual: 'By hand',
}

export const MATCH_STATE_LABELS: Record<ReconMatch['state'], string> = {
  suggested: 'Suggested',
  confirmed: 'Confirmed',
  rejected: 'Rejected',
  undone: 'Undone',
}

export const REASON_LABELS: Record<ReasonCode, string> = {
  unmatched: 'Unmatched',
  ambiguous: 'Ambiguous',
  amount_differs: 'Amount differs',
  duplicate: 'Duplicate',
}

/** What each reason asks of a person, under the reason filter. */
export const REASON_HINTS: Record<ReasonCode, string> = {
  unmatched: 'Nothing on the other side fits: match it by hand, book it, or accept it as a timing difference.',
  ambiguous: 'More than one candidate fits: pick the right one by hand.',
  amount_differs: 'A candidate fits except for the amount: match by hand with an adjustment, or accept.',
  duplicate: 'The bank shows a movement already matched once: ask the bank, then accept or book it.',
}

export const SIDE_LABELS: Record<'statement' | 'ledger', string> = {
  statement: 'Statement line',
  ledger: 'Ledger posting',
}

/** Digits after the point of a decimal the core sent: the account's scale. */
export function scaleOf(decimal: string): number {
  const dot = decimal.indexOf('.')
  return dot === -1 ? 0 : decimal.length - dot - 1
}

/** The exact sum of decimals of one scale, as a decimal at that scale (nothing through Number). */
export function sumDecimals(values: readonly string[], scale: number): string {
  let total = 0n
  for (const v of values) total += toMinor(v, scale) ?? 0n
  return minorText(total, scale)
}

/** a − b, exactly. */
export function subtractDecimals(a: string, b: string, scale: number): string {
  return minorText((toMinor(a, scale) ?? 0n) - (toMinor(b, scale) ?? 0n), scale)
}

export function isZeroDecimal(value: string): boolean {
  return /^-?0*(\.0*)?$/.test(value)
}

function minorText(minor: bigint, scale: number): string {
  const negative = minor < 0n
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0')
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return negative ? `-${text}` : text
}

/** "1,234.50 EUR", grouped, exact. */
export function money(value: string, currency: string): string {
  return `${formatStatementAmount(value)} ${currency}`
}

/** A signed difference with its sign always written: "+1.00 EUR", "-2.50 EUR", "0.00 EUR". */
export function signedMoney(value: string, currency: string): string {
  const scale = scaleOf(value)
  const text = formatExact(value, scale)
  return `${!text.startsWith('-') && !isZeroDecimal(value) ? '+' : ''}${text} ${currency}`
}

/** What a run found, in one sentence: "2 matched by exact keys, 3 suggested, 2 left for the exceptions queue". */
export function runSentence(stats: ReconRunStats, dryRun: boolean): string {
  const exceptions = Object.values(stats.exceptions).reduce((n, v) => n + v, 0)
  const parts = [
    `${formatCount(stats.matched)} ${dryRun ? 'would be matched' : 'matched'} at once`,
    `${formatCount(stats.suggested)} ${dryRun ? 'would be suggested' : 'suggested'} for you to confirm`,
    `${formatCount(exceptions)} ${exceptions === 1 ? 'item' : 'items'} for the exceptions queue`,
  ]
  const seen = `${formatCount(stats.statementItems)} open statement ${stats.statementItems === 1 ? 'line' : 'lines'} and ${formatCount(stats.ledgerItems)} open ledger ${stats.ledgerItems === 1 ? 'posting' : 'postings'} compared`
  const rejected = stats.rejectedBefore > 0 ? ` · ${formatCount(stats.rejectedBefore)} rejected before, not proposed again` : ''
  return `${seen}: ${parts.join(', ')}${rejected}.`
}

/** The exceptions of a run by reason: "1 unmatched · 1 duplicate". */
export function exceptionCounts(stats: ReconRunStats): string {
  const entries = Object.entries(stats.exceptions).filter(([, n]) => n > 0)
  if (entries.length === 0) return 'none'
  return entries.map(([k, n]) => `${formatCount(n)} ${k.replace('_', ' ')}`).join(' · ')
}

/** "2026-11" → "November 2026". */
export function periodLabel(period: string): string {
  const [y, m] = period.split('-').map(Number)
  if (!y || !m) return period
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })
}

/** The month before `now`'s: the last full month, what a controller closes first. */
export function lastFullMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getFullYear(), now.getMonth() - 1, 1))
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

/** `count` months back from the last full month, newest first. */
export function recentMonths(now: Date, count: number): string[] {
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const d = new Date(Date.UTC(now.getFullYear(), now.getMonth() - 1 - i, 1))
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`)
  }
  return out
}

/** Days as people say them: "today", "1 day", "22 days". */
export function ageText(days: number | null): string {
  if (days === null) return '—'
  if (days === 0) return 'today'
  return `${formatCount(days)} ${days === 1 ? 'day' : 'days'}`
}
