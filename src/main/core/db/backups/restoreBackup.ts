/**
 * `countersign restore FILE`: put a backup in place of a single-desk workspace's database, as a
 * deliberate act that says what it rolls back. With the app closed:
 *  1. the backup is copied (VACUUM INTO, through SQLite) into a staging folder inside the
 *     workspace folder, opened there like any workspace (quick_check, migrated if it is older),
 *     and its audit chain must verify; a backup of another workspace is refused;
 *  2. the restore itself is recorded in the restored audit log (which backup, the head it had,
 *     the head it replaces, how many rows that loses);
 *  3. the current database is kept, byte for byte, as countersign.sqlite.replaced-<time> (its
 *     write-ahead log beside it) — never deleted — and the workspace must not be open anywhere
 *     (WORKSPACE_IN_USE: a connection of another window or command holds a lock on the file);
 *  4. the head file is rewritten to the restored head and the staged file renamed into place.
 * A crash part-way leaves a state the next open refuses loudly (DB_ROLLED_BACK or DB_CORRUPT), and
 * running the restore again finishes it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { CsError } from '../../../../shared/errors'
import { appendAudit, readAuditHead } from '../../audit/appendAudit'
import { verifyAudit } from '../../audit/verifyAudit'
import { CoreEvents, SYSTEM_ACTOR, type CoreContext } from '../../context'
import { fsyncDir } from '../../util/durableWrite'
import { readWorkspaceFile } from '../openDb'
import { openSqliteDb } from '../sqlite/openSqliteDb'
import { isSqliteDamage } from '../sqlite/sqliteDamage'
import { DB_FILE_NAME, fileShape, newWorkspaceId, openRawSqlite, readWorkspaceState, WORKSPACE_ID_KEY } from '../sqlite/sqliteFile'
import { readHeadFile, writeHeadFile } from '../sqlite/workspaceHead'
import { backupsDir } from './backupFiles'

type Head = { seq: number; hash: string }

export interface RestoreBackupOptions {
  dataDir: string
  /** A path, or the name of a file in the workspace's backups folder. */
  file: string
  now: Date
  nativeBinding?: string
}

export interface RestoreBackupResult {
  /** The backup restored and the last audit row it held. */
  restored: { file: string; auditHead: Head }
  /** The last audit row committed before (from the head file, else the database); null if unknown. */
  previous: { auditHead: Head } | null
  /** Audit rows committed before that the restored database does not hold (previous seq − restored seq); null if unknown. */
  lostAuditRows: number | null
  /** Where the replaced database was kept (null: there was none). */
  replacedFile: string | null
  /** The audit head now: the restored one plus the row recording this restore. */
  auditHead: Head
  workspaceId: string
}

export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreBackupResult> {
  const { dataDir } = options
  if (readWorkspaceFile(dataDir))
    throw new CsError(
      'BACKUP_UNSUPPORTED',
      "This workspace keeps its books in a team database (PostgreSQL): restore it on the server with pg_restore — that is the database administrator's job, not this desk's.",
    )
  const source = resolveBackupFile(dataDir, options.file)
  const current = path.join(dataDir, DB_FILE_NAME)
  const previous = previousState(dataDir, current, options.nativeBinding)
  const staging = path.join(dataDir, `restoring-${process.pid}-${randomBytes(4).toString('hex')}`)
  fs.mkdirSync(staging, { recursive: true, mode: 0o700 })
  try {
    const workspaceId = stageCopy(source, path.join(staging, DB_FILE_NAME), previous.workspaceId, options.nativeBinding)
    const staged = await verifyAndRecord(staging, source, previous.head, options)
    const replacedFile = takeOver(current, options)
    writeHeadFile(dataDir, { workspaceId, ...staged.auditHead }, options.now)
    fs.renameSync(path.join(staging, DB_FILE_NAME), current)
    fsyncDir(dataDir)
    return {
      restored: { file: source, auditHead: staged.restoredHead },
      previous: previous.head ? { auditHead: previous.head } : null,
      lostAuditRows: previous.head ? Math.max(0, previous.head.seq - staged.restoredHead.seq) : null,
      replacedFile,
      auditHead: staged.auditHead,
      workspaceId,
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

/** A path as given, else a name in the workspace's backups folder. */
function resolveBackupFile(dataDir: string, file: string): string {
  const candidates = [path.resolve(file)]
  if (path.basename(file) === file) candidates.push(path.join(backupsDir(dataDir), file))
  const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile())
  if (!found)
    throw new CsError(
      'BACKUP_INVALID',
      `There is no backup ${file} — give its path, or the name of a file in the workspace's backups folder.`,
    )
  if (fileShape(found) !== 'sqlite')
    throw new CsError('BACKUP_INVALID', `${path.basename(found)} is not a Countersign backup: it is not a SQLite database.`)
  return found
}

/** What this folder last committed (the head file, else the database if it can be read) and whose workspace it is. */
function previousState(dataDir: string, current: string, nativeBinding?: string): { head: Head | null; workspaceId: string | null } {
  let headFile = null
  try {
    headFile = readHeadFile(dataDir)
  } catch {
    headFile = null // a damaged head file is what a restore repairs
  }
  if (headFile) return { head: headFile.auditHead, workspaceId: headFile.workspaceId }
  if (fileShape(current) !== 'sqlite') return { head: null, workspaceId: null }
  try {
    const sqlite = openRawSqlite(current, { readonly: true, ...(nativeBinding ? { nativeBinding } : {}) })
    try {
      const state = readWorkspaceState(sqlite)
      return { head: state.auditHead, workspaceId: state.workspaceId }
    } finally {
      sqlite.close()
    }
  } catch {
    return { head: null, workspaceId: null }
  }
}

/** Copy the backup through SQLite into `target`; it must be this workspace's (or name none). Returns the workspace id. */
function stageCopy(source: string, target: string, currentId: string | null, nativeBinding?: string): string {
  const binding = nativeBinding ? { nativeBinding } : {}
  let backupId: string | null
  try {
    const from = openRawSqlite(source, { readonly: true, ...binding })
    try {
      backupId = readWorkspaceState(from).workspaceId
      from.prepare('VACUUM INTO ?').run(target)
    } finally {
      from.close()
    }
  } catch (error) {
    if (isSqliteDamage(error))
      throw new CsError('BACKUP_INVALID', `${path.basename(source)} is damaged — SQLite cannot read it; pick another backup.`, {
        cause: error,
      })
    throw error
  }
  if (currentId && backupId && backupId !== currentId)
    throw new CsError(
      'BACKUP_INVALID',
      `${path.basename(source)} is a backup of another workspace — restore one of this workspace's own backups (or restore it into an empty folder).`,
    )
  const workspaceId = backupId ?? currentId ?? newWorkspaceId()
  if (!backupId) {
    // A backup from before workspace ids: it becomes this workspace's.
    const staged = openRawSqlite(target, binding)
    try {
      staged.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(WORKSPACE_ID_KEY, workspaceId)
    } finally {
      staged.close()
    }
  }
  return workspaceId
}

/**
 * Open the staged copy as a workspace (quick_check, migrations), verify its chain, and record the
 * restore in it. Returns the head it had and the head after the restore's row.
 */
async function verifyAndRecord(
  staging: string,
  source: string,
  previousHead: Head | null,
  options: RestoreBackupOptions,
): Promise<{ restoredHead: Head; auditHead: Head }> {
  let db
  try {
    db = await openSqliteDb({
      dataDir: staging,
      backupBeforeMigration: false,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    })
  } catch (error) {
    if (error instanceof CsError && error.code === 'DB_CORRUPT')
      throw new CsError(
        'BACKUP_INVALID',
        `${path.basename(source)} is damaged (it fails SQLite's integrity check) — pick another backup.`,
        {
          cause: error,
        },
      )
    throw error
  }
  try {
    const ctx: CoreContext = { db, clock: { now: () => options.now }, events: new CoreEvents() }
    const verification = await verifyAudit(ctx)
    if (!verification.ok)
      throw new CsError(
        'BACKUP_INVALID',
        `${path.basename(source)} does not verify: ${verification.firstBroken?.reason ?? 'its audit chain is broken'} — pick another backup.`,
      )
    const restoredHead = await readAuditHead(ctx)
    await db.tx(() =>
      appendAudit(ctx, {
        actor: SYSTEM_ACTOR,
        action: 'workspace.restore',
        subject: 'workspace:database',
        change: {
          backup: path.basename(source),
          restoredSeq: restoredHead.seq,
          restoredHash: restoredHead.hash,
          previousSeq: previousHead?.seq ?? null,
          previousHash: previousHead?.hash ?? null,
          lostAuditRows: previousHead ? Math.max(0, previousHead.seq - restoredHead.seq) : null,
          by: `${os.userInfo().username}@${os.hostname()}`,
        },
      }),
    )
    return { restoredHead, auditHead: await readAuditHead(ctx) }
  } finally {
    await db.close()
  }
}

/**
 * Keep the current database (and its write-ahead log) byte for byte as .replaced-<time>, then
 * make sure no other connection has the workspace open, and clear the way for the restored file.
 */
function takeOver(current: string, options: RestoreBackupOptions): string | null {
  const replaced = `${current}.replaced-${options.now.toISOString().replace(/[:.]/g, '-')}`
  const hasDb = fs.existsSync(current)
  if (hasDb) fs.copyFileSync(current, replaced)
  if (fs.existsSync(current + '-wal')) fs.copyFileSync(current + '-wal', replaced + '-wal')
  try {
    if (hasDb) refuseIfInUse(current, options.nativeBinding)
  } catch (error) {
    for (const suffix of ['', '-wal']) fs.rmSync(replaced + suffix, { force: true })
    throw error
  }
  fsyncDir(path.dirname(current))
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(current + suffix, { force: true })
  return hasDb ? replaced : null
}

/**
 * Every open connection to a WAL database holds a shared lock on it, so an exclusive lock taken
 * without waiting fails while any other window, command or sandbox has the workspace open.
 * (A damaged file cannot be probed; nothing can have it open as a workspace either.)
 */
function refuseIfInUse(file: string, nativeBinding?: string): void {
  if (fileShape(file) !== 'sqlite') return
  let probe
  try {
    probe = openRawSqlite(file, { busyTimeoutMs: 0, ...(nativeBinding ? { nativeBinding } : {}) })
  } catch {
    return
  }
  try {
    probe.pragma('locking_mode = EXCLUSIVE')
    probe.exec('BEGIN EXCLUSIVE; COMMIT')
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
      throw new CsError(
        'WORKSPACE_IN_USE',
        'The workspace is open in a Countersign window, command or sandbox — close them all (stop the sandbox and the app) and run the restore again.',
        { cause: error },
      )
    if (!isSqliteDamage(error)) throw error
  } finally {
    probe.close()
  }
}
