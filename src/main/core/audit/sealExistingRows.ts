/**
 * The one-time seal of the books written before row seals existed (migration 0009): every entry
 * with its postings, every hold and every payout, sealed as they are now and recorded in ONE
 * audit row, 'audit.seal-existing'. From then on the workspace verifies, and any later SQL edit of
 * those rows is caught. It runs at start-up after the migrations (createCore; the team migration
 * runs it on the workspace it copies), only while 0009's marker is in meta: the marker and the
 * seals go in one transaction, so it happens exactly once. What it cannot tell is whether a row
 * was already edited before this moment — the audit row says that these rows were sealed as found.
 */
import { ROW_SEALS_BACKFILL_KEY } from '../db/migrations/0009_row_seals'
import { sql } from 'kysely'
import { SYSTEM_ACTOR, type CoreContext } from '../context'
import { appendAudit } from './appendAudit'
import { openRowSeals, type RowSeals, type SealContentOf } from './rowSeals'
import { POSTING_CHECKS_SEPARATOR, StoredEntrySealer } from './journalSeal'
import type { RowSealedTable } from './sealContent'

export const SEAL_EXISTING_ACTION = 'audit.seal-existing'
/** Rows sealed per page (bounded memory on workspaces of any size). */
const SEAL_EXISTING_PAGE_ROWS = 5_000
const ENTRY_SEAL_COLUMNS = ['seal', 'posting_checks', 'audit_seq'] as const

export interface SealExistingResult {
  entries: number
  holds: number
  payouts: number
}

/** Seal what was written before 0009, once; null when there is nothing (left) to do. */
export async function sealExistingRows(ctx: CoreContext): Promise<SealExistingResult | null> {
  if (!(await hasBackfillMarker(ctx))) return null
  return await ctx.db.tx(async () => {
    // Another process may have done it meanwhile: the marker is read again under the write lock.
    if (!(await hasBackfillMarker(ctx))) return null
    const seals = await openRowSeals(ctx)
    const result = {
      entries: await sealExistingEntries(ctx, seals),
      holds: await sealExistingRowsOf(ctx, seals, 'holds'),
      payouts: await sealExistingRowsOf(ctx, seals, 'payouts'),
    }
    await ctx.db.run(ctx.db.k.deleteFrom('meta').where('key', '=', ROW_SEALS_BACKFILL_KEY))
    if (result.entries + result.holds + result.payouts > 0) {
      await appendAudit(ctx, {
        actor: SYSTEM_ACTOR,
        action: SEAL_EXISTING_ACTION,
        subject: 'books',
        change: { ...result, note: 'rows written before row seals existed, sealed as they were found' },
        seals,
      })
    }
    return result
  })
}

async function hasBackfillMarker(ctx: CoreContext): Promise<boolean> {
  return (await ctx.db.first(ctx.db.k.selectFrom('meta').select('key').where('key', '=', ROW_SEALS_BACKFILL_KEY))) !== undefined
}

/** Entries without a seal, in seq order, with their postings: seals written into the entry rows. */
async function sealExistingEntries(ctx: CoreContext, seals: RowSeals): Promise<number> {
  const sealer = new StoredEntrySealer()
  let after = 0
  let sealed = 0
  for (;;) {
    const entries = await ctx.db.all(
      ctx.db.k.selectFrom('entries').selectAll().where('seq', '>', after).orderBy('seq').limit(SEAL_EXISTING_PAGE_ROWS),
    )
    if (entries.length === 0) return sealed
    const last = Number(entries.at(-1)!.seq)
    const postings = await ctx.db.all(
      ctx.db.k
        .selectFrom('postings')
        .select(['entry_seq', 'idx', 'account_id', 'asset_id', 'amount'])
        .where('entry_seq', '>', after)
        .where('entry_seq', '<=', last)
        .orderBy('entry_seq')
        .orderBy('idx'),
    )
    const bySeq = new Map<number, typeof postings>()
    for (const p of postings) {
      const seq = Number(p.entry_seq)
      let list = bySeq.get(seq)
      if (!list) bySeq.set(seq, (list = []))
      list.push(p)
    }
    const updates: unknown[][] = []
    for (const entry of entries) {
      // Entries written since 0009 (by a process that opened the workspace without this step) are sealed already.
      if (entry.seal !== null) continue
      const seq = Number(entry.seq)
      const own = bySeq.get(seq) ?? []
      const seal = sealer.seal({ ...entry, seq }, own)
      updates.push([seq, seal, sealer.checks(own).join(POSTING_CHECKS_SEPARATOR), seals.auditSeq])
      seals.addEntry(seq, seal)
    }
    await ctx.db.updateRows('entries', 'seq', ENTRY_SEAL_COLUMNS, updates)
    sealed += updates.length
    after = last
  }
}

/** Rows of a row-sealed table with no seal at all, by id, a page at a time (each sealed before the next is read). */
async function sealExistingRowsOf(ctx: CoreContext, seals: RowSeals, table: RowSealedTable): Promise<number> {
  let after: string | null = null
  let sealed = 0
  for (;;) {
    const rows: SealContentOf[RowSealedTable][] = await ctx.db.all(sql<SealContentOf[RowSealedTable]>`
      SELECT * FROM ${sql.table(table)} t
      WHERE NOT EXISTS (SELECT 1 FROM row_seals s WHERE s.table_name = ${table} AND s.row_key = t.id)
      ${after === null ? sql`` : sql`AND t.id > ${after}`}
      ORDER BY t.id
      LIMIT ${SEAL_EXISTING_PAGE_ROWS}`)
    if (rows.length === 0) return sealed
    await seals.seal(ctx, table, rows)
    sealed += rows.length
    after = rows.at(-1)!.id
  }
}
