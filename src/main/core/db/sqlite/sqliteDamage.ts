/**
 * Which SQLite errors mean the database file is damaged, and the DB_CORRUPT that replaces them
 * wherever they surface (the port's statements, a migration, the API boundary, the CLI), so a
 * person reads "the database is damaged — restore a backup" instead of "unexpected problem".
 * Loads no SQLite itself: the CLI's error printer uses it before any workspace is opened.
 */
import { CsError } from '../../../../shared/errors'
import { latestBackupName, restoreAdvice } from '../backups/backupFiles'

/** How deep an error's cause chain is searched for SQLite's code. */
const CAUSE_DEPTH_MAX = 5

/** SQLite's own words for a damaged file (SQLITE_CORRUPT, SQLITE_CORRUPT_INDEX, …, SQLITE_NOTADB), here or in a cause. */
export function isSqliteDamage(error: unknown): boolean {
  let e = error
  for (let depth = 0; e && depth < CAUSE_DEPTH_MAX; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/** A damaged-file error as DB_CORRUPT naming the latest backup (when the folder is known); anything else as it was. */
export function mapSqliteDamage(error: unknown, dataDir: string | null): unknown {
  if (error instanceof CsError || !isSqliteDamage(error)) return error
  return new CsError(
    'DB_CORRUPT',
    `The workspace database is damaged: SQLite found it unreadable. ${dataDir ? restoreAdvice(dataDir) : 'Restore the latest backup with countersign restore (close Countersign first).'}`,
    { details: { reason: 'integrity', latestBackup: dataDir ? latestBackupName(dataDir) : null }, cause: error },
  )
}
