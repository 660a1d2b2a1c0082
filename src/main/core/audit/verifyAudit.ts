/**
 * Walk the audit chain from the first row and report the first row that does not follow:
 * a gap or reorder in seq, a prev_hash that is not the previous row's hash, a hash that does not
 * match the row's content, or a head in meta that is not the last row. Then, since every audit
 * row commits to the rows its change wrote, check the books against it (./verifyBooks.ts): the
 * first row changed, added or removed outside Countersign, or a balance that does not add up.
 *
 * It reads page by page, outside any transaction, so writers are never held up — and a change
 * committed mid-way can make the pages disagree (an entry whose audit row was not yet read). Every
 * change appends an audit row, so a failure is trusted only when the head did not move during the
 * run; otherwise the run is repeated (VERIFY_ATTEMPTS_MAX).
 */
import { CsError } from '../../../shared/errors'
import type { AuditVerification } from '../../../shared/workspaceApi'
import type { CoreContext } from '../context'
import { AUDIT_GENESIS_HASH, auditRowHash, readAuditHead } from './appendAudit'
import type { SealingAuditRow } from './booksProblem'
import { verifyBooks } from './verifyBooks'

/** Rows read per page while walking the chain (bounded memory on large logs). */
const VERIFY_PAGE_ROWS = 5_000
/** Runs of a verification that failed while writes kept landing, before giving up. */
const VERIFY_ATTEMPTS_MAX = 3

export async function verifyAudit(ctx: CoreContext): Promise<AuditVerification> {
  for (let attempt = 1; ; attempt++) {
    const before = await readAuditHead(ctx)
    const result = await verifyOnce(ctx)
    if (result.ok) return result
    const after = await readAuditHead(ctx)
    if (after.seq === before.seq && after.hash === before.hash) return result
    if (attempt >= VERIFY_ATTEMPTS_MAX) {
      throw new CsError(
        'DB_LOCKED',
        'The books kept changing while they were being verified, so the check could not finish — verify again when the workspace is quiet.',
      )
    }
  }
}

async function verifyOnce(ctx: CoreContext): Promise<AuditVerification> {
  let expectedSeq = 1
  let prevHash = AUDIT_GENESIS_HASH
  let checked = 0
  let lastSeq = 0
  const sealing = new Map<number, SealingAuditRow>()
  const broken = (seq: number, reason: string): AuditVerification => ({
    ok: false,
    rowsChecked: checked,
    headSeq: lastSeq,
    headHash: prevHash,
    firstBroken: { seq, reason, kind: 'chain', subject: `audit:${seq}` },
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
      if (row.rows_digest !== null) sealing.set(row.seq, { digest: row.rows_digest, action: row.action, subject: row.subject })
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
  const books = await verifyBooks(ctx, sealing)
  const booksChecked = { rows: books.rowsChecked, accounts: books.accountsChecked }
  if (books.problem) {
    const { seq, kind, subject, reason } = books.problem
    const firstBroken = { seq: seq ?? lastSeq + 1, reason, kind, subject }
    return { ok: false, rowsChecked: checked, headSeq: lastSeq, headHash: prevHash, firstBroken, booksChecked }
  }
  return { ok: true, rowsChecked: checked, headSeq: lastSeq, headHash: prevHash, firstBroken: null, booksChecked }
}
