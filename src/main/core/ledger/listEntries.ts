/** Journal entries, newest first, with their postings formatted at each asset's scale. */
import { LIST_ROWS_MAX } from '../../../shared/limits'
import type { Entry, Posting } from '../../../shared/ledgerApi'
import { formatAmount, parseMinor } from '../../../shared/money'
import type { CoreContext } from '../context'
import type { EntryRow } from '../db/schema'
import { unreachable } from '../util/invariant'

export interface ListEntriesParameters {
  /** Only entries with a posting on this account. */
  accountId?: string | undefined
  limit?: number | undefined
  /** Entries with seq below this (the previous page's nextBeforeSeq). */
  beforeSeq?: number | undefined
}
export interface ListEntriesReturnType {
  entries: Entry[]
  /** Pass as beforeSeq for the next page; null when this page is the last. */
  nextBeforeSeq: number | null
}

export const ENTRIES_PAGE_ROWS_DEFAULT = 200

export async function listEntries(ctx: CoreContext, input: ListEntriesParameters = {}): Promise<ListEntriesReturnType> {
  const limit = Math.max(1, Math.min(input.limit ?? ENTRIES_PAGE_ROWS_DEFAULT, LIST_ROWS_MAX))
  const { k } = ctx.db
  let rows: EntryRow[]
  if (input.accountId !== undefined) {
    // Walk the (account_id, entry_seq) index newest first, then fetch just those entries.
    let seqQuery = k
      .selectFrom('postings')
      .select('entry_seq')
      .distinct()
      .where('account_id', '=', input.accountId)
      .orderBy('entry_seq', 'desc')
      .limit(limit + 1)
    if (input.beforeSeq !== undefined) seqQuery = seqQuery.where('entry_seq', '<', input.beforeSeq)
    const seqs = (await ctx.db.all(seqQuery)).map((r) => r.entry_seq)
    rows = seqs.length === 0 ? [] : await ctx.db.all(k.selectFrom('entries').selectAll().where('seq', 'in', seqs).orderBy('seq', 'desc'))
  } else {
    let q = k
      .selectFrom('entries')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(limit + 1)
    if (input.beforeSeq !== undefined) q = q.where('seq', '<', input.beforeSeq)
    rows = await ctx.db.all(q)
  }
  const page = rows.slice(0, limit)
  if (page.length === 0) return { entries: [], nextBeforeSeq: null }

  const scales = new Map((await ctx.db.all(k.selectFrom('assets').select(['id', 'scale']))).map((a) => [a.id, a.scale]))
  const postingRows = await ctx.db.all(
    k
      .selectFrom('postings')
      .selectAll()
      .where(
        'entry_seq',
        'in',
        page.map((r) => r.seq),
      )
      .orderBy('entry_seq')
      .orderBy('idx'),
  )
  const postingsBySeq = new Map<number, Posting[]>()
  const sumsBySeq = new Map<number, Map<string, bigint>>()
  for (const p of postingRows) {
    const scale = scales.get(p.asset_id)
    if (scale === undefined) unreachable(`posting of entry ${p.entry_seq} is in unknown asset ${p.asset_id}`)
    const amount = parseMinor(p.amount)
    const list = postingsBySeq.get(p.entry_seq) ?? []
    list.push({
      accountId: p.account_id,
      assetId: p.asset_id,
      amount: formatAmount(amount, scale),
      debit: amount > 0n ? formatAmount(amount, scale) : null,
      credit: amount < 0n ? formatAmount(-amount, scale) : null,
    })
    postingsBySeq.set(p.entry_seq, list)
    const sums = sumsBySeq.get(p.entry_seq) ?? new Map<string, bigint>()
    sums.set(p.asset_id, (sums.get(p.asset_id) ?? 0n) + amount)
    sumsBySeq.set(p.entry_seq, sums)
  }
  const entries = page.map((r): Entry => {
    // Asserted again when read (the write path asserts it too): an entry that does not sum to
    // zero means the file was changed behind the ledger's back.
    for (const [assetId, sum] of sumsBySeq.get(r.seq) ?? []) {
      if (sum !== 0n) unreachable(`stored entry ${r.id} sums to ${sum} in ${assetId}`)
    }
    return {
      id: r.id,
      seq: r.seq,
      date: r.date,
      kind: r.kind,
      description: r.description,
      createdAt: r.created_at,
      createdBy: r.created_by,
      metadata: JSON.parse(r.metadata) as Record<string, string>,
      postings: postingsBySeq.get(r.seq) ?? [],
    }
  })
  return { entries, nextBeforeSeq: rows.length > limit ? page.at(-1)!.seq : null }
}
