/**
 * The holds-and-payouts half of `audit verify`, against row_seals:
 * - every row now in the table has a latest seal, and it matches the row's content (paged by id);
 * - every latest seal that is not a removal still has its row;
 * - the seals of each audit row, in the order they were made, hash to the part of that row's
 *   digest made of row seals (paged by audit seq).
 * Pending holds are added to the recomputed balances on the way.
 */
import { sql } from 'kysely'
import type { CoreContext } from '../context'
import { minorOrNull, type BooksProblem, type RecomputedBalances, type SealingAuditRows } from './booksProblem'
import { SealPart, rowSealLine, type SealPartSum } from './rowSeals'
import { ROW_SEALED_TABLES, SEALED_COLUMNS, rowSealOf, type RowSealedTable } from './sealContent'

/** Rows read per page. */
const SEALED_PAGE_ROWS = 5_000

/** The singular a reason names a row by. */
const ROW_NOUN: Record<RowSealedTable, string> = { holds: 'hold', payouts: 'payout' }

interface SealedDbRow extends Record<string, unknown> {
  id: string
  seal_hash: string | null
  seal_audit_seq: number | null
}

export async function verifySealedRows(
  ctx: CoreContext,
  balances: RecomputedBalances,
): Promise<{ problem: BooksProblem | null; rowsChecked: number }> {
  let rowsChecked = 0
  for (const table of ROW_SEALED_TABLES) {
    let after: string | null = null
    for (;;) {
      const rows = await readPage(ctx, table, after)
      for (const row of rows) {
        const problem = checkRow(table, row)
        if (problem) return { problem, rowsChecked }
        if (table === 'holds' && row.state === 'pending') {
          const amount = minorOrNull(row.amount)
          if (amount !== null) balances.pend(String(row.debit_account_id), String(row.credit_account_id), amount)
        }
        rowsChecked++
      }
      if (rows.length < SEALED_PAGE_ROWS) break
      after = rows.at(-1)!.id
    }
    const gone = await firstGoneRow(ctx, table)
    if (gone) return { problem: gone, rowsChecked }
  }
  return { problem: null, rowsChecked }
}

/** A page of a table's rows, each with its latest seal (if any). */
function readPage(ctx: CoreContext, table: RowSealedTable, after: string | null): Promise<SealedDbRow[]> {
  // Every hold column is sealed, so the pending amounts come with the page.
  const columns = sql.join(SEALED_COLUMNS[table].map((c) => sql.ref(`t.${c}`)))
  return ctx.db.all(sql<SealedDbRow>`
    SELECT ${columns}, s.hash AS seal_hash, s.audit_seq AS seal_audit_seq
    FROM ${sql.table(table)} t
    LEFT JOIN row_seals s ON s.table_name = ${table} AND s.row_key = t.id AND s.audit_seq = (
      SELECT max(s2.audit_seq) FROM row_seals s2 WHERE s2.table_name = ${table} AND s2.row_key = t.id)
    ${after === null ? sql`` : sql`WHERE t.id > ${after}`}
    ORDER BY t.id
    LIMIT ${SEALED_PAGE_ROWS}`)
}

function checkRow(table: RowSealedTable, row: SealedDbRow): BooksProblem | null {
  const noun = ROW_NOUN[table]
  const subject = `${noun}:${row.id}`
  if (row.seal_audit_seq === null) {
    return { kind: 'row-unsealed', seq: null, subject, reason: `${noun} ${row.id} was not written by Countersign: it has no seal` }
  }
  const sealedAt = Number(row.seal_audit_seq)
  if (row.seal_hash === null) {
    return {
      kind: 'row-unsealed',
      seq: sealedAt,
      subject,
      reason: `${noun} ${row.id} was removed at audit row ${sealedAt} but is back: it was not written by Countersign`,
    }
  }
  if (rowSealOf(table, row) !== row.seal_hash) {
    return {
      kind: 'row-changed',
      seq: sealedAt,
      subject,
      reason: `${noun} ${row.id} was changed after it was written (sealed at audit row ${sealedAt})`,
    }
  }
  return null
}

/** The first row whose latest seal says it exists, but which is gone. */
async function firstGoneRow(ctx: CoreContext, table: RowSealedTable): Promise<BooksProblem | null> {
  const row = await ctx.db.first(sql<{ row_key: string; audit_seq: number }>`
    SELECT s.row_key, s.audit_seq FROM row_seals s
    WHERE s.table_name = ${table} AND s.hash IS NOT NULL
      AND s.audit_seq = (SELECT max(s2.audit_seq) FROM row_seals s2 WHERE s2.table_name = s.table_name AND s2.row_key = s.row_key)
      AND NOT EXISTS (SELECT 1 FROM ${sql.table(table)} t WHERE t.id = s.row_key)
    ORDER BY s.audit_seq, s.idx
    LIMIT 1`)
  if (!row) return null
  const noun = ROW_NOUN[table]
  const sealedAt = Number(row.audit_seq)
  return {
    kind: 'row-missing',
    seq: sealedAt,
    subject: `${noun}:${row.row_key}`,
    reason: `${noun} ${row.row_key} is gone: it was deleted after it was written (sealed at audit row ${sealedAt})`,
  }
}

/**
 * Audit seq -> the part of its digest made of row seals, recomputed from row_seals in the order
 * the seals were made. A seal that names an audit row without a digest is reported at once.
 */
export async function rowSealParts(
  ctx: CoreContext,
  sealing: SealingAuditRows,
): Promise<{ problem: BooksProblem | null; parts: Map<number, SealPartSum> }> {
  const parts = new Map<number, SealPartSum>()
  let current = null as { seq: number; part: SealPart } | null
  let after = { seq: 0, idx: -1 }
  for (;;) {
    const rows = await ctx.db.all(
      ctx.db.k
        .selectFrom('row_seals')
        .selectAll()
        .where((eb) => eb.or([eb('audit_seq', '>', after.seq), eb.and([eb('audit_seq', '=', after.seq), eb('idx', '>', after.idx)])]))
        .orderBy('audit_seq')
        .orderBy('idx')
        .limit(SEALED_PAGE_ROWS),
    )
    for (const row of rows) {
      const seq = Number(row.audit_seq)
      if (!sealing.has(seq)) {
        const problem: BooksProblem = {
          kind: 'seal',
          seq,
          subject: `${ROW_NOUN[row.table_name as RowSealedTable] ?? row.table_name}:${row.row_key}`,
          reason: `a seal of ${row.table_name} row ${row.row_key} claims audit row ${seq} made it, but that row sealed nothing — the seal was not written by Countersign`,
        }
        return { problem, parts }
      }
      if (current?.seq !== seq) {
        if (current) parts.set(current.seq, current.part.finish())
        current = { seq, part: new SealPart() }
      }
      current.part.add(rowSealLine(row.table_name, row.row_key, row.hash))
    }
    if (rows.length < SEALED_PAGE_ROWS) break
    const last = rows.at(-1)!
    after = { seq: Number(last.audit_seq), idx: Number(last.idx) }
  }
  if (current) parts.set(current.seq, current.part.finish())
  return { problem: null, parts }
}
