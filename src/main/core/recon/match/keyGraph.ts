/**
 * The first pass of the matching engine (issue 15): it reads every item once — partition, day and
 * amount into the side's typed arrays (see readItem), and its keys — and builds the graph of
 * "shares a key with" between lines and postings of one account, currency and sign, which
 * ./matchByKeys.ts resolves. Reading an item is a cache miss on a large run (the items are
 * objects scattered over the heap), so its fields and its keys are read in the same visit.
 *
 * A line carrying a key of a posting matched in an earlier run is a duplicate, found on the same
 * visit. Then the free lines by key number (keys numbered once by the loader, ./keyInterner.ts, or
 * here when the input carries no numbers), and one look-up per posting key: the lines' side is
 * the one filed because it holds fewer keys (a line carries its bank reference, a posting its
 * entry id and references besides).
 */
import { invariant } from '../../util/invariant'
import type { KeyColumn, NumberedKeys } from './keyInterner'
import { EXCEPTION, FREE, readItem, sameAmount, type Engine } from './matchState'

/** More lines than this carrying one key: the key is not a reference (see readStatement). */
export const KEY_LINES_MAX = 64

/** Statement → ledger edges of the key graph (same partition, same sign), with both adjacency lists. */
export interface KeyGraph {
  /** Ledger neighbours of line s: sAdj[sStart[s] .. sStart[s + 1]). */
  readonly sStart: Int32Array
  readonly sAdj: Int32Array
  /** Statement neighbours of posting l: lAdj[lStart[l] .. lStart[l + 1]). */
  readonly lStart: Int32Array
  readonly lAdj: Int32Array
}

/** Edges as they are found, posting by posting: a growable list of line numbers outside the JS heap. */
interface EdgeList {
  data: Int32Array
  length: number
}

/** The input's key numbers (the loader numbered them), checked against its items; null when it has none (the strings are used). */
function keyNumbers(e: Engine): NumberedKeys | null {
  const given = e.input.keyNumbers ?? null
  if (given !== null) {
    checkColumn(given.statement, e.st.items.length, given.count, 'statement')
    checkColumn(given.ledger, e.lg.items.length, given.count, 'ledger')
  }
  return given
}

/** A column fits its side: one start per item and one more, in order, every id below count. */
function checkColumn(column: KeyColumn, items: number, count: number, side: string): void {
  const { start, ids } = column
  invariant(
    start.length === items + 1 && start[0] === 0 && start[items] === ids.length,
    () => `keyNumbers.${side} does not fit its ${items} items`,
  )
  for (let i = 0; i < items; i++) if (start[i]! > start[i + 1]!) invariant(false, `keyNumbers.${side}: item ${i} starts after the next`)
  for (let j = 0; j < ids.length; j++)
    if (!(ids[j]! >= 0 && ids[j]! < count)) invariant(false, `keyNumbers.${side}: key number ${ids[j]} is not below ${count}`)
}

/** Reads both sides and links lines and postings that share a key. */
export function buildKeyGraph(e: Engine): KeyGraph {
  const numbers = keyNumbers(e)
  const { linesOf, byKey, several } = numbers === null ? readStatementKeys(e) : readStatement(e, numbers)
  const { lg } = e
  const lStart = new Int32Array(lg.items.length + 1)
  const edges: EdgeList = { data: new Int32Array(Math.max(16, e.st.items.length)), length: 0 }
  const sDegree = new Int32Array(e.st.items.length)
  const given = numbers?.ledger
  for (let l = 0; l < lg.items.length; l++) {
    const posting = lg.items[l]!
    readItem(e, lg, l, posting)
    const from = (lStart[l] = edges.length)
    if (given !== undefined) {
      for (let j = given.start[l]!, end = given.start[l + 1]!; j < end; j++) {
        const v = linesOf[given.ids[j]!]!
        if (v !== NO_LINE) addKeyEdges(e, edges, from, v, several, l, sDegree)
      }
    } else {
      for (const key of posting.keys) {
        const v = byKey.get(key)
        if (v !== undefined) addKeyEdges(e, edges, from, v, several, l, sDegree)
      }
    }
  }
  lStart[lg.items.length] = edges.length
  const lAdj = edges.data.subarray(0, edges.length)
  const [sStart, sAdj] = invertAdjacency(lStart, lAdj, sDegree)
  return { sStart, sAdj, lStart, lAdj }
}

/** The free lines by key: by key number (linesOf) when the input numbered its keys, else by the key itself (byKey); see readStatement. */
interface LinesByKey {
  readonly linesOf: Int32Array
  readonly byKey: ReadonlyMap<string, number>
  readonly several: number[][]
}

const NO_LINES_OF = new Int32Array(0)
const NO_BY_KEY: ReadonlyMap<string, number> = new Map()

/** In linesOf: no free line carries the key. */
const NO_LINE = 0

/** Edges from posting l to the line(s) of one key, as linesOf encodes them (see readStatement). */
function addKeyEdges(
  e: Engine,
  edges: EdgeList,
  from: number,
  v: number,
  several: readonly number[][],
  l: number,
  sDegree: Int32Array,
): void {
  if (v > 0) addKeyEdge(e, edges, from, v - 1, l, sDegree)
  else for (const s of several[-1 - v]!) addKeyEdge(e, edges, from, s, l, sDegree)
}

/**
 * Reads the lines; marks the duplicates of earlier runs; and gives, by key number, the free lines
 * carrying the key: linesOf[id] = s + 1 for one line s, -1 - i when several lines carry it
 * (several[i], in statement order), NO_LINE for none. An array indexed by the key's number, not a
 * Map of strings: the run hashes no key when the loader numbered them. Only when a key was set
 * twice (a line reported twice, a transfer split) does a second pass find those keys. A key on
 * more than KEY_LINES_MAX lines names no single movement (a batch name, a constant text): it is
 * left out, so no group of lines × postings by one key can grow quadratic.
 */
function readStatement(e: Engine, numbers: NumberedKeys): LinesByKey {
  const { st } = e
  const before = e.input.matchedLedgerKeys
  const given = numbers.statement
  const linesOf = new Int32Array(numbers.count)
  let repeated = false
  for (let s = 0; s < st.items.length; s++) {
    const line = st.items[s]!
    readItem(e, st, s, line)
    if (before.size > 0 && matchedBefore(e, s, before)) continue
    for (let j = given.start[s]!, end = given.start[s + 1]!; j < end; j++) {
      const id = given.ids[j]!
      const v = linesOf[id]!
      if (v !== NO_LINE && v !== s + 1) repeated = true
      linesOf[id] = s + 1
    }
  }
  const several: number[][] = []
  if (!repeated) return { linesOf, byKey: NO_BY_KEY, several }
  // linesOf holds the last line of a repeated key: list the earlier ones, then append it.
  const earlier = new Map<number, number[]>()
  for (let s = 0; s < st.items.length; s++) {
    if (st.state[s] !== FREE) continue
    for (let j = given.start[s]!, end = given.start[s + 1]!; j < end; j++) {
      const id = given.ids[j]!
      if (linesOf[id] === s + 1) continue
      const list = earlier.get(id)
      if (list === undefined) earlier.set(id, [s])
      else if (list.at(-1) !== s) list.push(s)
    }
  }
  for (const [id, list] of earlier) {
    list.push(linesOf[id]! - 1)
    if (list.length > KEY_LINES_MAX) {
      linesOf[id] = NO_LINE
      continue
    }
    linesOf[id] = -1 - several.length
    several.push(list)
  }
  return { linesOf, byKey: NO_BY_KEY, several }
}

/**
 * readStatement for an input without key numbers: the same, with the lines filed in a Map by the
 * key string (one set per key; byKey holds the same codes as linesOf).
 */
function readStatementKeys(e: Engine): LinesByKey {
  const { st } = e
  const before = e.input.matchedLedgerKeys
  const byKey = new Map<string, number>()
  let inserted = 0
  for (let s = 0; s < st.items.length; s++) {
    const line = st.items[s]!
    readItem(e, st, s, line)
    if (before.size > 0 && matchedBefore(e, s, before)) continue
    for (const key of line.keys) byKey.set(key, s + 1)
    inserted += line.keys.length
  }
  const several: number[][] = []
  if (byKey.size === inserted) return { linesOf: NO_LINES_OF, byKey, several }
  // The Map holds the last line of a repeated key: list the earlier ones, then append it.
  const earlier = new Map<string, number[]>()
  for (let s = 0; s < st.items.length; s++) {
    if (st.state[s] !== FREE) continue
    for (const key of st.items[s]!.keys) {
      if (byKey.get(key) === s + 1) continue
      const list = earlier.get(key)
      if (list === undefined) earlier.set(key, [s])
      else if (list.at(-1) !== s) list.push(s)
    }
  }
  for (const [key, list] of earlier) {
    list.push(byKey.get(key)! - 1)
    if (list.length > KEY_LINES_MAX) {
      byKey.delete(key)
      continue
    }
    byKey.set(key, -1 - several.length)
    several.push(list)
  }
  return { linesOf: NO_LINES_OF, byKey, several }
}

/** A line carrying a key of a posting matched in an earlier run is the bank reporting it again: a duplicate. */
function matchedBefore(e: Engine, s: number, before: ReadonlyMap<string, string>): boolean {
  const line = e.st.items[s]!
  for (const key of line.keys) {
    const ledgerId = before.get(key)
    if (ledgerId === undefined) continue
    e.st.state[s] = EXCEPTION
    e.st.exception[s] = {
      side: 'statement',
      item: line.id,
      account: line.account,
      reason: 'duplicate',
      detail: `Key ${key} was matched before, to ledger item ${ledgerId}: the line reports a movement already reconciled.`,
      related: [ledgerId],
    }
    return true
  }
  return false
}

/** An edge from posting l (its edges start at `from`) to line s, when they may match at all and it is new. */
function addKeyEdge(e: Engine, edges: EdgeList, from: number, s: number, l: number, sDegree: Int32Array): void {
  if (e.lg.part[l] !== e.st.part[s]) return
  const equal = sameAmount(e, s, l)
  if (!equal && e.st.sign[s] !== e.lg.sign[l]) return // never across signs
  for (let i = from; i < edges.length; i++) if (edges.data[i] === s) return
  if (edges.length === edges.data.length) {
    const grown = new Int32Array(edges.data.length * 2)
    grown.set(edges.data)
    edges.data = grown
  }
  edges.data[edges.length++] = s
  sDegree[s]!++
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
