/**
 * The matching engine (issue 15): pairs statement lines with ledger postings and says why, as a
 * pure function of ./matchTypes.ts data — no database, no clock, no I/O. The same input gives the
 * same matches in the same order; the order of the ledger items given does not change what is
 * matched (every tie is broken by day distance and id, never by input position).
 *
 * Passes, each seeing only what the earlier ones left:
 *  1. duplicates: a line carrying a key of a ledger item matched in an earlier run;
 *  2. exact keys: lines and postings sharing a key (1:1, 1:N, N:1), amounts equal or inside the
 *     tolerance of the first amount rule; a second line with the same key and amount is a duplicate;
 *  3. the amount rules in the order given: 1:1 on amount, window and counterparty, then (maxGroup
 *     > 1) groups of postings summing to one line (1:N) and lines summing to one posting (N:1);
 *  4. the fee rules: a bank charge no posting explains becomes a proposed adjustment;
 *  5. whatever is left is an 'unmatched' exception.
 * Every item ends in exactly one match or one exception.
 *
 * Built for 100,000 × 100,000 items (`npm run bench -- match`), where the cost is memory, not
 * arithmetic: every item is an object somewhere on the heap, and reading one is a cache miss. So
 * each item is read once, in the first pass, for its keys and — into the typed arrays of
 * ./matchState.ts — its partition, day and amount (a double, exact below 2^53; the bigint decides
 * above); the later passes compare those arrays, not the items. The key pass is one Map of the
 * lines' keys and one lookup per posting key, about what a plain hash join costs; the rule passes
 * look postings up in an amount-sorted index by binary search (used postings are skipped in
 * amortised O(1)); group searches scan a day-sorted index of what is left. A pair match is a small
 * record that writes its id lists and reason when they are read (./matchRecord.ts): allocating
 * them for 100,000 pairs up front, objects that all outlive the young generation, cost more than
 * every pass together.
 */
import { invariant } from '../../util/invariant'
import { runKeyPass } from './matchByKeys'
import { runGroups } from './matchGroups'
import { buildAmountIndex, runOneToOne } from './matchOneToOne'
import {
  EXCEPTION,
  FREE,
  NO_ITEMS,
  createEngine,
  idList,
  money,
  plural,
  pushException,
  pushMatch,
  ruleSees,
  abs,
  type Engine,
  type Side,
} from './matchState'
import type { ExceptionReason, MatchInput, MatchResult, MatchSide, ProposedException } from './matchTypes'

export { KEY_RULE_ID, KEY_RULE_NAME } from './matchState'

/** Pairs the statement lines of `input` with its ledger items; see the header for the passes. */
export function matchItems(input: MatchInput): MatchResult {
  const e = createEngine(input)
  runKeyPass(e)
  // Every line matched by key (or a duplicate): no rule has a line to look postings up for.
  if (e.amountRules.length > 0 && e.st.state.includes(FREE)) e.amountIndex = buildAmountIndex(e)
  for (const r of e.amountRules) {
    runOneToOne(e, r)
    if (r.groupMax > 1) runGroups(e, r)
  }
  runFeeRules(e)
  markLeftovers(e)
  return result(e)
}

// ---------------------------------------------------------------------------------------------
// 4. Fee rules

/** A line no posting explains whose text names a charge becomes a proposed adjustment; fee rules run after every amount rule, so a charge already booked matches its posting instead. */
function runFeeRules(e: Engine): void {
  const fees = e.input.rules.filter((r) => r.kind === 'fee')
  if (fees.length === 0) return
  for (let s = 0; s < e.st.items.length; s++) {
    if (e.st.state[s] !== FREE) continue
    const line = e.st.items[s]!
    for (const rule of fees) {
      if (!ruleSees(rule, line.account, e.st.sign[s]!)) continue
      if (rule.maxAmountMinor !== null && abs(line.amount) > rule.maxAmountMinor) continue
      const word = rule.textContains.find((w) => w.length > 0 && line.text.includes(w))
      if (word === undefined) continue
      const summary = `Bank charge "${word}" (rule "${rule.name}"): an adjustment of ${money(e, e.st.part[s]!, line.amount)} to ${rule.feeAccount ?? 'the fee account'} is proposed`
      pushMatch(e, { kind: 'fee', st: [s], lg: [], variance: line.amount, confirm: false, rule, keys: [], summary })
      break
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Leftovers and the result

/** Every item still free is unmatched; one that was a candidate of an ambiguous item names it. */
function markLeftovers(e: Engine): void {
  markLeftoversOf(e, 'statement', e.st, e.lg, 'ledger item')
  markLeftoversOf(e, 'ledger', e.lg, e.st, 'statement line')
}

function markLeftoversOf(e: Engine, side: MatchSide, own: Side, other: Side, otherName: string): void {
  const alone = `No ${otherName} shares a key with it and no rule found one that fits.`
  for (let i = 0; i < own.items.length; i++) {
    if (own.state[i] !== FREE) continue
    const of = own.candidateOf.size === 0 ? undefined : own.candidateOf.get(i)
    if (of === undefined) {
      pushException(e, side, i, 'unmatched', alone, NO_ITEMS)
      continue
    }
    const detail = `Left over: it was one of the candidates of the ambiguous ${plural(of.length, otherName)} ${idList(other.items, of)}.`
    pushException(e, side, i, 'unmatched', detail, of)
  }
}

/** Matches in the order made; exceptions: statement lines in input order, then ledger items by id. */
function result(e: Engine): MatchResult {
  const exceptions: ProposedException[] = []
  const counts: Record<ExceptionReason, number> = { unmatched: 0, ambiguous: 0, amount_differs: 0, duplicate: 0 }
  for (let s = 0; s < e.st.items.length; s++) {
    invariant(e.st.state[s] !== FREE, 'a statement line ends without an outcome')
    const x = e.st.exception[s]
    if (x !== undefined) exceptions.push(x)
  }
  const ledgerExceptions: number[] = []
  for (let l = 0; l < e.lg.items.length; l++) {
    invariant(e.lg.state[l] !== FREE, 'a ledger item ends without an outcome')
    if (e.lg.state[l] === EXCEPTION) ledgerExceptions.push(l)
  }
  // By id: the ids read once (the comparator would read two items per comparison).
  const ids = ledgerExceptions.map((l) => e.lg.items[l]!.id)
  const order = ids.map((_, i) => i).sort((x, y) => (ids[x]! < ids[y]! ? -1 : ids[x]! > ids[y]! ? 1 : 0))
  for (const i of order) exceptions.push(e.lg.exception[ledgerExceptions[i]!]!)
  for (const x of exceptions) counts[x.reason]++
  return {
    matches: e.matches,
    exceptions,
    stats: { statement: e.st.items.length, ledger: e.lg.items.length, byKind: e.byKind, exceptions: counts },
  }
}
