/**
 * Deadlines as people read them: "review ends in 2 d 4 h", "expires in 5 h 12 min", "review ended
 * 3 h ago". Durations only (the clock of this window), never money: plain numbers are fine here.
 */
import type { EscrowSummary } from '../../../../shared/escrowApi'

const SECOND_MS = 1_000
const MINUTE_MS = 60 * SECOND_MS
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS
/** Under this, a deadline is highlighted: someone has to act today. */
export const DEADLINE_URGENT_MS = DAY_MS
/** How often a countdown is redrawn: every second in its last hour, otherwise twice a minute. */
export const COUNTDOWN_TICK_FAST_MS = SECOND_MS
export const COUNTDOWN_TICK_SLOW_MS = 30 * SECOND_MS

export type DeadlineKind = NonNullable<EscrowSummary['nextDeadline']>['kind']

/** "2 d 4 h", "5 h 12 min", "12 min", "45 s": two units at most, the larger ones first. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms)
  if (abs >= DAY_MS) {
    const d = Math.floor(abs / DAY_MS)
    const h = Math.floor((abs % DAY_MS) / HOUR_MS)
    return h > 0 ? `${d} d ${h} h` : `${d} d`
  }
  if (abs >= HOUR_MS) {
    const h = Math.floor(abs / HOUR_MS)
    const m = Math.floor((abs % HOUR_MS) / MINUTE_MS)
    return m > 0 ? `${h} h ${m} min` : `${h} h`
  }
  if (abs >= MINUTE_MS) return `${Math.floor(abs / MINUTE_MS)} min`
  return `${Math.floor(abs / SECOND_MS)} s`
}

const WORDS: Record<DeadlineKind, { future: string; past: string }> = {
  review_ends: { future: 'review ends in', past: 'review ended' },
  expires: { future: 'expires in', past: 'expired' },
  stripe_hold_limit: { future: 'Stripe hold ends in', past: 'Stripe hold ended' },
}

export interface DeadlineText {
  text: string
  /** Less than DEADLINE_URGENT_MS left. */
  urgent: boolean
  passed: boolean
}

export function deadlineText(kind: DeadlineKind, atIso: string, nowMs: number): DeadlineText {
  const at = Date.parse(atIso)
  if (Number.isNaN(at)) return { text: atIso, urgent: false, passed: false }
  const left = at - nowMs
  const words = WORDS[kind]
  if (left <= 0) return { text: `${words.past} ${formatDuration(left)} ago`, urgent: true, passed: true }
  return { text: `${words.future} ${formatDuration(left)}`, urgent: left < DEADLINE_URGENT_MS, passed: false }
}

/** How long until the countdown next needs redrawing. */
export function countdownTickMs(atIso: string, nowMs: number): number {
  const left = Math.abs(Date.parse(atIso) - nowMs)
  return left < HOUR_MS ? COUNTDOWN_TICK_FAST_MS : COUNTDOWN_TICK_SLOW_MS
}
