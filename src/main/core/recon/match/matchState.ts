/**
 * The matching engine's working state (issue 15), shared by its passes (./matchEngine.ts): the
 * items of each side numbered by input position, their state in typed arrays (one byte each: free,
 * matched, or given an exception), and the one place matches and exceptions are recorded — so an
 * item can never end in two of them.
 */
import { formatAmount } from '../../../../shared/money'
import { invariant } from '../../util/invariant'
import { businessDaysBetween } from './businessDays'
import {
  MATCH_GROUP_MAX,
  type ExceptionReason,
  type MatchInput,
  type MatchItem,
  type MatchKind,
  type MatchRule,
  type ProposedException,
  type ProposedMatch,
} from './matchTypes'

/** reason.rule of a match made by exact keys with equal amounts (no rule was needed). */
export const KEY_RULE_ID = 'key'
export const KEY_RULE_NAME = 'Exact key'

const BPS_PER_UNIT = 10_000n
/** The keys of a match made without keys (shared: it is read-only). */
export const NO_KEYS: readonly string[] = Object.freeze([])
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

/** An amount rule with its basis points as a bigint, computed once. */
export interface PreparedRule {
  readonly rule: MatchRule
  readonly bps: bigint
  readonly groupMax: number
}

/**
 * Free ledger postings of one partition, sorted by amount; `next` skips the ones used since. The
 * amounts are kept as doubles: searching and sorting doubles is several times faster than
 * bigints, and rounding to a double keeps order (x ≤ y ⇒ Number(x) ≤ Number(y)), so a range found
 * on doubles holds every posting of the exact range — each is then checked exactly.
 */
export interface AmountIndex {
  readonly items: Int32Array
  readonly amounts: Float64Array
  /** next[p] = p while position p is free; else a pointer towards the next free position (path-compressed). */
  readonly next: Int32Array
}

/** One side of the input, numbered by input position. */
export interface Side {
  readonly items: readonly MatchItem[]
  readonly part: Int32Array
  /** -1, 0 or 1 for the items the key pass leaves (read no earlier): statement lines by fillSigns, postings by buildAmountIndex. */
  readonly sign: Int8Array
  readonly state: Uint8Array
  readonly exception: (ProposedException | undefined)[]
  /** Items that were candidates of an ambiguous item of the other side → those items. */
  readonly candidateOf: Map<number, number[]>
}

export interface Engine {
  readonly input: MatchInput
  readonly parts: Partition[]
  readonly st: Side
  readonly lg: Side
  readonly matches: ProposedMatch[]
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

export interface ScanResult {
  exactCount: number
  exactBest: number
  exactBestDays: number
  nearCount: number
  nearBest: number
  nearBestDiff: bigint
  nearBestDays: number
  tolerance: bigint
}

export function createEngine(input: MatchInput): Engine {
  const parts: Partition[] = []
  const byAccount = new Map<string, Map<string, number>>()
  const st = createSide(input.statement, parts, byAccount, input.scales)
  const lg = createSide(input.ledger, parts, byAccount, input.scales)
  const amountRules = input.rules.filter((r) => r.kind === 'amount').map(prepareRule)
  for (const r of input.rules) checkRule(r)
  return {
    input,
    parts,
    st,
    lg,
    matches: [],
    byKind: { key: 0, '1:1': 0, '1:N': 0, 'N:1': 0, fee: 0 },
    amountRules,
    keyRuleOf: new Map(),
    amountIndex: [],
    lPos: new Int32Array(input.ledger.length).fill(-1),
    scan: { exactCount: 0, exactBest: -1, exactBestDays: 0, nearCount: 0, nearBest: -1, nearBestDiff: 0n, nearBestDays: 0, tolerance: 0n },
  }
}

function createSide(
  items: readonly MatchItem[],
  parts: Partition[],
  byAccount: Map<string, Map<string, number>>,
  scales: ReadonlyMap<string, number>,
): Side {
  const part = new Int32Array(items.length)
  const sign = new Int8Array(items.length)
  // Files hold one account and currency in long runs: the last partition is the usual answer.
  let last = -1
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    const known = last >= 0 && parts[last]!.account === item.account && parts[last]!.currency === item.currency
    last = known ? last : partitionOf(item, parts, byAccount, scales)
    part[i] = last
  }
  return { items, part, sign, state: new Uint8Array(items.length), exception: new Array(items.length), candidateOf: new Map() }
}

/**
 * The sign of each free item. Done after the key pass, not when the side is made: reading every
 * item's amount once more is a cache miss per item, and the key pass settles most items with the
 * amounts it reads anyway.
 */
export function fillSigns(side: Side): void {
  for (let i = 0; i < side.items.length; i++) {
    if (side.state[i] !== FREE) continue
    const amount = side.items[i]!.amount
    side.sign[i] = amount > 0n ? 1 : amount < 0n ? -1 : 0
  }
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
  return { rule, bps: BigInt(rule.toleranceBps), groupMax: Math.min(rule.maxGroup, MATCH_GROUP_MAX) }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** The larger of the rule's absolute tolerance and its basis points of the size of `amount` (rounded down). */
export function toleranceFor(r: PreparedRule, amount: bigint): bigint {
  if (r.bps === 0n) return r.rule.toleranceMinor
  const relative = (abs(amount) * r.bps) / BPS_PER_UNIT
  return relative > r.rule.toleranceMinor ? relative : r.rule.toleranceMinor
}

export function abs(v: bigint): bigint {
  return v < 0n ? -v : v
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
  return `${formatAmount(amount, p.scale)} ${p.currency}`
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
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
  for (const s of st) for (const l of lg) most = Math.max(most, businessDaysBetween(e.st.items[s]!.day, e.lg.items[l]!.day))
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

/** Records a match and uses up its items (and takes the postings out of the amount index). */
export function pushMatch(e: Engine, m: MatchSpec): void {
  for (const s of m.st) {
    invariant(e.st.state[s] === FREE, 'a statement line is matched twice')
    e.st.state[s] = MATCHED
  }
  for (const l of m.lg) useLedger(e, l, MATCHED)
  const first = e.st.items[m.st[0]!]!
  e.byKind[m.kind]++
  e.matches.push({
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
  })
}

/** pushMatch for one line and one posting, without the intermediate arrays (the hot path of large files). */
export function pushPair(
  e: Engine,
  kind: MatchKind,
  s: number,
  l: number,
  variance: bigint,
  confirm: boolean,
  rule: MatchRule | null,
  keys: readonly string[],
  summary: string,
): void {
  commitPair(e, s, l, pairMatch(e, kind, s, l, variance, confirm, rule, keys, summary))
}

/** Records a match built by pairMatch for line s and posting l, and uses both up. */
export function commitPair(e: Engine, s: number, l: number, match: ProposedMatch): void {
  invariant(e.st.state[s] === FREE, 'a statement line is matched twice')
  e.st.state[s] = MATCHED
  useLedger(e, l, MATCHED)
  e.byKind[match.kind]++
  e.matches.push(match)
}

/** The match of one line and one posting, not yet recorded. */
export function pairMatch(
  e: Engine,
  kind: MatchKind,
  s: number,
  l: number,
  variance: bigint,
  confirm: boolean,
  rule: MatchRule | null,
  keys: readonly string[],
  summary: string,
): ProposedMatch {
  const line = e.st.items[s]!
  const posting = e.lg.items[l]!
  return {
    kind,
    account: line.account,
    statement: [line.id],
    ledger: [posting.id],
    variance,
    confirm,
    reason: {
      rule: rule?.id ?? KEY_RULE_ID,
      ruleName: rule?.name ?? KEY_RULE_NAME,
      keys,
      amountDifference: variance === 0n ? '0' : variance.toString(),
      dayDifference: businessDaysBetween(line.day, posting.day),
      summary,
    },
    adjustmentAccount: variance !== 0n ? (rule?.feeAccount ?? null) : null,
  }
}

function useLedger(e: Engine, l: number, state: number): void {
  invariant(e.lg.state[l] === FREE, 'a ledger item is used twice')
  e.lg.state[l] = state
  const pos = e.lPos[l]!
  const index = pos < 0 ? undefined : e.amountIndex[e.lg.part[l]!]
  if (index !== undefined) index.next[pos] = pos + 1
}

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
  own.exception[i] = { side, item: item.id, account: item.account, reason, detail, related: related.map((j) => other.items[j]!.id) }
}

/** Notes that `candidates` (of `side`) were named by the ambiguous item `of` of the other side. */
export function noteCandidates(side: Side, candidates: readonly number[], of: number): void {
  for (const c of candidates) {
    const list = side.candidateOf.get(c)
    if (list === undefined) side.candidateOf.set(c, [of])
    else list.push(of)
  }
}
