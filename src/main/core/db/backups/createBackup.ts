/**
 * Back up a single-desk workspace: `VACUUM INTO` from a read-only connection writes a consistent,
 * compact copy of the database as it was committed (the write-ahead log included) while the app
 * keeps working; the copy is checked (`quick_check`), fsynced and only then renamed to its
 * final name in `<dataDir>/backups/`, so a half-written file is never mistaken for a backup.
 * Taken before every migration (../sqlite/openSqliteDb.ts), daily (./ensureDailyBackup.ts) and on
 * demand (`countersign backup`, Settings → Backups).
 */
import fs from 'node:fs'
import path from 'node:path'
import { CsError } from '../../../../shared/errors'
import { DB_FILE_NAME, fileShape, openRawSqlite, QUICK_CHECK_QUOTE_CHARS_MAX, quickCheck, readWorkspaceState } from '../sqlite/sqliteFile'
import { isSqliteDamage } from '../sqlite/sqliteDamage'
import { fsyncDir, fsyncFile } from '../../util/durableWrite'
import { backupsDir, newBackupName, PARTIAL_SUFFIX, restoreAdvice } from './backupFiles'

const MS_PER_SECOND = 1_000

export interface BackupInfo {
  name: string
  path: string
  at: Date
  bytes: number
  /** The last audit row it holds; null when the file could not be read. */
  auditHead: { seq: number; hash: string } | null
  workspaceId: string | null
}

export interface CreateBackupOptions {
  dataDir: string
  now: Date
  nativeBinding?: string
}

export function createBackup(options: CreateBackupOptions): BackupInfo {
  const { dataDir } = options
  const source = path.join(dataDir, DB_FILE_NAME)
  if (fileShape(source) !== 'sqlite')
    throw new CsError(
      'DB_CORRUPT',
      `There is no intact database to back up in the workspace folder (${DB_FILE_NAME} is missing, empty or not a database). ${restoreAdvice(dataDir)}`,
    )
  const dir = backupsDir(dataDir)
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const name = newBackupName(dataDir, options.now)
  const final = path.join(dir, name)
  const partial = final + PARTIAL_SUFFIX
  const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}
  try {
    const sqlite = openRawSqlite(source, { readonly: true, ...binding })
    try {
      sqlite.prepare('VACUUM INTO ?').run(partial)
    } finally {
      sqlite.close()
    }
    const described = describeCopy(partial, binding)
    fsyncFile(partial)
    fs.renameSync(partial, final)
    fsyncDir(dir)
    // The time its name records (whole seconds), as the list reads it back.
    const at = new Date(Math.floor(options.now.getTime() / MS_PER_SECOND) * MS_PER_SECOND)
    return { name, path: final, at, bytes: fs.statSync(final).size, ...described }
  } catch (error) {
    fs.rmSync(partial, { force: true })
    if (error instanceof CsError) throw error
    if (isSqliteDamage(error))
      throw new CsError('DB_CORRUPT', `The workspace database is damaged, so it cannot be backed up. ${restoreAdvice(dataDir)}`, {
        details: { reason: 'integrity', latestBackup: null },
        cause: error,
      })
    throw new CsError('DATA_DIR_INVALID', `Cannot write a backup into ${dir} — check there is free space and the folder is writable.`, {
      cause: error,
    })
  }
}

/** The copy must pass its own integrity check; its audit head and workspace id are read from it. */
function describeCopy(file: string, binding: { nativeBinding?: string }): Pick<BackupInfo, 'auditHead' | 'workspaceId'> {
  const copy = openRawSqlite(file, { readonly: true, ...binding })
  try {
    const problem = quickCheck(copy)
    if (problem !== null)
      throw new CsError(
        'BACKUP_INVALID',
        `The backup just written failed its integrity check (${problem.slice(0, QUICK_CHECK_QUOTE_CHARS_MAX)}) — it was removed; try again.`,
      )
    const state = readWorkspaceState(copy)
    return { auditHead: state.auditHead, workspaceId: state.workspaceId }
  } finally {
    copy.close()
  }
}

/** What a backup file holds (for the list): its audit head and workspace id, or nulls when unreadable. */
export function describeBackup(file: string, nativeBinding?: string): Pick<BackupInfo, 'auditHead' | 'workspaceId'> {
  try {
    const copy = openRawSqlite(file, { readonly: true, ...(nativeBinding ? { nativeBinding } : {}) })
    try {
      const state = readWorkspaceState(copy)
      return { auditHead: state.auditHead, workspaceId: state.workspaceId }
    } finally {
      copy.close()
    }
  } catch {
    return { auditHead: null, workspaceId: null }
  }
}
