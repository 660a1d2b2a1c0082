/**
 * The exact-key pass of the matching engine (issue 15). ./keyGraph.ts reads both sides, marks the
 * lines repeating a key matched in an earlier run as duplicates, and links lines and postings
 * sharing a key — the graph of "shares a key with" inside one account, currency and sign. Here
 * that graph is resolved one connected group at a time: a plain pair (most of a file) directly,
 * larger groups by twins, repeats and totals.
 */
import { formatAmount } from '../../../../shared/money'
import { sameKeysText, sharedKeys } from './matchReasons'
import { KEY_LINES_MAX, buildKeyGraph, type KeyGraph } from './keyGraph'
import {
  FREE,
  abs,
  keyRuleOf,
  money,
  plural,
  pushException,
  pushMatch,
  commitPair,
  keyPairHow,
  pairRecord,
  sameAmount,
  sumOf,
  toleranceFor,
  byId,
  type Engine,
} from './matchState'

/** Marks of a breadth-first walk: an item is seen when its mark equals the walk's stamp (no clearing between walks). */
interface Seen {
  readonly s: Int32Array
  readonly l: Int32Array
  stamp: number
}

function createSeen(e: Engine): Seen {
  return { s: new Int32Array(e.st.items.length), l: new Int32Array(e.lg.items.length), stamp: 1 }
}

/** The first pass: reads both sides and links what shares a key (./keyGraph.ts), then resolves the links. */
export function runKeyPass(e: Engine): void {
  resolveKeyGraph(e, buildKeyGraph(e))
}

/** Resolves each connected group of the key graph once, in the input order of its first line. */
function resolveKeyGraph(e: Engine, g: KeyGraph): void {
  const seen = createSeen(e)
  let sub: Seen | null = null
  for (let s = 0; s < e.st.items.length; s++) {
    if (seen.s[s] === seen.stamp) continue
    const from = g.sStart[s]!
    const degree = g.sStart[s + 1]! - from
    if (degree === 0) continue
    const l = g.sAdj[from]!
    if (degree === 1 && g.lStart[l + 1]! - g.lStart[l]! === 1) {
      resolveKeyPair(e, g, s, l)
      continue
    }
    const [st, lg] = collectComponent(e, g, s, seen)
    resolveKeyComponent(e, g, st, lg, (sub ??= createSeen(e)))
  }
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
 * A line and a posting linked only to each other — most of a file. Equal amounts make a pair
 * record (one small object, see ./matchRecord.ts); anything else goes the general way.
 */
function resolveKeyPair(e: Engine, g: KeyGraph, s: number, l: number): void {
  if (!sameAmount(e, s, l)) resolveKeyGroup(e, g, [s], [l])
  else commitPair(e, 'key', s, l, pairRecord(e, keyPairHow(e, e.st.part[s]!), s, l, 0n))
}

/** Lines and postings linked by keys, taken together: equal totals match, a difference inside the tolerance is a suggestion, else an exception on every item. */
function resolveKeyGroup(e: Engine, g: KeyGraph, st: number[], lg: number[]): boolean {
  const stTotal = st.length === 1 ? e.st.items[st[0]!]!.amount : sumOf(e.st.items, st)
  const lgTotal = lg.length === 1 ? e.lg.items[lg[0]!]!.amount : sumOf(e.lg.items, lg)
  const keys = groupKeys(e, g, st, lg)
  const part = e.st.part[st[0]!]!
  const variance = stTotal - lgTotal
  const what = `Same reference${keys.length === 1 ? '' : 's'} ${keys.join(', ')}`
  if (variance === 0n) {
    const shape = st.length === 1 && lg.length === 1 ? '' : ` (${plural(st.length, 'statement line')}, ${plural(lg.length, 'ledger item')})`
    pushMatch(e, { kind: 'key', st, lg, variance, confirm: true, rule: null, keys, summary: sameKeysText(keys, shape) })
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
