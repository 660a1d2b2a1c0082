/**
 * Exact keys as numbers (issue 15). The loader numbers every key once, as it builds the items of
 * one account (../matching/loadReconItems.ts), with one interner for both sides, into one flat
 * column per side; the matching engine then links lines and postings by those numbers through
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
        const id = numberNew ? this.id(key) : this.ids.get(key)
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
