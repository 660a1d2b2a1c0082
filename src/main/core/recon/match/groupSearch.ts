/**
 * The subset search behind 1:N and N:1 matches (issue 15): which groups of 2..sizeMax candidate
 * amounts total the target within a tolerance. The engine only needs to know whether there is
 * none, exactly one, or more than one, so the search stops at the second group it finds.
 *
 * Bounded three ways, so one line with 24 candidates and groups of 6 stays under a few
 * milliseconds: the amounts are sorted largest first and a branch is cut as soon as even its
 * largest (or smallest) completion misses the target; the last item of a group is found by
 * binary search instead of a loop; and a node budget (GROUP_SEARCH_NODES_MAX) stops a search that
 * would still explode — the result then says it is incomplete, and the engine does not call a
 * single group it found unique.
 *
 * Amounts are exact: when every total the search can form fits a double exactly (below 2^53) the
 * search runs on numbers, otherwise the same search runs on bigints (wei-sized amounts).
 */
import { invariant } from '../../util/invariant'

/** Nodes one search may visit before it gives up (a node is one candidate tried at one depth). */
export const GROUP_SEARCH_NODES_MAX = 200_000
/** The engine decides on none / one / more than one: two groups of a kind are enough. */
const GROUPS_MAX = 2
const EXACT_DOUBLE_MAX = 2n ** 53n

export interface GroupSearchResult {
  /** At most two groups, each the candidates' indices ascending; exact totals when any exist. */
  readonly groups: readonly (readonly number[])[]
  /** The groups total the target exactly (else they are inside the tolerance). */
  readonly exact: boolean
  /** False when the node budget ran out: one group found is then not proven to be the only one. */
  readonly complete: boolean
}

/** What one search keeps while it walks; the same shape for numbers and bigints. */
interface SearchState<T> {
  /** Candidate amounts, largest first. */
  readonly a: readonly T[]
  /** pre[i] = a[0] + … + a[i-1]. */
  readonly pre: readonly T[]
  readonly target: T
  readonly lo: T
  readonly hi: T
  /** Positions in `a` of the items chosen so far. */
  readonly chosen: number[]
  readonly exact: number[][]
  readonly near: number[][]
  nodes: number
  stopped: boolean
}

/**
 * Groups of 2..sizeMax of `amounts` (absolute sizes, all > 0, in the caller's preference order)
 * totalling `target` ± `tolerance`. Groups are found smallest size first, and within a size in
 * the order of the amounts sorted largest first (ties: the caller's order), so the first group is
 * the same on every run.
 */
export function searchGroups(amounts: readonly bigint[], target: bigint, tolerance: bigint, sizeMax: number): GroupSearchResult {
  invariant(tolerance >= 0n && target > 0n, 'group search needs a positive target and a tolerance ≥ 0')
  // Sorted on doubles (rounding keeps order), the exact amounts deciding only between equal doubles.
  const approx = amounts.map(Number)
  const order = amounts.map((_, i) => i).sort((x, y) => approx[y]! - approx[x]! || compareDescending(amounts[x]!, amounts[y]!) || x - y)
  const sorted = order.map((i) => amounts[i]!)
  invariant(
    sorted.every((v) => v > 0n),
    'group search amounts are sizes > 0',
  )
  // Every sum the walk forms is at most the target's upper bound plus the total of all amounts.
  const total = sorted.reduce((x, y) => x + y, 0n)
  const fitsDouble = 2n * (total + target + tolerance) < EXACT_DOUBLE_MAX
  const state = fitsDouble ? numberSearch(sorted, target, tolerance) : bigintSearch(sorted, target, tolerance)
  const size = Math.min(sizeMax, sorted.length)
  for (let k = 2; k <= size && !state.stopped && state.exact.length < GROUPS_MAX; k++) {
    if (fitsDouble) walkNumbers(state as SearchState<number>, 0, k)
    else walkBigints(state as SearchState<bigint>, 0, k)
  }
  const exact = state.exact.length > 0
  const found = exact ? state.exact : state.near
  return {
    groups: found.map((positions) => positions.map((p) => order[p]!).sort((x, y) => x - y)),
    exact,
    complete: !state.stopped,
  }
}

function compareDescending(x: bigint, y: bigint): number {
  return x > y ? -1 : x < y ? 1 : 0
}

function numberSearch(sorted: readonly bigint[], target: bigint, tolerance: bigint): SearchState<number> {
  const a = sorted.map(Number)
  const pre = [0]
  for (const v of a) pre.push(pre[pre.length - 1]! + v)
  const t = Number(target)
  const tol = Number(tolerance)
  return { a, pre, target: t, lo: t - tol, hi: t + tol, chosen: [], exact: [], near: [], nodes: 0, stopped: false }
}

function bigintSearch(sorted: readonly bigint[], target: bigint, tolerance: bigint): SearchState<bigint> {
  const pre = [0n]
  for (const v of sorted) pre.push(pre[pre.length - 1]! + v)
  return {
    a: sorted,
    pre,
    target,
    lo: target - tolerance,
    hi: target + tolerance,
    chosen: [],
    exact: [],
    near: [],
    nodes: 0,
    stopped: false,
  }
}

/** Records a group found (positions in `a`); near groups are kept only until two are known. */
function record<T>(s: SearchState<T>, last: number, isExact: boolean): void {
  const into = isExact ? s.exact : s.near
  if (into.length < GROUPS_MAX) into.push([...s.chosen, last])
}

/**
 * Picks `left` more items from a[start..] after the ones in s.chosen (total `sum`). Since a is
 * sorted largest first, both the largest completion (the next `left` items) and the smallest (the
 * last `left` items) are prefix-sum differences, and each shrinks as the first pick moves right.
 */
function walkNumbers(s: SearchState<number>, start: number, left: number, sum = 0): void {
  const { a, pre } = s
  const n = a.length
  if (left === 1) return lastNumber(s, start, sum)
  for (let i = start; i <= n - left; i++) {
    if (++s.nodes > GROUP_SEARCH_NODES_MAX) {
      s.stopped = true
      return
    }
    const next = sum + a[i]!
    if (next + (pre[i + left]! - pre[i + 1]!) < s.lo) return
    if (next + (pre[n]! - pre[n - left + 1]!) > s.hi) continue
    s.chosen.push(i)
    walkNumbers(s, i + 1, left - 1, next)
    s.chosen.pop()
    if (s.stopped || s.exact.length >= GROUPS_MAX) return
  }
}

/** The last item: every a[j] (j ≥ start) in [lo − sum, hi − sum], found by binary search. */
function lastNumber(s: SearchState<number>, start: number, sum: number): void {
  const { a } = s
  const want = s.hi - sum
  let low = start
  let high = a.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (a[mid]! > want) low = mid + 1
    else high = mid
  }
  for (let j = low; j < a.length && sum + a[j]! >= s.lo; j++) {
    if (++s.nodes > GROUP_SEARCH_NODES_MAX) {
      s.stopped = true
      return
    }
    record(s, j, sum + a[j]! === s.target)
    if (s.exact.length >= GROUPS_MAX) return
  }
}

/** walkNumbers on bigints: the same search, for totals a double cannot hold exactly. */
function walkBigints(s: SearchState<bigint>, start: number, left: number, sum = 0n): void {
  const { a, pre } = s
  const n = a.length
  if (left === 1) return lastBigint(s, start, sum)
  for (let i = start; i <= n - left; i++) {
    if (++s.nodes > GROUP_SEARCH_NODES_MAX) {
      s.stopped = true
      return
    }
    const next = sum + a[i]!
    if (next + (pre[i + left]! - pre[i + 1]!) < s.lo) return
    if (next + (pre[n]! - pre[n - left + 1]!) > s.hi) continue
    s.chosen.push(i)
    walkBigints(s, i + 1, left - 1, next)
    s.chosen.pop()
    if (s.stopped || s.exact.length >= GROUPS_MAX) return
  }
}

function lastBigint(s: SearchState<bigint>, start: number, sum: bigint): void {
  const { a } = s
  const want = s.hi - sum
  let low = start
  let high = a.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (a[mid]! > want) low = mid + 1
    else high = mid
  }
  for (let j = low; j < a.length && sum + a[j]! >= s.lo; j++) {
    if (++s.nodes > GROUP_SEARCH_NODES_MAX) {
      s.stopped = true
      return
    }
    record(s, j, sum + a[j]! === s.target)
    if (s.exact.length >= GROUPS_MAX) return
  }
}
