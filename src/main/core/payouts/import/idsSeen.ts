/**
 * The payout ids of a file so far, to refuse a repeated one and to name the row that had it first.
 *
 * Why not one Map of id -> first row: that costs two lookups per row (is it there? then add it),
 * on a table of up to rowsParsedMax ids. A Set answers both with one `add`; the first row of an id
 * is needed only when an id repeats or was stored before, which a good file never does. The
 * id -> first row map is built then, once, from the rows in the order they came.
 */
import type { RawRow } from './payoutCsvLayouts'

export class IdsSeen {
  private readonly ids = new Set<string>()
  /** The rows whose id was new, in order: the first row of each id. */
  private readonly firsts: RawRow[] = []
  /** id -> first row, built when first asked and kept up to date from then on. */
  private byId: Map<string, RawRow> | null = null

  /** Adds the row's id; the earlier row with the same id, or null when the id is new. */
  add(raw: RawRow): RawRow | null {
    const before = this.ids.size
    this.ids.add(raw.id)
    if (this.ids.size !== before) {
      this.firsts.push(raw)
      this.byId?.set(raw.id, raw)
      return null
    }
    return this.firstRow(raw.id)
  }

  /** The distinct ids, in the order they first came. */
  values(): IterableIterator<string> {
    return this.ids.values()
  }

  /** The first row that has `id`, or null when the id was never added. */
  firstRow(id: string): RawRow | null {
    if (this.byId === null) {
      this.byId = new Map()
      for (const raw of this.firsts) this.byId.set(raw.id, raw)
    }
    return this.byId.get(id) ?? null
  }
}
