/**
 * Exact keys as numbers (issue 15). The loader numbers every key once, as it builds the items of
 * one account from their rows (../matching/loadReconItems.ts, through a KeyCollector per side:
 * each key numbered while its string is fresh, not in a second pass over the items), with one
 * interner for both sides, into one flat column per side; the matching engine then links lines and postings by those numbers through
 * typed arrays (./keyGraph.ts), where strings would be hashed into a Map on every run and each
 * item's key list read from the heap. The strings stay on the items: reasons, duplicates of
 * earlier runs and every sentence still read them.
 */

/** One side's keys as numbers: item i's are ids[start[i] .. start[i + 1]), in the order of its `keys` (a posting's: those numbered). */
export interface KeyColumn {
  readonly start: Int32Array
  readonly ids: Int32Array
}

/** Both sides' keys numbered by one interner (see numberKeys): every id is below `count`. */
export interface NumberedKeys {
  readonly count: number
  readonly statement: KeyColumn
  readonly ledger: KeyColumn
}

export class KeyInterner {
  private readonly ids = new Map<string, number>()

  /** How many distinct keys were numbered: every number given is below it. */
  get size(): number {
    return this.ids.size
  }

  /** The number of `key`, given it now when it has none. */
  id(key: string): number {
    let id = this.ids.get(key)
    if (id === undefined) {
      id = this.ids.size
      this.ids.set(key, id)
    }
    return id
  }

  /** The number of `key`, or undefined when it has none (nothing is numbered). */
  find(key: string): number | undefined {
    return this.ids.get(key)
  }

  /**
   * The keys of `items` as one column: numbered (new keys given a number) when `numberNew`, else
   * only the keys that already have one — the rest are left out of the column.
   */
  column(items: readonly { readonly keys: readonly string[] }[], numberNew: boolean): KeyColumn {
    const start = new Int32Array(items.length + 1)
    let ids = new Int32Array(Math.max(16, items.length * 2))
    let n = 0
    for (let i = 0; i < items.length; i++) {
      start[i] = n
      for (const key of items[i]!.keys) {
        const id = numberNew ? this.id(key) : this.find(key)
        if (id === undefined) continue
        if (n === ids.length) {
          const grown = new Int32Array(ids.length * 2)
          grown.set(ids)
          ids = grown
        }
        ids[n++] = id
      }
    }
    start[items.length] = n
    return { start, ids: ids.subarray(0, n) }
  }
}

/**
 * Both sides' keys numbered by one new interner: every key of the statement lines, then of the
 * postings only those a line carries too — a key no line carries links nothing, so it is neither
 * numbered nor kept (the engine only looks a posting's keys up; the strings stay on the items).
 */
export function numberKeys(
  statement: readonly { readonly keys: readonly string[] }[],
  ledger: readonly { readonly keys: readonly string[] }[],
): NumberedKeys {
  const interner = new KeyInterner()
  const st = interner.column(statement, true)
  const lg = interner.column(ledger, false)
  return { count: interner.size, statement: st, ledger: lg }
}

/** Where keys are gathered: a Set, or a KeyCollector (matchKeys.ts fills either). */
export interface KeySink {
  add(key: string): unknown
}

/** An item's keys past this many are told apart by a Set, not by scanning the list (a long free text). */
const SCAN_KEYS_MAX = 16

/**
 * One side's keys gathered item by item as the loader builds the items from their rows, and
 * numbered there and then (the string was just made, so hashing it is cheap): `add` each key of
 * an item (repeats are dropped, first wins — a Set's order), then `endItem` gives its key list
 * and, for an open item, puts its numbers in the side's column. The same numbers and column as
 * numberKeys over the finished items, in one pass instead of two and without a Set per item.
 * Without an interner (`null`) it only gathers the lists (a caller that matches by the strings).
 */
export class KeyCollector implements KeySink {
  private keys: string[] = []
  private seen: Set<string> | null = null
  private start: Int32Array = new Int32Array(1024)
  private ids: Int32Array = new Int32Array(1024)
  private items = 0
  private n = 0

  /** numberNew: give new keys a number (the statement side, read first); else keep only keys already numbered (the ledger side). */
  constructor(
    private readonly interner: KeyInterner | null,
    private readonly numberNew: boolean,
  ) {}

  add(key: string): void {
    const keys = this.keys
    if (this.seen !== null) {
      if (this.seen.has(key)) return
      this.seen.add(key)
    } else if (keys.includes(key)) return
    else if (keys.length === SCAN_KEYS_MAX) this.seen = new Set([...keys, key])
    keys.push(key)
  }

  /** Ends the item whose keys were added: its key list; an open item's numbers go into the column (a settled one is left out of it). */
  endItem(open: boolean): string[] {
    const keys = this.keys
    this.keys = []
    this.seen = null
    const interner = this.interner
    if (!open || interner === null) return keys
    if (this.items + 2 > this.start.length) this.start = grow(this.start, this.items + 2)
    this.start[this.items++] = this.n
    if (this.n + keys.length > this.ids.length) this.ids = grow(this.ids, this.n + keys.length)
    for (const key of keys) {
      const id = this.numberNew ? interner.id(key) : interner.find(key)
      if (id !== undefined) this.ids[this.n++] = id
    }
    return keys
  }

  /** The column of the open items so far, in the order they were ended. */
  column(): KeyColumn {
    const start = this.start.slice(0, this.items + 1)
    start[this.items] = this.n
    return { start, ids: this.ids.slice(0, this.n) }
  }
}

/** A copy at least `length` long (doubling). */
function grow(a: Int32Array, length: number): Int32Array {
  const grown = new Int32Array(Math.max(length, a.length * 2))
  grown.set(a)
  return grown
}
