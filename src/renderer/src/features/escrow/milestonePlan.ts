/**
 * The arithmetic of the create form and the resolve form, exact: amounts are parsed to bigint
 * minor units at the asset's scale (shared/money.ts) and never go through a JS number. Review
 * windows are hours, not money.
 */
import { formatDisplayMinor } from '../../../../shared/displayAmount'
import { formatAmount, formatAmountGrouped, parseAmount } from '../../../../shared/money'

const HOUR_MS = 60 * 60 * 1000

/** One milestone row of the create form, as typed. */
export interface MilestoneDraft {
  title: string
  amount: string
  /** Hours, as typed. */
  reviewWindowHours: string
  /** `datetime-local` value (local time, "2026-03-01T12:00"); '' until known. */
  reviewEndsAt: string
  /** The person typed the end: it no longer follows the row before it. */
  endsAtEdited: boolean
}

/** Minor units of `text` at `scale`, or null when it is not an exact amount (or not positive, unless zero is allowed). */
export function minorOf(text: string, scale: number, allowZero = false): bigint | null {
  try {
    return parseAmount(text.trim(), scale, { allowZero })
  } catch {
    return null
  }
}

/** The exact total of the rows, or null while one of them is not an amount. */
export function milestonesTotal(rows: readonly Pick<MilestoneDraft, 'amount'>[], scale: number): bigint | null {
  let total = 0n
  for (const r of rows) {
    const m = minorOf(r.amount, scale)
    if (m === null) return null
    total += m
  }
  return total
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** A Date as a `datetime-local` value in this window's time zone, to the minute. */
export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A `datetime-local` value as an ISO timestamp, or null when it is not a date. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null
  const t = new Date(value).getTime()
  return Number.isNaN(t) ? null : new Date(t).toISOString()
}

/** Whole hours from 0, or null. */
export function hoursOf(text: string): number | null {
  return /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null
}

/**
 * Fill in each row's review end that the person did not type: the previous milestone's end (the
 * start for the first) plus this milestone's window. Typed ends are kept, and later rows follow them.
 */
export function followReviewEnds(rows: readonly MilestoneDraft[], start: Date): MilestoneDraft[] {
  let previous = start.getTime()
  return rows.map((r) => {
    const hours = hoursOf(r.reviewWindowHours) ?? 0
    const next = r.endsAtEdited ? r : { ...r, reviewEndsAt: toLocalInput(new Date(previous + hours * HOUR_MS)) }
    const typed = fromLocalInput(next.reviewEndsAt)
    if (typed) previous = Date.parse(typed)
    return next
  })
}

export interface SplitCheck {
  ok: boolean
  /**
   * What the two parts add up to and what they must, in the one display form (trailing zeros
   * trimmed, never rounded); null while a part is not an amount.
   */
  sum: string | null
  target: string
  /** Positive: short of the target; negative: over it. Without sign. */
  difference: string | null
  over: boolean
  /** The same three at the asset's scale, exactly (for the hover). */
  exact: { sum: string | null; target: string; difference: string | null }
}

/** Do the payee's and the payer's parts add up to `target` exactly? Empty parts count as 0. */
export function checkSplit(toPayee: string, toPayer: string, target: string, scale: number, code: string): SplitCheck {
  const want = minorOf(target, scale, true) ?? 0n
  const a = toPayee.trim() === '' ? 0n : minorOf(toPayee, scale, true)
  const b = toPayer.trim() === '' ? 0n : minorOf(toPayer, scale, true)
  const shown = (minor: bigint) => formatDisplayMinor(minor, scale, code)
  const exact = (minor: bigint) => formatAmountGrouped(minor, scale)
  if (a === null || b === null) {
    return {
      ok: false,
      sum: null,
      target: shown(want),
      difference: null,
      over: false,
      exact: { sum: null, target: exact(want), difference: null },
    }
  }
  const sum = a + b
  const diff = want - sum
  const abs = diff < 0n ? -diff : diff
  return {
    ok: diff === 0n && sum > 0n,
    sum: shown(sum),
    target: shown(want),
    difference: shown(abs),
    over: diff < 0n,
    exact: { sum: exact(sum), target: exact(want), difference: exact(abs) },
  }
}

/** What is still held on a milestone: its amount less what was released and refunded. */
export function openAmount(amount: string, released: string, refunded: string, scale: number): string {
  const z = (s: string) => minorOf(s, scale, true) ?? 0n
  const left = z(amount) - z(released) - z(refunded)
  return formatAmount(left > 0n ? left : 0n, scale)
}
