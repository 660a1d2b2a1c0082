/**
 * audit.list: the rows a filter matches, newest first, keyset-paged by seq (`seq < beforeSeq`), so
 * a page costs the same at the end of 100,000 rows as at the start.
 */
import type { AuditFilter, AuditRow } from '../../../shared/workspaceApi'
import { LIST_ROWS_MAX } from '../../../shared/limits'
import { sql } from 'kysely'
import type { CoreContext } from '../context'
import type { AuditRowDb } from '../db/schema'
import { filterAuditRows, hasDateRange } from './filterAuditRows'

/** Default page size of the audit view. */
const AUDIT_PAGE_ROWS_DEFAULT = 200

export interface ListAuditRowsParameters extends AuditFilter {
  limit?: number | undefined
  beforeSeq?: number | undefined
}

export async function listAuditRows(
  ctx: CoreContext,
  input: ListAuditRowsParameters,
): Promise<{ rows: AuditRow[]; nextBeforeSeq: number | null }> {
  const limit = Math.min(input.limit ?? AUDIT_PAGE_ROWS_DEFAULT, LIST_ROWS_MAX)
  let q = filterAuditRows(ctx, input).selectAll('a')
  if (input.beforeSeq !== undefined) q = q.where('a.seq', '<', input.beforeSeq)
  // A date range: its index gives the rows, sorted after (walking seq down from the newest row may
  // pass most of the log before it reaches an old month); the unary + keeps the planner off that walk.
  const ordered = hasDateRange(input) ? q.orderBy(sql`+"a"."seq"`, 'desc') : q.orderBy('a.seq', 'desc')
  const rows = await ctx.db.all(ordered.limit(limit + 1))
  const page = rows.slice(0, limit)
  return {
    rows: page.map(toAuditRow),
    nextBeforeSeq: rows.length > limit ? Number(page.at(-1)!.seq) : null,
  }
}

export function toAuditRow(r: AuditRowDb): AuditRow {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    change: JSON.parse(r.change) as unknown,
    prevHash: r.prev_hash,
    hash: r.hash,
  }
}
