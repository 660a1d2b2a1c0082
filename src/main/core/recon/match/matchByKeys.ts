/**
 * The exact-key passes of the matching engine (issue 15). First, a line carrying a key of a posting
 * matched in an earlier run is a duplicate. Then lines and postings sharing a key — the graph of
 * "shares a key with" inside one account, currency and sign — are resolved one connected group at
 * a time: a plain pair (most of a file) directly, larger groups by twins, repeats and totals.
 */
import { formatAmount } from '../../../../shared/money'
import type { MatchItem, ProposedMatch } from './matchTypes'
import {
  EXCEPTION,
  FREE,
  abs,
  keyRuleOf,
  money,
  plural,
  pushException,
  pushMatch,
  commitPair,
  pairMatch,
  sumOf,
  toleranceFor,
  byId,
  type Engine,
  type Side,
} from './matchState'

/** A line carrying a key of a posting matched in an earlier run is the bank reporting it again. */
export function markMatchedBefore(e: Engine): void {
  const before = e.input.matchedLedgerKeys
  if (before.size === 0) return
  for (let s = 0; s < e.st.items.length; s++) {
    const item = e.st.items[s]!
    for (const key of item.keys) {
      const ledgerId = before.get(key)
      if (ledgerId === undefined) continue
      e.st.state[s] = EXCEPTION
      e.st.exception[s] = {
        side: 'statement',
        item: item.id,
        account: item.account,
        reason: 'duplicate',
        detail: `Key ${key} was matched before, to ledger item ${ledgerId}: the line reports a movement already reconciled.`,
        related: [ledgerId],
      }
      break
    }
  }
}

/** More lines than this carrying one key: the key is not a reference (see statementKeys). */
const KEY_LINES_MAX = 64

/** Statement → ledger edges of the key graph (same partition, same sign), with both adjacency lists. */
interface KeyGraph {
  /** Ledger neighbours of line s: sAdj[sStart[s] .. sStart[s + 1]). */
  readonly sStart: Int32Array
  readonly sAdj: Int32Array
  /** Statement neighbours of posting l: lAdj[lStart[l] .. lStart[l + 1]). */
  readonly lStart: Int32Array
  readonly lAdj: Int32Array
  /**
   * The match of line s with its posting, built while both were at hand in memory (see
   * addKeyEdge) when they were each other's first edge and their amounts were equal; used only if
   * they turn out to be a plain pair.
   */
  readonly prepared: (ProposedMatch | undefined)[]
}

/** Marks of a breadth-first walk: an item is seen when its mark equals the walk's stamp (no clearing between walks). */
interface Seen {
  readonly s: Int32Array
  readonly l: Int32Array
  stamp: number
}

function createSeen(e: Engine): Seen {
  return { s: new Int32Array(e.st.items.length), l: new Int32Array(e.lg.items.length), stamp: 1 }
}

/** Resolves each connected group of the key graph once, in the input order of its first line. */
export function runKeyPass(e: Engine): void {
  const g = buildKeyGraph(e)
  const seen = createSeen(e)
  let sub: Seen | null = null
  for (let s = 0; s < e.st.items.length; s++) {
    if (seen.s[s] === seen.stamp) continue
    const from = g.sStart[s]!
    const degree = g.sStart[s + 1]! - from
    if (degree === 0) continue
    const l = g.sAdj[from]!
    if (degree === 1 && g.lStart[l + 1]! - g.lStart[l]! === 1) {
      const match = g.prepared[s]
      if (match !== undefined) commitPair(e, s, l, match)
      else resolveKeyPair(e, g, s, l)
      continue
    }
    const [st, lg] = collectComponent(e, g, s, seen)
    resolveKeyComponent(e, g, st, lg, (sub ??= createSeen(e)))
  }
}

/**
 * One Map of the lines' keys, one lookup per posting key. The lines' side goes into the Map
 * because it holds fewer keys (a line carries its bank reference, a posting its entry id and
 * references besides): filling a Map costs more than asking it.
 */
function buildKeyGraph(e: Engine): KeyGraph {
  const { single, several } = statementKeys(e.st)
  const { lg } = e
  const lStart = new Int32Array(lg.items.length + 1)
  const edges: number[] = []
  const sDegree = new Int32Array(e.st.items.length)
  const prepared = new Array<ProposedMatch | undefined>(e.st.items.length)
  for (let l = 0; l < lg.items.length; l++) {
    lStart[l] = edges.length
    for (const key of lg.items[l]!.keys) {
      const v = single.get(key)
      if (v === undefined) continue
      if (v >= 0) addKeyEdge(e, edges, lStart[l]!, v, l, sDegree, prepared)
      else for (const s of several[-1 - v]!) addKeyEdge(e, edges, lStart[l]!, s, l, sDegree, prepared)
    }
  }
  lStart[lg.items.length] = edges.length
  const lAdj = Int32Array.from(edges)
  const [sStart, sAdj] = invertAdjacency(lStart, lAdj, sDegree)
  return { sStart, sAdj, lStart, lAdj, prepared }
}

/**
 * Every key of a free line → its line (≥ 0), or -1 - i when several lines carry it (several[i],
 * in statement order). The Map is filled with one set per key; only when its size shows that a
 * key repeated (a line reported twice, a transfer split) does a second pass find those keys. A key
 * on more than KEY_LINES_MAX lines names no single movement (a batch name, a constant text): it
 * is left out, so no group of lines × postings by one key can grow quadratic.
 */
function statementKeys(st: Side): { single: Map<string, number>; several: number[][] } {
  const single = new Map<string, number>()
  let inserted = 0
  for (let s = 0; s < st.items.length; s++) {
    if (st.state[s] !== FREE) continue
    for (const key of st.items[s]!.keys) single.set(key, s)
    inserted += st.items[s]!.keys.length
  }
  const several: number[][] = []
  if (single.size === inserted) return { single, several }
  // The Map holds the last line of a repeated key: list the earlier ones, then append it.
  const earlier = new Map<string, number[]>()
  for (let s = 0; s < st.items.length; s++) {
    if (st.state[s] !== FREE) continue
    for (const key of st.items[s]!.keys) {
      if (single.get(key) === s) continue
      const list = earlier.get(key)
      if (list === undefined) earlier.set(key, [s])
      else if (list.at(-1) !== s) list.push(s)
    }
  }
  for (const [key, list] of earlier) {
    list.push(single.get(key)!)
    if (list.length > KEY_LINES_MAX) {
      single.delete(key)
      continue
    }
    single.set(key, -1 - several.length)
    several.push(list)
  }
  return { single, several }
}

/**
 * An edge from posting l (its edges start at `from`) to line s, when they may match at all and it
 * is new. When it is the first edge of both and the amounts are equal — a plain pair, most likely —
 * the match is built now: both items and their amounts were just read, and reading them again
 * later is a cache miss each on a large run.
 */
function addKeyEdge(
  e: Engine,
  edges: number[],
  from: number,
  s: number,
  l: number,
  sDegree: Int32Array,
  prepared: (ProposedMatch | undefined)[],
): void {
  if (e.lg.part[l] !== e.st.part[s]) return
  const line = e.st.items[s]!
  const posting = e.lg.items[l]!
  const equal = line.amount === posting.amount
  if (!equal && !sameSign(line.amount, posting.amount)) return
  for (let i = from; i < edges.length; i++) if (edges[i] === s) return
  if (equal && edges.length === from && sDegree[s] === 0) prepared[s] = keyPairMatch(e, s, l)
  edges.push(s)
  sDegree[s]!++
}

function sameSign(a: bigint, b: bigint): boolean {
  return a > 0n ? b > 0n : a < 0n ? b < 0n : b === 0n
}

/** The reverse adjacency by counting sort: for each item of the other side, its neighbours in this side's order. */
function invertAdjacency(start: Int32Array, adj: Int32Array, otherDegree: Int32Array): [Int32Array, Int32Array] {
  const n = otherDegree.length
  const otherStart = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) otherStart[i + 1] = otherStart[i]! + otherDegree[i]!
  const fill = otherStart.slice(0, n)
  const otherAdj = new Int32Array(adj.length)
  for (let x = 0; x + 1 < start.length; x++) {
    for (let i = start[x]!; i < start[x + 1]!; i++) otherAdj[fill[adj[i]!]!++] = x
  }
  return [otherStart, otherAdj]
}

/**
 * The connected free items around line s0: statement lines in input order, postings by id (so
 * the order of the ledger input does not matter).
 */
function collectComponent(e: Engine, g: KeyGraph, s0: number, seen: Seen): [number[], number[]] {
  const st = [s0]
  const lg: number[] = []
  const { stamp } = seen
  seen.s[s0] = stamp
  for (let si = 0, li = 0; si < st.length || li < lg.length;) {
    if (si < st.length) {
      const s = st[si++]!
      for (let i = g.sStart[s]!; i < g.sStart[s + 1]!; i++) {
        const l = g.sAdj[i]!
        if (seen.l[l] === stamp || e.lg.state[l] !== FREE) continue
        seen.l[l] = stamp
        lg.push(l)
      }
    } else {
      const l = lg[li++]!
      for (let i = g.lStart[l]!; i < g.lStart[l + 1]!; i++) {
        const s = g.lAdj[i]!
        if (seen.s[s] === stamp || e.st.state[s] !== FREE) continue
        seen.s[s] = stamp
        st.push(s)
      }
    }
  }
  return [st.sort((x, y) => x - y), lg.sort(byId(e.lg.items))]
}

/**
 * Items linked by keys beyond a plain pair. In order: (a) each line takes a posting with the same
 * amount (most shared keys, then smallest id) — so a line and a posting that are each other's twin
 * pair up even when a wider key (a transaction hash) links more; (b) a later line with the same
 * key and amount as a line that found its posting is a duplicate; (c) what is left, split into
 * its still-connected groups, is matched when its totals are equal (1:N, N:1), else it is an
 * amount difference.
 */
function resolveKeyComponent(e: Engine, g: KeyGraph, st: number[], lg: number[], sub: Seen): void {
  const partner = new Map<number, number>()
  for (const s of st) {
    const l = twinPosting(e, g, s)
    if (l < 0) continue
    partner.set(s, l)
    resolveKeyGroup(e, g, [s], [l])
  }
  if (partner.size > 0) markRepeatedLines(e, st, partner)
  if (partner.size === 0) return resolveWithRepeats(e, g, st, lg)
  sub.stamp++
  for (const s of st) {
    if (sub.s[s] === sub.stamp || e.st.state[s] !== FREE) continue
    const [groupSt, groupLg] = collectComponent(e, g, s, sub)
    if (groupLg.length > 0) resolveWithRepeats(e, g, groupSt, groupLg)
  }
}

/**
 * A group whose totals differ may hold a line the bank reported twice (same key, same amount):
 * without the repeats it is resolved as usual, and when that finds its posting (exactly or inside
 * the tolerance) the repeats are duplicates; otherwise they share the group's amount difference.
 */
function resolveWithRepeats(e: Engine, g: KeyGraph, st: number[], lg: number[]): void {
  const repeats = st.length > 1 && st.length <= KEY_LINES_MAX ? repeatedLines(e, st) : null
  if (repeats === null || repeats.size === 0 || sumOf(e.st.items, st) === sumOf(e.lg.items, lg)) {
    resolveKeyGroup(e, g, st, lg)
    return
  }
  const matched = resolveKeyGroup(
    e,
    g,
    st.filter((s) => !repeats.has(s)),
    lg,
  )
  for (const [s, first] of repeats) {
    const line = e.st.items[s]!
    const same = `Same reference ${sharedKeys(line, e.st.items[first]!).join(', ')} and amount ${money(e, e.st.part[s]!, line.amount)} as line ${e.st.items[first]!.id}`
    if (matched) pushException(e, 'statement', s, 'duplicate', `${same}, which matches by key: the bank reported it twice.`, lg)
    else pushException(e, 'statement', s, 'amount_differs', `${same}; their key group does not add up.`, lg)
  }
}

/** Lines repeating an earlier line of the group (same amount, a shared key) → the line they repeat. */
function repeatedLines(e: Engine, st: readonly number[]): Map<number, number> {
  const repeats = new Map<number, number>()
  for (let i = 1; i < st.length; i++) {
    const line = e.st.items[st[i]!]!
    for (let j = 0; j < i; j++) {
      const earlier = e.st.items[st[j]!]!
      if (repeats.has(st[j]!) || earlier.amount !== line.amount || sharedKeys(line, earlier).length === 0) continue
      repeats.set(st[i]!, st[j]!)
      break
    }
  }
  return repeats
}

/** The free posting linked to line s with the very same amount: most shared keys, then smallest id; -1 if none. */
function twinPosting(e: Engine, g: KeyGraph, s: number): number {
  const line = e.st.items[s]!
  let best = -1
  let bestShared = 0
  for (let i = g.sStart[s]!; i < g.sStart[s + 1]!; i++) {
    const l = g.sAdj[i]!
    const posting = e.lg.items[l]!
    if (e.lg.state[l] !== FREE || posting.amount !== line.amount) continue
    const shared = sharedKeys(line, posting).length
    if (best < 0 || shared > bestShared || (shared === bestShared && posting.id < e.lg.items[best]!.id)) {
      best = l
      bestShared = shared
    }
  }
  return best
}

/** A line repeating an earlier line of the group that found its posting (same key, same amount) is a duplicate. */
function markRepeatedLines(e: Engine, st: readonly number[], partner: ReadonlyMap<number, number>): void {
  for (const s of st) {
    if (e.st.state[s] !== FREE) continue
    const line = e.st.items[s]!
    for (const [first, l] of partner) {
      const earlier = e.st.items[first]!
      if (first > s || earlier.amount !== line.amount) continue
      const keys = sharedKeys(line, earlier)
      if (keys.length === 0) continue
      pushException(
        e,
        'statement',
        s,
        'duplicate',
        `Same reference ${keys.join(', ')} and amount ${money(e, e.st.part[s]!, line.amount)} as line ${earlier.id}, which matches ledger item ${e.lg.items[l]!.id}: the bank reported it twice.`,
        [l],
      )
      break
    }
  }
}

/**
 * A line and a posting linked only to each other — most of a file. Equal amounts are matched here
 * with as little allocated as possible (a line's single key array is shared into the reason:
 * both are read-only); anything else goes the general way.
 */
function resolveKeyPair(e: Engine, g: KeyGraph, s: number, l: number): void {
  if (e.st.items[s]!.amount !== e.lg.items[l]!.amount) resolveKeyGroup(e, g, [s], [l])
  else commitPair(e, s, l, keyPairMatch(e, s, l))
}

/** The confirmed key match of a line and a posting with equal amounts. */
function keyPairMatch(e: Engine, s: number, l: number): ProposedMatch {
  const line = e.st.items[s]!
  const keys = line.keys.length === 1 ? line.keys : sharedKeys(line, e.lg.items[l]!)
  const summary = keys.length === 1 ? `Same reference ${keys[0]!}; amounts equal` : `Same references ${keys.join(', ')}; amounts equal`
  return pairMatch(e, 'key', s, l, 0n, true, null, keys, summary)
}

/** Lines and postings linked by keys, taken together: equal totals match, a difference inside the tolerance is a suggestion, else an exception on every item. */
function resolveKeyGroup(e: Engine, g: KeyGraph, st: number[], lg: number[]): boolean {
  const stTotal = st.length === 1 ? e.st.items[st[0]!]!.amount : sumOf(e.st.items, st)
  const lgTotal = lg.length === 1 ? e.lg.items[lg[0]!]!.amount : sumOf(e.lg.items, lg)
  const keys = groupKeys(e, g, st, lg)
  const part = e.st.part[st[0]!]!
  const variance = stTotal - lgTotal
  const what = `Same reference${keys.length === 1 ? '' : 's'} ${keys.join(', ')}`
  const shape = st.length === 1 && lg.length === 1 ? '' : ` (${plural(st.length, 'statement line')}, ${plural(lg.length, 'ledger item')})`
  if (variance === 0n) {
    pushMatch(e, { kind: 'key', st, lg, variance, confirm: true, rule: null, keys, summary: `${what}; amounts equal${shape}` })
    return true
  }
  const r = st.length === 1 && lg.length === 1 ? keyRuleOf(e, e.parts[part]!.account) : null
  const tolerance = r === null ? 0n : toleranceFor(r, stTotal)
  const differs = `amount differs by ${money(e, part, abs(variance))}`
  if (r !== null && abs(variance) <= tolerance) {
    const summary = `${what}; ${differs} (inside the ${formatAmount(tolerance, e.parts[part]!.scale)} tolerance of rule "${r.rule.name}")`
    pushMatch(e, { kind: 'key', st, lg, variance, confirm: false, rule: r.rule, keys, summary })
    return true
  }
  const detail = `${what} links ${plural(st.length, 'statement line')} totalling ${money(e, part, stTotal)} and ${plural(lg.length, 'ledger item')} totalling ${money(e, part, lgTotal)}: ${differs}${r === null ? '' : `, outside the ${formatAmount(tolerance, e.parts[part]!.scale)} tolerance of rule "${r.rule.name}"`}.`
  for (const s of st) pushException(e, 'statement', s, 'amount_differs', detail, lg)
  for (const l of lg) pushException(e, 'ledger', l, 'amount_differs', detail, st)
  return false
}

/** The keys shared across a group's edges, sorted and distinct. */
function groupKeys(e: Engine, g: KeyGraph, st: readonly number[], lg: readonly number[]): string[] {
  if (st.length === 1 && lg.length === 1) return sharedKeys(e.st.items[st[0]!]!, e.lg.items[lg[0]!]!)
  const keys = new Set<string>()
  for (const s of st) {
    for (let i = g.sStart[s]!; i < g.sStart[s + 1]!; i++) {
      if (lg.includes(g.sAdj[i]!)) for (const k of sharedKeys(e.st.items[s]!, e.lg.items[g.sAdj[i]!]!)) keys.add(k)
    }
  }
  return [...keys].sort()
}

function sharedKeys(a: MatchItem, b: MatchItem): string[] {
  if (a.keys.length === 1 && b.keys.length === 1) return a.keys[0] === b.keys[0] ? [a.keys[0]!] : []
  const shared: string[] = []
  for (const k of a.keys) if (b.keys.includes(k) && !shared.includes(k)) shared.push(k)
  return shared.sort()
}
