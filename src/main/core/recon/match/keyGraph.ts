/**
 * The first pass of the matching engine (issue 15): it reads every item once — partition, day and
 * amount into the side's typed arrays (see readItem), and its keys — and builds the graph of
 * "shares a key with" between lines and postings of one account, currency and sign, which
 * ./matchByKeys.ts resolves. Reading an item is a cache miss on a large run (the items are
 * objects scattered over the heap), so its fields and its keys are read in the same visit.
 *
 * A line carrying a key of a posting matched in an earlier run is a duplicate, found on the same
 * visit. Then one Map of the free lines' keys, and one lookup per posting key: the lines' side goes
 * into the Map because it holds fewer keys (a line carries its bank reference, a posting its entry
 * id and references besides), and filling a Map costs more than asking it.
 */
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

/** Reads both sides and links lines and postings that share a key. */
export function buildKeyGraph(e: Engine): KeyGraph {
  const { single, several } = readStatement(e)
  const { lg } = e
  const lStart = new Int32Array(lg.items.length + 1)
  const edges: EdgeList = { data: new Int32Array(Math.max(16, e.st.items.length)), length: 0 }
  const sDegree = new Int32Array(e.st.items.length)
  for (let l = 0; l < lg.items.length; l++) {
    const posting = lg.items[l]!
    readItem(e, lg, l, posting)
    lStart[l] = edges.length
    for (const key of posting.keys) {
      const v = single.get(key)
      if (v === undefined) continue
      if (v >= 0) addKeyEdge(e, edges, lStart[l]!, v, l, sDegree)
      else for (const s of several[-1 - v]!) addKeyEdge(e, edges, lStart[l]!, s, l, sDegree)
    }
  }
  lStart[lg.items.length] = edges.length
  const lAdj = edges.data.subarray(0, edges.length)
  const [sStart, sAdj] = invertAdjacency(lStart, lAdj, sDegree)
  return { sStart, sAdj, lStart, lAdj }
}

/**
 * Reads the lines; marks the duplicates of earlier runs; and maps every key of a free line → its
 * line (≥ 0), or -1 - i when several lines carry it (several[i], in statement order). The Map is
 * filled with one set per key; only when its size shows that a key repeated (a line reported
 * twice, a transfer split) does a second pass find those keys. A key on more than KEY_LINES_MAX
 * lines names no single movement (a batch name, a constant text): it is left out, so no group of
 * lines × postings by one key can grow quadratic.
 */
function readStatement(e: Engine): { single: Map<string, number>; several: number[][] } {
  const { st } = e
  const before = e.input.matchedLedgerKeys
  const single = new Map<string, number>()
  let inserted = 0
  for (let s = 0; s < st.items.length; s++) {
    const line = st.items[s]!
    readItem(e, st, s, line)
    if (before.size > 0 && matchedBefore(e, s, before)) continue
    for (const key of line.keys) single.set(key, s)
    inserted += line.keys.length
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
