/**
 * Which SQLite errors mean the database file is damaged, and the DB_CORRUPT that replaces them
 * wherever they surface (the port's statements, a migration, the API boundary, the CLI), so a
 * person reads "the database is damaged — restore a backup" instead of "unexpected problem".
 * Likewise a write the disk refused (SQLITE_FULL, SQLITE_IOERR_*, or Node's ENOSPC from a file
 * next to the database) becomes DISK_FULL: free space and try again — the transaction it broke
 * was rolled back whole, so nothing is half-stored.
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

/**
 * SQLite (or the file system) could not write: SQLITE_FULL (the disk, or the database's own page
 * limit, is full), SQLITE_IOERR and its extended codes (a write or sync that failed: a full or
 * failing disk, a removed drive), ENOSPC / EDQUOT from a file write. 'full' or 'io', or null.
 */
export function diskWriteFailure(error: unknown): 'full' | 'io' | null {
  let e = error
  for (let depth = 0; e && depth < CAUSE_DEPTH_MAX; depth++) {
    const code = (e as { code?: unknown }).code
    if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'full'
    if (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) return 'io'
    e = (e as { cause?: unknown }).cause
  }
  return null
}

/** The one error a failed write becomes, with what the person can do. */
export function diskFullError(kind: 'full' | 'io', cause: unknown): CsError {
  const why = kind === 'full' ? 'the disk is full' : 'the disk refused the write (it may be full, removed or failing)'
  return new CsError(
    'DISK_FULL',
    `Countersign could not save to the workspace: ${why}. The change was not saved — free disk space (or check the drive), then try again.`,
    { details: { reason: kind }, cause },
  )
}

/**
 * A damaged-file error as DB_CORRUPT naming the latest backup (when the folder is known), a
 * refused write as DISK_FULL; anything else as it was.
 */
export function mapSqliteDamage(error: unknown, dataDir: string | null): unknown {
  if (error instanceof CsError) return error
  const write = diskWriteFailure(error)
  if (write !== null) return diskFullError(write, error)
  if (!isSqliteDamage(error)) return error
  return new CsError(
    'DB_CORRUPT',
    `The workspace database is damaged: SQLite found it unreadable. ${dataDir ? restoreAdvice(dataDir) : 'Restore the latest backup with countersign restore (close Countersign first).'}`,
    { details: { reason: 'integrity', latestBackup: dataDir ? latestBackupName(dataDir) : null }, cause: error },
  )
}
