/**
 * The group passes of an amount rule with maxGroup > 1 (issue 15): one line against groups of
 * postings summing to it (1:N), then one posting against groups of lines (N:1). Candidates come
 * from ./groupCandidates.ts; ./groupSearch.ts decides whether none, one or several groups fit.
 */
import { formatAmount } from '../../../../shared/money'
import { buildDayIndex, dayIndexSlot, groupCandidates, type DayIndex } from './groupCandidates'
import { searchGroups } from './groupSearch'
import {
  FREE,
  abs,
  byId,
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
  toleranceNumber,
  type Engine,
  type PreparedRule,
  type Side,
} from './matchState'

type GroupOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'group'; readonly members: number[] }
  | { readonly kind: 'ambiguous'; readonly related: number[]; readonly why: string }

const NO_GROUP: GroupOutcome = Object.freeze({ kind: 'none' })

/**
 * Searches the candidates (of side `other`) for groups totalling item `a` of side `own`; decides
 * none / one group / ambiguous by the rule.
 */
function findGroup(own: Side, a: number, other: Side, candidates: readonly number[], r: PreparedRule): GroupOutcome {
  if (candidates.length < 2 || noGroupFits(own, a, other, candidates, r)) return NO_GROUP
  const size = abs(own.items[a]!.amount)
  const tolerance = toleranceFor(r, size)
  const amounts = candidates.map((i) => abs(other.items[i]!.amount))
  const found = searchGroups(amounts, size, tolerance, r.groupMax)
  if (found.groups.length === 0) return NO_GROUP
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
 * True when no group of 2 or more candidates can total the anchor's size ± its tolerance: all of
 * them together fall short, or the two smallest already exceed it — most anchors of a large run,
 * told from the sides' arrays without reading an item or setting up a search. Decided only where
 * the doubles are exact (every amount, the total and the bounds safe integers); otherwise false,
 * and the search decides.
 */
function noGroupFits(own: Side, a: number, other: Side, candidates: readonly number[], r: PreparedRule): boolean {
  const size = Math.abs(own.approx[a]!)
  const tolerance = Number.isSafeInteger(size) ? toleranceNumber(r, size) : -1
  if (tolerance < 0 || !Number.isSafeInteger(size + tolerance)) return false
  let total = 0
  let smallest = Infinity
  let second = Infinity
  for (const i of candidates) {
    const amount = Math.abs(other.approx[i]!)
    if (!Number.isSafeInteger(amount)) return false
    total += amount
    if (amount < smallest) {
      second = smallest
      smallest = amount
    } else if (amount < second) second = amount
  }
  return Number.isSafeInteger(total) && (total < size - tolerance || smallest + second > size + tolerance)
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
    const outcome = findGroup(e.st, s, e.lg, groupCandidates(e.st, s, e.lg, index, r.rule), r)
    if (outcome.kind === 'group') pushGroupMatch(e, r, [s], outcome.members.sort(byId(e.lg.items)), '1:N')
    else if (outcome.kind === 'ambiguous') {
      const detail = `${plural(outcome.related.length, 'ledger item')} could make up ${money(e, e.st.part[s]!, e.st.items[s]!.amount)} under rule "${r.rule.name}": ${outcome.why} (${idList(e.lg.items, outcome.related)}).`
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
  const outcome = findGroup(e.lg, l, e.st, groupCandidates(e.lg, l, e.st, lines, r.rule), r)
  if (outcome.kind === 'group') {
    pushGroupMatch(
      e,
      r,
      outcome.members.sort((x, y) => x - y),
      [l],
      'N:1',
    )
  } else if (outcome.kind === 'ambiguous') {
    const detail = `${plural(outcome.related.length, 'statement line')} could make up ${money(e, e.lg.part[l]!, e.lg.items[l]!.amount)} under rule "${r.rule.name}": ${outcome.why} (${idList(e.st.items, outcome.related)}).`
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
