import type { AuditRow } from '../../../shared/workspaceApi'
import { LIST_ROWS_MAX } from '../../../shared/limits'
import type { CoreContext } from '../context'

/** Default page size of the audit view. */
const AUDIT_PAGE_ROWS_DEFAULT = 200

export async function listAuditRows(
  ctx: CoreContext,
  input: { subject?: string | undefined; limit?: number | undefined; beforeSeq?: number | undefined },
): Promise<{ rows: AuditRow[]; nextBeforeSeq: number | null }> {
  const limit = Math.min(input.limit ?? AUDIT_PAGE_ROWS_DEFAULT, LIST_ROWS_MAX)
  let q = ctx.db.k
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(limit + 1)
  if (input.subject !== undefined) q = q.where('subject', '=', input.subject)
  if (input.beforeSeq !== undefined) q = q.where('seq', '<', input.beforeSeq)
  const rows = await ctx.db.all(q)
  const page = rows.slice(0, limit)
  return {
    rows: page.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      change: JSON.parse(r.change) as unknown,
      prevHash: r.prev_hash,
      hash: r.hash,
    })),
    nextBeforeSeq: rows.length > limit ? page.at(-1)!.seq : null,
  }
}
