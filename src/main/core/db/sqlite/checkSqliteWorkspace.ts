/**
 * Before the database port opens a single-desk workspace's file, look at it from outside and
 * refuse what must never be opened — never turn it into a fresh workspace, never migrate it:
 * - a missing file where the head file shows there was a workspace, an empty (0-byte) file, a file
 *   that is not a database, or one that fails `PRAGMA quick_check` → DB_CORRUPT;
 * - a database behind what the head file recorded (an older copy put back; a write-ahead log cut
 *   short by damage, which SQLite does silently), or one whose chain does not hold the recorded
 *   audit row, or another workspace's → DB_ROLLED_BACK.
 * Both name the latest backup and the command that restores it.
 *
 * The look is read-only (a read-only connection never checkpoints or rewrites the log it reads),
 * so a refused file is left exactly as it was for whoever examines it next.
 */
import path from 'node:path'
import { CsError } from '../../../../shared/errors'
import { latestBackupName, restoreAdvice } from '../backups/backupFiles'
import {
  auditHashAt,
  fileShape,
  openRawSqlite,
  QUICK_CHECK_QUOTE_CHARS_MAX,
  quickCheck,
  readWorkspaceState,
  type SqliteWorkspaceState,
} from './sqliteFile'
import { readHeadFile, type HeadFile } from './workspaceHead'
import { isSqliteDamage } from './sqliteDamage'

export interface SqliteWorkspaceCheck {
  /** No file yet: the port creates a new workspace. */
  isNew: boolean
  /** What the file records (null for a new one). */
  state: SqliteWorkspaceState | null
  /** The head file, if this folder has one. */
  head: HeadFile | null
  /** Migrations of this app an existing workspace has not had yet (a backup is taken before they run). */
  pendingMigrations: string[]
}

export interface CheckSqliteWorkspaceOptions {
  dataDir: string
  file: string
  nativeBinding?: string
  /** The app's migration names. */
  migrations: readonly string[]
}

export function checkSqliteWorkspace(options: CheckSqliteWorkspaceOptions): SqliteWorkspaceCheck {
  const { dataDir, file } = options
  const head = readHeadFile(dataDir)
  const name = path.basename(file)
  switch (fileShape(file)) {
    case 'missing':
      if (head)
        throw corrupt(
          dataDir,
          'missing',
          `The workspace database ${name} is missing, but this folder had committed audit row ${head.auditHead.seq} — Countersign will not start a new, empty workspace in its place.`,
        )
      return { isNew: true, state: null, head: null, pendingMigrations: [] }
    case 'empty':
      throw corrupt(
        dataDir,
        'empty',
        `The workspace database ${name} is empty (0 bytes): it was damaged, and Countersign will not start a new, empty workspace in its place.`,
      )
    case 'not-a-database':
      throw corrupt(dataDir, 'not-a-database', `The workspace database ${name} is damaged: it is not a SQLite database.`)
    case 'sqlite':
      break
  }
  const state = inspect(options, name, head)
  const pendingMigrations = state.migrations.length > 0 ? options.migrations.filter((m) => !state.migrations.includes(m)) : []
  return { isNew: false, state, head, pendingMigrations }
}

function inspect(options: CheckSqliteWorkspaceOptions, name: string, head: HeadFile | null): SqliteWorkspaceState {
  const { dataDir, file } = options
  try {
    const sqlite = openRawSqlite(file, { readonly: true, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) })
    try {
      const problem = quickCheck(sqlite)
      if (problem !== null)
        throw corrupt(
          dataDir,
          'integrity',
          `The workspace database ${name} is damaged: its integrity check failed (${problem.slice(0, QUICK_CHECK_QUOTE_CHARS_MAX)}).`,
        )
      const state = readWorkspaceState(sqlite)
      if (head) compareWithHead(dataDir, state, head, (seq) => auditHashAt(sqlite, seq))
      return state
    } finally {
      sqlite.close()
    }
  } catch (error) {
    if (error instanceof CsError) throw error
    if (isSqliteDamage(error))
      throw corrupt(dataDir, 'integrity', `The workspace database ${name} is damaged: SQLite cannot read it.`, error)
    throw error
  }
}

/** The database must be the one the head file recorded, and at least as far along. */
function compareWithHead(dataDir: string, state: SqliteWorkspaceState, head: HeadFile, hashAt: (seq: number) => string | null): void {
  const databaseSeq = state.auditHead.seq
  const committedSeq = head.auditHead.seq
  if (state.workspaceId !== head.workspaceId)
    throw rolledBack(
      dataDir,
      'replaced',
      databaseSeq,
      committedSeq,
      `The workspace database is not the one this folder last committed: it belongs to ${state.workspaceId ? 'another workspace' : 'another workspace, or predates this one'} (its audit log ends at row ${databaseSeq}; this folder had committed row ${committedSeq}).`,
    )
  if (databaseSeq < committedSeq)
    throw rolledBack(
      dataDir,
      'older',
      databaseSeq,
      committedSeq,
      `The workspace database is older than the last state this folder committed: its audit log ends at row ${databaseSeq}, but row ${committedSeq} was committed (an older copy was put back, or its write-ahead log was lost or damaged). Opening it would make the work since then — payouts included — look undone.`,
    )
  if (committedSeq > 0 && hashAt(committedSeq) !== head.auditHead.hash)
    throw rolledBack(
      dataDir,
      'replaced',
      databaseSeq,
      committedSeq,
      `The workspace database is not the one this folder last committed: its audit row ${committedSeq} differs from the row committed here (another copy was put in its place).`,
    )
}

function corrupt(
  dataDir: string,
  reason: 'missing' | 'empty' | 'not-a-database' | 'integrity',
  sentence: string,
  cause?: unknown,
): CsError {
  return new CsError('DB_CORRUPT', `${sentence} ${restoreAdvice(dataDir)}`, {
    details: { reason, latestBackup: latestBackupName(dataDir) },
    ...(cause !== undefined ? { cause } : {}),
  })
}

function rolledBack(dataDir: string, reason: 'older' | 'replaced', databaseSeq: number, committedSeq: number, sentence: string): CsError {
  return new CsError('DB_ROLLED_BACK', `${sentence} ${restoreAdvice(dataDir)}`, {
    details: { reason, databaseSeq, committedSeq, latestBackup: latestBackupName(dataDir) },
  })
}
