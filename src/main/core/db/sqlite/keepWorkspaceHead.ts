/**
 * Keeps the head file (./workspaceHead.ts) up with the database: after every commit the SQLite
 * adapter asks `advance()`, which reads the committed audit head (one cached, indexed read) and,
 * when it moved past what the file is known to hold, rewrites the file durably. A commit that
 * appended no audit row costs that one read.
 *
 * The file is written only AFTER the commit is durable (synchronous=FULL), so it is never ahead of
 * the database; if the process dies in between, the file is merely behind, which the next commit
 * (or open) repairs — no false alarm either way.
 *
 * Several processes on one file: the compare-and-write runs while this connection holds SQLite's
 * write lock (an empty `BEGIN IMMEDIATE` … `ROLLBACK`), so no other process can commit or write the
 * file in between: each writes the head the DATABASE holds (not what its own transaction wrote),
 * only when the file holds less. Without the lock a writer that read head 58 could rename its file
 * over another's 59 — behind for a moment (seen in CI, test/integrity/headFile.test.ts). The lock
 * is taken only when the head moved past what this process knows the file holds, so a commit that
 * appended no audit row still costs one indexed read. If the lock cannot be had (another process
 * holds it past the busy timeout) the file is left behind, which the next commit repairs.
 */
import { AUDIT_HEAD_KEY } from '../../audit/appendAudit'
import { log } from '../../log'
import { parseAuditHeadValue, type RawSqlite } from './sqliteFile'
import { readHeadFile, writeHeadFile } from './workspaceHead'

export interface HeadKeeper {
  /** Bring the head file up to the database's committed audit head. Never throws (the commit already happened). */
  advance(): void
}

export function createHeadKeeper(dataDir: string, sqlite: RawSqlite, workspaceId: string): HeadKeeper {
  const readHead = sqlite.prepare('SELECT value FROM meta WHERE key = ?')
  /** The file is known to hold at least this row (-1: not looked yet). */
  let knownSeq = -1
  const readSeq = (): number => parseAuditHeadValue((readHead.get(AUDIT_HEAD_KEY) as { value: string } | undefined)?.value ?? null).seq
  return {
    advance() {
      try {
        if (readSeq() <= knownSeq) return
        sqlite.exec('BEGIN IMMEDIATE')
        try {
          const row = readHead.get(AUDIT_HEAD_KEY) as { value: string } | undefined
          const head = parseAuditHeadValue(row?.value ?? null)
          const onDisk = readHeadFile(dataDir)
          if (onDisk && onDisk.workspaceId !== workspaceId) {
            // Another workspace's database was restored into this folder while this one was open.
            log('warn', 'head file names another workspace; not overwriting it', { dataDir })
            return
          }
          if (onDisk && onDisk.auditHead.seq >= head.seq) {
            knownSeq = onDisk.auditHead.seq
            return
          }
          writeHeadFile(dataDir, { workspaceId, seq: head.seq, hash: head.hash })
          knownSeq = head.seq
        } finally {
          // Nothing was written to the database: the transaction only held the write lock.
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
        }
      } catch (error) {
        // The change is committed; a head file that could not be written only weakens the next open's check.
        log('warn', 'could not update the workspace head file', { dataDir, error })
      }
    },
  }
}
