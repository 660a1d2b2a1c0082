/**
 * The candidates of a 1:N or N:1 group (issue 15): the free items of the other side that could be
 * part of a group for one anchor — same partition and sign, smaller in size, inside the rule's
 * window, counterparty fitting — at most MATCH_GROUP_CANDIDATES_MAX, closest by day, then smallest
 * id. They come from a day-sorted index of what the earlier passes left, read from the sides' typed
 * arrays: an item object is read only to break an exact tie in size or to compare counterparties.
 */
import { businessDaysBetween, calendarDaysWithin } from './businessDays'
import { MATCH_GROUP_CANDIDATES_MAX, type MatchRule } from './matchTypes'
import { FREE, counterpartiesFit, type Engine, type Side } from './matchState'

/** Free items of one side in one partition and sign, sorted by day then id. */
export interface DayIndex {
  readonly items: Int32Array
  readonly days: Int32Array
  /** Each item's amount as a double (see Side.approx). */
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
export function buildDayIndex(e: Engine, side: Side): (DayIndex | undefined)[] {
  const lists: number[][] = Array.from({ length: e.parts.length * 3 }, () => [])
  for (let i = 0; i < side.items.length; i++) if (side.state[i] === FREE) lists[dayIndexSlot(side.part[i]!, side.sign[i]!)]!.push(i)
  return lists.map((list) => {
    if (list.length === 0) return undefined
    // By id, the ids read once (a comparator reading two items per comparison misses the cache twice).
    const ids = list.map((i) => side.items[i]!.id)
    const order = ids.map((_, k) => k).sort((x, y) => (ids[x]! < ids[y]! ? -1 : ids[x]! > ids[y]! ? 1 : 0))
    const byRank = Int32Array.from(order, (k) => list[k]!)
    const packed = new Float64Array(byRank.length)
    for (let r = 0; r < byRank.length; r++) packed[r] = side.day[byRank[r]!]! * RANK_SPAN + r
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
      approx[p] = side.approx[items[p]!]!
    }
    return { items, days, approx, ranks, byRank }
  })
}

export function dayIndexSlot(part: number, sign: number): number {
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
 * The candidates for item `a` of side `own` among `other`'s index (see the header), in order.
 * Walks outwards from the anchor's day, one day distance at a time — the day before and the day
 * after merged by id rank — and stops as soon as it has enough: no sort, and no more items read
 * than needed. All items of one day are the same business days away, so the window is checked
 * once per day, not per item.
 */
export function groupCandidates(own: Side, a: number, other: Side, index: DayIndex, rule: MatchRule): number[] {
  const day = own.day[a]!
  const span = calendarDaysWithin(rule.windowDays)
  const found: number[] = []
  const n = index.items.length
  let below = firstDayAtLeast(index.days, day) // items before it are on earlier days
  let above = below
  for (let distance = 0; distance <= span && found.length < MATCH_GROUP_CANDIDATES_MAX; distance++) {
    // This distance's items: [before, below) on the earlier day and [above, after) on the later one.
    let before = below
    if (distance > 0) while (before > 0 && index.days[before - 1] === day - distance) before--
    let after = above
    while (after < n && index.days[after] === day + distance) after++
    const earlier = before < below && businessDaysBetween(day, day - distance) <= rule.windowDays
    const later = above < after && businessDaysBetween(day, day + distance) <= rule.windowDays
    // Both days in the window: merge them by rank; one: take its items in order (they are by rank).
    for (
      let p = earlier ? before : below, q = later ? above : after;
      (p < below || q < after) && found.length < MATCH_GROUP_CANDIDATES_MAX;
    ) {
      const position = q >= after || (p < below && index.ranks[p]! < index.ranks[q]!) ? p++ : q++
      if (fits(own, a, other, index, position, rule)) found.push(index.items[position]!)
    }
    below = before
    above = after
  }
  return found
}

/** The item at `position` of the day index (inside the window) may join a group for item `a` of `own`. */
function fits(own: Side, a: number, other: Side, index: DayIndex, position: number, rule: MatchRule): boolean {
  const i = index.items[position]!
  if (other.state[i] !== FREE) return false
  // All of one sign, so "smaller in size" is a signed comparison, on doubles unless they tie.
  const size = own.approx[a]!
  const approx = index.approx[position]!
  const sign = own.sign[a]!
  if (sign > 0 ? approx > size : approx < size) return false
  if (approx === size) {
    const amount = other.items[i]!.amount
    const anchor = own.items[a]!.amount
    if (sign > 0 ? amount >= anchor : amount <= anchor) return false
  }
  return !rule.counterparty || counterpartiesFit(rule, own.items[a]!, other.items[i]!)
}
