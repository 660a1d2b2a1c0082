/**
 * Walk the audit chain from the first row and report the first row that does not follow:
 * a gap or reorder in seq, a prev_hash that is not the previous row's hash, a hash that does not
 * match the row's content, or a head in meta that is not the last row.
 */
import type { AuditVerification } from '../../../shared/workspaceApi'
import type { CoreContext } from '../context'
import { AUDIT_GENESIS_HASH, auditRowHash, readAuditHead } from './appendAudit'

/** Rows read per page while walking the chain (bounded memory on large logs). */
const VERIFY_PAGE_ROWS = 5_000

export async function verifyAudit(ctx: CoreContext): Promise<AuditVerification> {
  let expectedSeq = 1
  let prevHash = AUDIT_GENESIS_HASH
  let checked = 0
  let lastSeq = 0
  const broken = (seq: number, reason: string): AuditVerification => ({
    ok: false,
    rowsChecked: checked,
    headSeq: lastSeq,
    headHash: prevHash,
    firstBroken: { seq, reason },
  })
  // seq is the INTEGER PRIMARY KEY, i.e. the rowid itself: ordering by seq is insertion order.
  let cursor = 0
  for (;;) {
    const rows = await ctx.db.all(
      ctx.db.k.selectFrom('audit_log').selectAll().where('seq', '>', cursor).orderBy('seq').limit(VERIFY_PAGE_ROWS),
    )
    if (rows.length === 0) break
    for (const row of rows) {
      if (row.seq !== expectedSeq)
        return broken(
          expectedSeq,
          row.seq > expectedSeq ? `row ${expectedSeq} is missing (next row is ${row.seq})` : `row ${row.seq} is out of order`,
        )
      if (row.prev_hash !== prevHash)
        return broken(row.seq, `row ${row.seq} does not link to row ${row.seq - 1} (its previous hash differs)`)
      const recomputed = auditRowHash(prevHash, row)
      if (recomputed !== row.hash)
        return broken(row.seq, `row ${row.seq} was changed after it was written (its content does not match its hash)`)
      prevHash = row.hash
      lastSeq = row.seq
      expectedSeq++
      checked++
    }
    cursor = rows.at(-1)!.seq
  }
  const head = await readAuditHead(ctx)
  if (head.seq !== lastSeq || head.hash !== prevHash) {
    return broken(
      Math.min(head.seq, lastSeq + 1),
      head.seq > lastSeq
        ? `row ${lastSeq + 1} and later are missing (the log should end at row ${head.seq})`
        : `the log's recorded end (row ${head.seq}) does not match its last row ${lastSeq}`,
    )
  }
  return { ok: true, rowsChecked: checked, headSeq: lastSeq, headHash: prevHash, firstBroken: null }
}
