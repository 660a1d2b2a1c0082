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
 * Several processes on one file: each writes what the DATABASE holds (not what its own transaction
 * wrote), only when the file holds less, and re-reads the database after writing, writing again if
 * another process committed meanwhile. So the last write of all is of the newest head, and the file
 * never stays behind a commit whose writer has returned. In one process everything here is
 * synchronous, so two connections never interleave.
 */
import { AUDIT_HEAD_KEY } from '../../audit/appendAudit'
import { log } from '../../log'
import { parseAuditHeadValue, type RawSqlite } from './sqliteFile'
import { readHeadFile, writeHeadFile } from './workspaceHead'

/** Rounds of write-then-recheck when other processes keep committing (each round is one durable write). */
const HEAD_WRITE_ROUNDS_MAX = 3

export interface HeadKeeper {
  /** Bring the head file up to the database's committed audit head. Never throws (the commit already happened). */
  advance(): void
}

export function createHeadKeeper(dataDir: string, sqlite: RawSqlite, workspaceId: string): HeadKeeper {
  const readHead = sqlite.prepare('SELECT value FROM meta WHERE key = ?')
  /** The file is known to hold at least this row (-1: not looked yet). */
  let knownSeq = -1
  return {
    advance() {
      try {
        for (let round = 0; round < HEAD_WRITE_ROUNDS_MAX; round++) {
          const row = readHead.get(AUDIT_HEAD_KEY) as { value: string } | undefined
          const head = parseAuditHeadValue(row?.value ?? null)
          if (head.seq <= knownSeq) return
          const onDisk = readHeadFile(dataDir)
          if (onDisk && onDisk.workspaceId !== workspaceId) {
            // Another workspace's database was restored into this folder while this one was open.
            log('warn', 'head file names another workspace; not overwriting it', { dataDir })
            return
          }
          if (onDisk && onDisk.auditHead.seq >= head.seq) {
            knownSeq = onDisk.auditHead.seq
            continue
          }
          writeHeadFile(dataDir, { workspaceId, seq: head.seq, hash: head.hash })
          knownSeq = head.seq
        }
      } catch (error) {
        // The change is committed; a head file that could not be written only weakens the next open's check.
        log('warn', 'could not update the workspace head file', { dataDir, error })
      }
    },
  }
}
