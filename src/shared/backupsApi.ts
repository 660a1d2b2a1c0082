/**
 * The backup calls of the contract: a single-desk workspace copies its database into its backups
 * folder (before every migration, daily, and on demand) and Settings shows the last one. A team
 * workspace (PostgreSQL) is backed up by its database's administrator (pg_dump): the list says so
 * and `backups.create` refuses with BACKUP_UNSUPPORTED. Restoring is not a call: it replaces the
 * database under the core, so it is done with the app closed (`countersign restore FILE`).
 * Gathered into `calls` by ./api.ts; imports the building blocks and the limits only.
 */
import { z } from 'zod'
import { Empty, IsoTimestamp } from './blocks'
import { call } from './callSpec'
import { BACKUP_KEEP_DAYS_MAX, BACKUP_KEEP_DAYS_MIN, ERROR_DETAILS_TEXT_CHARS_MAX } from './limits'

export const AuditHead = z.object({ seq: z.number().int().min(0), hash: z.string() })

export const Backup = z.object({
  /** The file's name in the backups folder: countersign-<UTC time>.sqlite. */
  name: z.string(),
  /** Where it is on this computer. */
  path: z.string(),
  /** When it was taken. */
  at: IsoTimestamp,
  bytes: z.number().int().min(0),
  /** The last audit row it holds; null when the file could not be read. */
  auditHead: AuditHead.nullable(),
})
export type Backup = z.infer<typeof Backup>

export const BackupList = z.object({
  /** 'sqlite': files in the workspace's backups folder; 'postgres': the database administrator's job (pg_dump). */
  backend: z.enum(['sqlite', 'postgres']),
  /** The backups folder; null for a team workspace. */
  folder: z.string().nullable(),
  /** Automatic pruning keeps backups this many days … */
  keepDays: z.number().int().min(BACKUP_KEEP_DAYS_MIN).max(BACKUP_KEEP_DAYS_MAX),
  /** … and the newest this many whatever their age. */
  keptMin: z.number().int().min(0),
  /** Newest first. */
  backups: z.array(Backup),
})
export type BackupList = z.infer<typeof BackupList>

export const backupCalls = {
  'backups.list': call({
    summary: "This workspace's backups, newest first, with the retention setting.",
    mutates: false,
    input: Empty,
    output: BackupList,
  }),
  'backups.create': call({
    summary: 'Back up the workspace database now (admin). Refused on a team workspace: back it up with pg_dump.',
    mutates: true,
    input: Empty,
    output: Backup,
  }),
  'backups.configure': call({
    summary: 'How many days automatic pruning keeps backups (admin; audited).',
    mutates: true,
    input: z.object({ keepDays: z.number().int().min(BACKUP_KEEP_DAYS_MIN).max(BACKUP_KEEP_DAYS_MAX) }).strict(),
    output: BackupList,
  }),
} as const

const BackupName = z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX).nullable()

/** What a refused database open says, so a surface can offer the restore without reading the sentence. */
export const backupErrorDetails = {
  /** Why the file is refused, and the newest backup's name (null: none in the folder). */
  DB_CORRUPT: z.object({
    reason: z.enum(['missing', 'empty', 'not-a-database', 'integrity']),
    latestBackup: BackupName,
  }),
  /**
   * The database is behind what this folder committed ('older'), or is not the same database
   * ('replaced': another copy of this workspace, or another workspace): its audit head and the
   * one the head file recorded.
   */
  DB_ROLLED_BACK: z.object({
    reason: z.enum(['older', 'replaced']),
    databaseSeq: z.number().int().min(0),
    committedSeq: z.number().int().min(0),
    latestBackup: BackupName,
  }),
  /** The disk refused a write: 'full' (no space), or 'io' (an I/O error — full, removed or failing). */
  DISK_FULL: z.object({ reason: z.enum(['full', 'io']) }),
} as const
