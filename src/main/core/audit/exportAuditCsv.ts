/**
 * audit.export: the rows a filter matches (the same filter as audit.list) as one CSV file, oldest
 * row first, through the shared safe writer (src/shared/csvSafety.ts): every cell is text, so a
 * subject, an actor or a change someone typed that starts with = + - @ is neutralised and cannot
 * run as a spreadsheet formula. Each row keeps its hashes, so an auditor can re-check the chain
 * from the file.
 *
 * At most AUDIT_EXPORT_ROWS_MAX rows: past that the export is refused (EXPORT_TOO_LARGE) with the
 * count, never cut short silently.
 */
import { toCsv } from '../../../shared/csvSafety'
import { CsError } from '../../../shared/errors'
import { AUDIT_EXPORT_ROWS_MAX } from '../../../shared/limits'
import { AUDIT_SYSTEM_ACTOR, type AuditExport, type AuditFilter } from '../../../shared/workspaceApi'
import type { CoreContext } from '../context'
import { filterAuditRows, hasDateRange } from './filterAuditRows'

export const AUDIT_CSV_MIME = 'text/csv'
/** What the system's own rows are called in the export's actor name column. */
export const SYSTEM_ACTOR_NAME = 'Countersign (system)'

/** The columns, in file order. */
export const AUDIT_CSV_COLUMNS = ['seq', 'at_utc', 'actor_id', 'actor_name', 'action', 'subject', 'change', 'prev_hash', 'hash'] as const

export async function exportAuditCsv(ctx: CoreContext, f: AuditFilter): Promise<AuditExport> {
  const { n } = (await ctx.db.first(filterAuditRows(ctx, f).select((eb) => eb.fn.countAll<number>().as('n'))))!
  if (Number(n) > AUDIT_EXPORT_ROWS_MAX) {
    throw new CsError(
      'EXPORT_TOO_LARGE',
      `${Number(n).toLocaleString('en-US')} audit rows match — export at most ${AUDIT_EXPORT_ROWS_MAX.toLocaleString('en-US')} at a time: narrow the dates (from / to) and export each part.`,
    )
  }
  const rows = await ctx.db.all(filterAuditRows(ctx, f).selectAll('a').orderBy('a.seq', 'asc'))
  const names = new Map((await ctx.db.all(ctx.db.k.selectFrom('operators').select(['id', 'name']))).map((o) => [o.id, o.name]))
  const text = toCsv(
    AUDIT_CSV_COLUMNS,
    rows.map((r) => [
      String(r.seq),
      r.at,
      r.actor,
      names.get(r.actor) ?? (r.actor === AUDIT_SYSTEM_ACTOR ? SYSTEM_ACTOR_NAME : null),
      r.action,
      r.subject,
      r.change,
      r.prev_hash,
      r.hash,
    ]),
  )
  return { name: exportName(ctx, f), mime: AUDIT_CSV_MIME, text, rows: rows.length }
}

/** audit-log-2026-12-05.csv, or audit-log-2026-11-01-to-2026-11-30.csv for a date range. */
function exportName(ctx: CoreContext, f: AuditFilter): string {
  const today = ctx.clock.now().toISOString().slice(0, 10)
  if (!hasDateRange(f)) return `audit-log-${today}.csv`
  const day = (t: string | undefined, fallback: string) => (t === undefined ? fallback : t.slice(0, 10))
  return `audit-log-${day(f.from, 'start')}-to-${day(f.to, today)}.csv`
}
