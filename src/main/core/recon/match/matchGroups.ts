/**
 * The group passes of an amount rule with maxGroup > 1 (issue 15): one line against groups of
 * postings summing to it (1:N), then one posting against groups of lines (N:1). Candidates come
 * from a day-sorted index of what the earlier passes left, at most MATCH_GROUP_CANDIDATES_MAX per
 * item; ./groupSearch.ts decides whether none, one or several groups fit.
 */
import { formatAmount } from '../../../../shared/money'
import { businessDaysBetween, calendarDaysWithin } from './businessDays'
import { searchGroups } from './groupSearch'
import { MATCH_GROUP_CANDIDATES_MAX, type MatchItem, type MatchRule } from './matchTypes'
import {
  FREE,
  abs,
  byId,
  counterpartiesFit,
  idList,
  largestDayGap,
  money,
  noteCandidates,
  plural,
  pushException,
  pushMatch,
  sumOf,
  ruleSees,
  toleranceFor,
  type Engine,
  type PreparedRule,
  type Side,
} from './matchState'

/** Free items of one side in one partition, sorted by day then id. */
interface DayIndex {
  readonly items: Int32Array
  readonly days: Int32Array
  /** Each item's amount as a double (see AmountIndex): compared without touching the item. */
  readonly approx: Float64Array
  /** Rank by id of the item at each position, among the index's items. */
  readonly ranks: Int32Array
  /** The item of each id rank. */
  readonly byRank: Int32Array
}

/**
 * Orders that sort on (a small number, a rank) pack both into one double, number × RANK_SPAN +
 * rank, so that a typed-array sort without a comparator does the work (exact: the numbers stay
 * far below 2^53 / RANK_SPAN).
 */
const RANK_SPAN = 2 ** 32

/** Free items of one side per partition and sign (dayIndexSlot), sorted by day then id. */
function buildDayIndex(e: Engine, side: Side): (DayIndex | undefined)[] {
  const lists: number[][] = Array.from({ length: e.parts.length * 3 }, () => [])
  for (let i = 0; i < side.items.length; i++) if (side.state[i] === FREE) lists[dayIndexSlot(side.part[i]!, side.sign[i]!)]!.push(i)
  return lists.map((list) => {
    if (list.length === 0) return undefined
    const byRank = Int32Array.from(list.sort(byId(side.items)))
    const packed = new Float64Array(byRank.length)
    for (let r = 0; r < byRank.length; r++) packed[r] = side.items[byRank[r]!]!.day * RANK_SPAN + r
    packed.sort()
    const items = new Int32Array(packed.length)
    const days = new Int32Array(packed.length)
    const ranks = new Int32Array(packed.length)
    const approx = new Float64Array(packed.length)
    for (let p = 0; p < packed.length; p++) {
      const day = Math.floor(packed[p]! / RANK_SPAN)
      ranks[p] = packed[p]! - day * RANK_SPAN
      days[p] = day
      items[p] = byRank[ranks[p]!]!
      approx[p] = Number(side.items[items[p]!]!.amount)
    }
    return { items, days, approx, ranks, byRank }
  })
}

function dayIndexSlot(part: number, sign: number): number {
  return part * 3 + sign + 1
}

function firstDayAtLeast(days: Int32Array, day: number): number {
  let low = 0
  let high = days.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (days[mid]! < day) low = mid + 1
    else high = mid
  }
  return low
}

/**
 * Free items of `other` that could be part of a group for `anchor`: same partition and sign,
 * smaller in size, inside the window, counterparty fitting. At most MATCH_GROUP_CANDIDATES_MAX,
 * closest by day, then smallest id — in that order. Walks outwards from the anchor's day, one
 * day distance at a time (the days before and after merged by id rank), and stops as soon as it
 * has enough: no sort, and no more items read than needed.
 */
function groupCandidates(other: Side, index: DayIndex, anchor: MatchItem, sign: number, rule: MatchRule): number[] {
  const span = calendarDaysWithin(rule.windowDays)
  const size = Number(anchor.amount)
  const found: number[] = []
  const n = index.items.length
  let below = firstDayAtLeast(index.days, anchor.day) // items before it are on earlier days
  let above = below
  for (let distance = 0; distance <= span && found.length < MATCH_GROUP_CANDIDATES_MAX; distance++) {
    // This distance's items: [before, below) on the earlier day and [above, after) on the later one.
    let before = below
    if (distance > 0) while (before > 0 && index.days[before - 1] === anchor.day - distance) before--
    let after = above
    while (after < n && index.days[after] === anchor.day + distance) after++
    for (let p = before, q = above; (p < below || q < after) && found.length < MATCH_GROUP_CANDIDATES_MAX;) {
      const fromBefore = q >= after || (p < below && index.ranks[p]! < index.ranks[q]!)
      const position = fromBefore ? p++ : q++
      if (fitsGroup(other, index, position, anchor, size, sign, rule)) found.push(index.items[position]!)
    }
    below = before
    above = after
  }
  return found
}

/** The item at `position` of the day index may join a group for `anchor` (of amount ≈ `size` as a double). */
function fitsGroup(
  other: Side,
  index: DayIndex,
  position: number,
  anchor: MatchItem,
  size: number,
  sign: number,
  rule: MatchRule,
): boolean {
  const i = index.items[position]!
  if (other.state[i] !== FREE || businessDaysBetween(anchor.day, index.days[position]!) > rule.windowDays) return false
  // All of one sign, so "smaller in size" is a signed comparison, on doubles unless they tie.
  const approx = index.approx[position]!
  if (sign > 0 ? approx > size : approx < size) return false
  const item = other.items[i]!
  if (approx === size && (sign > 0 ? item.amount >= anchor.amount : item.amount <= anchor.amount)) return false
  return counterpartiesFit(rule, anchor, item)
}

type GroupOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'group'; readonly members: number[] }
  | { readonly kind: 'ambiguous'; readonly related: number[]; readonly why: string }

/** Searches the candidates for groups totalling the anchor; decides none / one group / ambiguous by the rule. */
function findGroup(other: Side, candidates: readonly number[], anchor: MatchItem, r: PreparedRule): GroupOutcome {
  if (candidates.length < 2) return { kind: 'none' }
  const size = abs(anchor.amount)
  const amounts = candidates.map((i) => abs(other.items[i]!.amount))
  const found = searchGroups(amounts, size, toleranceFor(r, size), r.groupMax)
  if (found.groups.length === 0) return { kind: 'none' }
  const first = found.groups[0]!.map((c) => candidates[c]!)
  if ((found.groups.length === 1 && found.complete) || !r.rule.noAmbiguous) return { kind: 'group', members: first }
  const related = [...new Set(found.groups.flat().map((c) => candidates[c]!))].sort(byId(other.items))
  const why =
    found.groups.length > 1
      ? `at least 2 groups of up to ${r.groupMax} fit${found.exact ? ' exactly' : ' within the tolerance'}`
      : `one group fits but the search stopped before it could rule out another`
  return { kind: 'ambiguous', related, why }
}

/**
 * The group passes of one rule: 1:N, then N:1. The postings' day index serves both: as 1:N's
 * candidates, and (its id order) as the order N:1 takes the postings in — by account and
 * currency, sign, then id, so the order of the ledger input does not matter.
 */
export function runGroups(e: Engine, r: PreparedRule): void {
  const postings = buildDayIndex(e, e.lg)
  runOneToMany(e, r, postings)
  runManyToOne(e, r, postings)
}

/** 1:N: a free line against groups of free postings, lines in input order. */
function runOneToMany(e: Engine, r: PreparedRule, postings: readonly (DayIndex | undefined)[]): void {
  for (let s = 0; s < e.st.items.length; s++) {
    if (e.st.state[s] !== FREE || !ruleSees(r.rule, e.parts[e.st.part[s]!]!.account, e.st.sign[s]!)) continue
    const index = postings[dayIndexSlot(e.st.part[s]!, e.st.sign[s]!)]
    if (index === undefined) continue
    const line = e.st.items[s]!
    const outcome = findGroup(e.lg, groupCandidates(e.lg, index, line, e.st.sign[s]!, r.rule), line, r)
    if (outcome.kind === 'group') pushGroupMatch(e, r, [s], outcome.members.sort(byId(e.lg.items)), '1:N')
    else if (outcome.kind === 'ambiguous') {
      const detail = `${plural(outcome.related.length, 'ledger item')} could make up ${money(e, e.st.part[s]!, line.amount)} under rule "${r.rule.name}": ${outcome.why} (${idList(e.lg.items, outcome.related)}).`
      pushException(e, 'statement', s, 'ambiguous', detail, outcome.related)
      noteCandidates(e.lg, outcome.related, s)
    }
  }
}

/** N:1: a free posting against groups of free lines. */
function runManyToOne(e: Engine, r: PreparedRule, postings: readonly (DayIndex | undefined)[]): void {
  const lines = buildDayIndex(e, e.st)
  for (let slot = 0; slot < postings.length; slot++) {
    const own = postings[slot]
    const index = lines[slot]
    if (own === undefined || index === undefined) continue
    for (const l of own.byRank) {
      if (e.lg.state[l] !== FREE || !ruleSees(r.rule, e.parts[e.lg.part[l]!]!.account, e.lg.sign[l]!)) continue
      manyToOne(e, r, l, index)
    }
  }
}

function manyToOne(e: Engine, r: PreparedRule, l: number, lines: DayIndex): void {
  const posting = e.lg.items[l]!
  const outcome = findGroup(e.st, groupCandidates(e.st, lines, posting, e.lg.sign[l]!, r.rule), posting, r)
  if (outcome.kind === 'group') {
    pushGroupMatch(
      e,
      r,
      outcome.members.sort((x, y) => x - y),
      [l],
      'N:1',
    )
  } else if (outcome.kind === 'ambiguous') {
    const detail = `${plural(outcome.related.length, 'statement line')} could make up ${money(e, e.lg.part[l]!, posting.amount)} under rule "${r.rule.name}": ${outcome.why} (${idList(e.st.items, outcome.related)}).`
    pushException(e, 'ledger', l, 'ambiguous', detail, outcome.related)
    noteCandidates(e.st, outcome.related, l)
  }
}

function pushGroupMatch(e: Engine, r: PreparedRule, st: number[], lg: number[], kind: '1:N' | 'N:1'): void {
  const stTotal = sumOf(e.st.items, st)
  const lgTotal = sumOf(e.lg.items, lg)
  const variance = stTotal - lgTotal
  const part = e.st.part[st[0]!]!
  const what =
    kind === '1:N'
      ? `${plural(lg.length, 'ledger item')} total ${money(e, part, lgTotal)} against the line's ${formatAmount(stTotal, e.parts[part]!.scale)}`
      : `${plural(st.length, 'statement line')} total ${money(e, part, stTotal)} against the ledger item's ${formatAmount(lgTotal, e.parts[part]!.scale)}`
  const differs = variance === 0n ? '' : `, differing by ${formatAmount(abs(variance), e.parts[part]!.scale)}`
  const summary = `${what}${differs}, within ${plural(largestDayGap(e, st, lg), 'business day')} (rule "${r.rule.name}")`
  pushMatch(e, { kind, st, lg, variance, confirm: false, rule: r.rule, keys: [], summary })
}
