/**
 * The daily backup: when the newest backup is older than a day (or there is none) and the
 * workspace has recorded anything at all, take one and prune by the retention setting. Run when
 * a core opens a single-desk workspace and from the poller, so an app left open for weeks still
 * takes one a day. Cheap when not due: one look at the backups folder.
 */
import type { CoreContext } from '../../context'
import { readAuditHead } from '../../audit/appendAudit'
import { listBackupFiles } from './backupFiles'
import { createBackup, type BackupInfo } from './createBackup'
import { pruneBackups } from './pruneBackups'
import { getBackupSettings } from './backupSettings'

export const DAILY_BACKUP_INTERVAL_MS = 86_400_000

export interface DailyBackupEnv {
  dataDir: string
  nativeBinding?: string
}

export function isDailyBackupDue(dataDir: string, now: Date): boolean {
  const latest = listBackupFiles(dataDir)[0]
  return !latest || now.getTime() - latest.at.getTime() >= DAILY_BACKUP_INTERVAL_MS
}

/** Take the daily backup if it is due; null when it was not (or there is nothing to back up yet). */
export async function ensureDailyBackup(ctx: CoreContext, env: DailyBackupEnv): Promise<BackupInfo | null> {
  if (ctx.db.backend !== 'sqlite' || env.dataDir === ':memory:') return null
  const now = ctx.clock.now()
  if (!isDailyBackupDue(env.dataDir, now)) return null
  // A workspace that has recorded nothing has nothing to lose.
  if ((await readAuditHead(ctx)).seq === 0) return null
  const { keepDays } = await getBackupSettings(ctx)
  const backup = createBackup({ dataDir: env.dataDir, now, ...(env.nativeBinding ? { nativeBinding: env.nativeBinding } : {}) })
  pruneBackups(env.dataDir, now, keepDays)
  return backup
}
