/**
 * The matching engine's working state (issue 15), shared by its passes (./matchEngine.ts): the
 * items of each side numbered by input position, their state in typed arrays (one byte each: free,
 * matched, or given an exception), and the one place matches and exceptions are recorded — so an
 * item can never end in two of them.
 */
import { invariant } from '../../util/invariant'
import { businessDaysBetween } from './businessDays'
import { KEY_RULE_ID, KEY_RULE_NAME, moneyText, ruleTolerance } from './matchReasons'
import { MatchRecord, type MatchHow } from './matchRecord'
import {
  MATCH_GROUP_MAX,
  type ExceptionReason,
  type MatchInput,
  type MatchItem,
  type MatchKind,
  type MatchRule,
  type ProposedException,
} from './matchTypes'

export { KEY_RULE_ID, KEY_RULE_NAME, NO_KEYS, abs, plural } from './matchReasons'

/** How many related ids an exception's detail names before "…" (related keeps them all). */
const DETAIL_IDS_MAX = 5

/** Item states, one byte per item. */
export const FREE = 0
const MATCHED = 1
export const EXCEPTION = 2

interface Partition {
  readonly account: string
  readonly currency: string
  readonly scale: number
}

/**
 * An amount rule with what its tolerance needs computed once: its basis points as a bigint, and
 * as numbers for the fast path (toleranceNumber; -1 when the absolute tolerance is past 2^53).
 */
export interface PreparedRule {
  readonly rule: MatchRule
  readonly bps: bigint
  readonly groupMax: number
  readonly toleranceMinor: number
  readonly bpsNumber: number
  /** The shared `how` of its 1:1 pairs, by partition and exactness (see oneToOneHow). */
  readonly how: (MatchHow | undefined)[]
}

/**
 * Free ledger postings of one partition, sorted by amount; `next` skips the ones used since. The
 * amounts are kept as doubles: searching and sorting doubles is several times faster than
 * bigints, and rounding to a double keeps order (x ≤ y ⇒ Number(x) ≤ Number(y)), so a range found
 * on doubles holds every posting of the exact range — exact as it stands when its bounds are safe
 * integers, else each posting is checked on its bigint (see ./matchOneToOne.ts).
 */
export interface AmountIndex {
  readonly items: Int32Array
  readonly amounts: Float64Array
  /** next[p] = p while position p is free; else a pointer towards the next free position (path-compressed). */
  readonly next: Int32Array
}

/**
 * One side of the input, numbered by input position. What the passes compare — partition, day,
 * amount, sign — is read from each item once (readItem), into typed arrays: the items themselves
 * are objects scattered over the heap, and reading one is a cache miss.
 */
export interface Side {
  readonly items: readonly MatchItem[]
  readonly part: Int32Array
  readonly day: Int32Array
  /**
   * Each amount as a double: the amount itself when Number.isSafeInteger (|amount| < 2^53), else
   * rounded — rounding keeps order, so a double can rule a pair out but only a safe one can rule
   * it in.
   */
  readonly approx: Float64Array
  /** -1, 0 or 1: the double has the sign of the bigint. */
  readonly sign: Int8Array
  readonly state: Uint8Array
  readonly exception: (ProposedException | undefined)[]
  /** Items that were candidates of an ambiguous item of the other side → those items. */
  readonly candidateOf: Map<number, number[]>
}

export interface Engine {
  readonly input: MatchInput
  readonly parts: Partition[]
  /** account → currency → partition, and the partition of the last item read (see readItem). */
  readonly byAccount: Map<string, Map<string, number>>
  lastPart: number
  /** The shared `how` of key pairs, by partition (see keyPairHow). */
  readonly keyHow: (MatchHow | undefined)[]
  readonly st: Side
  readonly lg: Side
  readonly matches: MatchRecord[]
  /** Matches by kind, counted as they are made (reading every match again at the end is a cache miss each). */
  readonly byKind: Record<MatchKind, number>
  readonly amountRules: readonly PreparedRule[]
  /** Per account: the first amount rule that applies to it (the key pass's tolerance), or null. */
  readonly keyRuleOf: Map<string, PreparedRule | null>
  /** Built after the key pass: per partition, the free postings by amount; lPos = each posting's position. */
  amountIndex: (AmountIndex | undefined)[]
  readonly lPos: Int32Array
  /** Scratch of the 1:1 scan, reused for every line (no allocation per line). */
  readonly scan: ScanResult
}

/** The best exact and near candidates of one line (near: by difference, then days, then id). */
export interface ScanResult {
  exactCount: number
  exactBest: number
  exactBestDays: number
  nearCount: number
  nearBest: number
  /** The best near candidate's difference: in nearBestGap on the number path, nearBestDiff on the bigint one. */
  nearBestGap: number
  nearBestDiff: bigint
  nearBestDays: number
}

export function createEngine(input: MatchInput): Engine {
  const amountRules = input.rules.filter((r) => r.kind === 'amount').map(prepareRule)
  for (const r of input.rules) checkRule(r)
  return {
    input,
    parts: [],
    byAccount: new Map(),
    lastPart: -1,
    keyHow: [],
    st: createSide(input.statement),
    lg: createSide(input.ledger),
    matches: [],
    byKind: { key: 0, '1:1': 0, '1:N': 0, 'N:1': 0, fee: 0 },
    amountRules,
    keyRuleOf: new Map(),
    amountIndex: [],
    lPos: new Int32Array(input.ledger.length).fill(-1),
    scan: {
      exactCount: 0,
      exactBest: -1,
      exactBestDays: 0,
      nearCount: 0,
      nearBest: -1,
      nearBestGap: 0,
      nearBestDiff: 0n,
      nearBestDays: 0,
    },
  }
}

function createSide(items: readonly MatchItem[]): Side {
  const n = items.length
  return {
    items,
    part: new Int32Array(n),
    day: new Int32Array(n),
    approx: new Float64Array(n),
    sign: new Int8Array(n),
    state: new Uint8Array(n),
    exception: new Array(n),
    candidateOf: new Map(),
  }
}

/**
 * Reads item i of a side into its arrays: partition, day, amount and sign. Called once per item,
 * by the first pass (./keyGraph.ts) as it visits the item for its keys — statement lines first,
 * so partitions are numbered the same on every run. The amount is converted while the item is at
 * hand: its bigint sits next to it in memory, and reading it again later is a cache miss.
 */
export function readItem(e: Engine, side: Side, i: number, item: MatchItem): void {
  // Files hold one account and currency in long runs: the last partition is the usual answer.
  const last = e.parts[e.lastPart]
  const known = last !== undefined && last.account === item.account && last.currency === item.currency
  if (!known) e.lastPart = partitionOf(item, e.parts, e.byAccount, e.input.scales)
  side.part[i] = e.lastPart
  side.day[i] = item.day
  // Checked without a message closure: one would be allocated per item.
  if (side.day[i] !== item.day) invariant(false, `item ${item.id}: day ${item.day} is not a whole day number`)
  const amount = Number(item.amount)
  side.approx[i] = amount
  side.sign[i] = amount > 0 ? 1 : amount < 0 ? -1 : 0
}

/** Line s and posting l have the same amount: on the doubles when they are exact (a double equal to a safe integer is that integer), else on the bigints. */
export function sameAmount(e: Engine, s: number, l: number): boolean {
  const a = e.st.approx[s]!
  return Number.isSafeInteger(a) ? a === e.lg.approx[l] : e.st.items[s]!.amount === e.lg.items[l]!.amount
}

function partitionOf(
  item: MatchItem,
  parts: Partition[],
  byAccount: Map<string, Map<string, number>>,
  scales: ReadonlyMap<string, number>,
): number {
  let byCurrency = byAccount.get(item.account)
  if (byCurrency === undefined) byAccount.set(item.account, (byCurrency = new Map()))
  let p = byCurrency.get(item.currency)
  if (p === undefined) {
    p = parts.length
    parts.push({ account: item.account, currency: item.currency, scale: scales.get(item.currency) ?? 0 })
    byCurrency.set(item.currency, p)
  }
  return p
}

function checkRule(r: MatchRule): void {
  invariant(r.toleranceMinor >= 0n, () => `rule ${r.id}: toleranceMinor is negative`)
  invariant(Number.isInteger(r.toleranceBps) && r.toleranceBps >= 0, () => `rule ${r.id}: toleranceBps must be a whole number ≥ 0`)
  invariant(Number.isInteger(r.windowDays) && r.windowDays >= 0, () => `rule ${r.id}: windowDays must be a whole number ≥ 0`)
  invariant(Number.isInteger(r.maxGroup) && r.maxGroup >= 1, () => `rule ${r.id}: maxGroup must be a whole number ≥ 1`)
}

function prepareRule(rule: MatchRule): PreparedRule {
  const minor = Number(rule.toleranceMinor)
  return {
    rule,
    bps: BigInt(rule.toleranceBps),
    groupMax: Math.min(rule.maxGroup, MATCH_GROUP_MAX),
    toleranceMinor: Number.isSafeInteger(minor) ? minor : -1,
    bpsNumber: rule.toleranceBps,
    how: [],
  }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** The larger of the rule's absolute tolerance and its basis points of the size of `amount` (rounded down). */
export function toleranceFor(r: PreparedRule, amount: bigint): bigint {
  return ruleTolerance(r.rule, r.bps, amount)
}

const BPS_PER_UNIT = 10_000

/**
 * toleranceFor on a safe integer amount, exactly, or -1 when a number cannot hold it (then the
 * caller takes the bigint way). The relative part is rounded down by subtracting the remainder —
 * exact on integers — rather than by Math.floor of a quotient that may round up.
 */
export function toleranceNumber(r: PreparedRule, amount: number): number {
  if (r.toleranceMinor < 0) return -1
  if (r.bpsNumber === 0) return r.toleranceMinor
  const scaled = Math.abs(amount) * r.bpsNumber
  if (!Number.isSafeInteger(scaled)) return -1
  const relative = (scaled - (scaled % BPS_PER_UNIT)) / BPS_PER_UNIT
  return relative > r.toleranceMinor ? relative : r.toleranceMinor
}

/** A rule sees an item of its account (or any, when unset) moving the way its direction says. */
export function ruleSees(rule: MatchRule, account: string, sign: number): boolean {
  if (rule.account !== null && rule.account !== account) return false
  return rule.direction === 'any' || (rule.direction === 'in' ? sign > 0 : sign < 0)
}

export function counterpartiesFit(rule: MatchRule, a: MatchItem, b: MatchItem): boolean {
  return !rule.counterparty || a.counterparty === null || b.counterparty === null || a.counterparty === b.counterparty
}

/** The first amount rule that applies to the account: its tolerance and fee account serve the key pass. */
export function keyRuleOf(e: Engine, account: string): PreparedRule | null {
  let r = e.keyRuleOf.get(account)
  if (r === undefined) {
    r = e.amountRules.find((x) => x.rule.account === null || x.rule.account === account) ?? null
    e.keyRuleOf.set(account, r)
  }
  return r
}

export function money(e: Engine, part: number, amount: bigint): string {
  const p = e.parts[part]!
  return moneyText(amount, p.scale, p.currency)
}

export function idList(items: readonly MatchItem[], indices: readonly number[]): string {
  const named = indices.slice(0, DETAIL_IDS_MAX).map((i) => items[i]!.id)
  return named.join(', ') + (indices.length > DETAIL_IDS_MAX ? ', …' : '')
}

export function byId(items: readonly MatchItem[]): (x: number, y: number) => number {
  return (x, y) => (items[x]!.id < items[y]!.id ? -1 : items[x]!.id > items[y]!.id ? 1 : 0)
}

export function sumOf(items: readonly MatchItem[], indices: readonly number[]): bigint {
  let total = 0n
  for (const i of indices) total += items[i]!.amount
  return total
}

/** Business days between the furthest-apart statement and ledger dates of a match. */
export function largestDayGap(e: Engine, st: readonly number[], lg: readonly number[]): number {
  let most = 0
  for (const s of st) for (const l of lg) most = Math.max(most, businessDaysBetween(e.st.day[s]!, e.lg.day[l]!))
  return most
}

interface MatchSpec {
  readonly kind: MatchKind
  readonly st: readonly number[]
  readonly lg: readonly number[]
  readonly variance: bigint
  readonly confirm: boolean
  readonly rule: MatchRule | null
  readonly keys: readonly string[]
  readonly summary: string
}

/** Records a match with its reason written now, and uses up its items (and takes the postings out of the amount index). */
export function pushMatch(e: Engine, m: MatchSpec): void {
  for (const s of m.st) {
    invariant(e.st.state[s] === FREE, 'a statement line is matched twice')
    e.st.state[s] = MATCHED
  }
  for (const l of m.lg) useLedger(e, l, MATCHED)
  const first = e.st.items[m.st[0]!]!
  e.byKind[m.kind]++
  const match = {
    kind: m.kind,
    account: first.account,
    statement: m.st.map((s) => e.st.items[s]!.id),
    ledger: m.lg.map((l) => e.lg.items[l]!.id),
    variance: m.variance,
    confirm: m.confirm,
    reason: {
      rule: m.rule?.id ?? KEY_RULE_ID,
      ruleName: m.rule?.name ?? KEY_RULE_NAME,
      keys: m.keys,
      amountDifference: m.variance === 0n ? '0' : m.variance.toString(),
      dayDifference: m.lg.length === 0 ? 0 : largestDayGap(e, m.st, m.lg),
      summary: m.summary,
    },
    adjustmentAccount: m.kind === 'fee' || m.variance !== 0n ? (m.rule?.feeAccount ?? null) : null,
  }
  e.matches.push(MatchRecord.written(match, first, m.rule))
}

/** The match of line s and posting l made as `how` says (see MatchRecord.pair), not yet recorded. */
export function pairRecord(e: Engine, how: MatchHow, s: number, l: number, variance: bigint): MatchRecord {
  return MatchRecord.pair(how, e.st.items[s]!, e.lg.items[l]!, variance)
}

/** The shared `how` of the key pairs of a partition. */
export function keyPairHow(e: Engine, part: number): MatchHow {
  return (e.keyHow[part] ??= MatchRecord.pairHow('key', true, null, e.parts[part]!.scale))
}

/** The shared `how` of the 1:1 pairs of a rule in a partition: exact ones are confirmed when the rule says so, near ones never. */
export function oneToOneHow(e: Engine, r: PreparedRule, part: number, exact: boolean): MatchHow {
  const slot = part * 2 + (exact ? 1 : 0)
  return (r.how[slot] ??= MatchRecord.pairHow('1:1', exact && r.rule.autoConfirm, r.rule, e.parts[part]!.scale))
}

/**
 * Records a pair match built by pairRecord for line s and posting l, and uses both up. The caller
 * names the kind (a constant where it is called): reading it from the record, built long before
 * in the key pass, would be a cache miss per match.
 */
export function commitPair(e: Engine, kind: 'key' | '1:1', s: number, l: number, match: MatchRecord): void {
  invariant(e.st.state[s] === FREE, 'a statement line is matched twice')
  e.st.state[s] = MATCHED
  useLedger(e, l, MATCHED)
  e.byKind[kind]++
  e.matches.push(match)
}

function useLedger(e: Engine, l: number, state: number): void {
  invariant(e.lg.state[l] === FREE, 'a ledger item is used twice')
  e.lg.state[l] = state
  const pos = e.lPos[l]!
  const index = pos < 0 ? undefined : e.amountIndex[e.lg.part[l]!]
  if (index !== undefined) index.next[pos] = pos + 1
}

/** No related items (shared: read-only). */
export const NO_ITEMS: readonly number[] = Object.freeze([])
const NO_IDS: readonly string[] = Object.freeze([])

/** Records an exception for an item of one side and uses it up. */
export function pushException(
  e: Engine,
  side: 'statement' | 'ledger',
  i: number,
  reason: ExceptionReason,
  detail: string,
  related: readonly number[],
): void {
  const own = side === 'statement' ? e.st : e.lg
  const other = side === 'statement' ? e.lg : e.st
  if (side === 'statement') {
    invariant(e.st.state[i] === FREE, 'a statement line gets a second outcome')
    e.st.state[i] = EXCEPTION
  } else {
    useLedger(e, i, EXCEPTION)
  }
  const item = own.items[i]!
  const ids = related.length === 0 ? NO_IDS : related.map((j) => other.items[j]!.id)
  own.exception[i] = { side, item: item.id, account: item.account, reason, detail, related: ids }
}

/** Notes that `candidates` (of `side`) were named by the ambiguous item `of` of the other side. */
export function noteCandidates(side: Side, candidates: readonly number[], of: number): void {
  for (const c of candidates) {
    const list = side.candidateOf.get(c)
    if (list === undefined) side.candidateOf.set(c, [of])
    else list.push(of)
  }
}
