/**
 * Settings → Backups: the list (with the retention setting), "Back up now" and the retention
 * setting itself. A team workspace (PostgreSQL) is backed up by its database's administrator with
 * pg_dump: its list is empty and says so, and the changes are refused with BACKUP_UNSUPPORTED.
 */
import type { CallOutput } from '../../../../shared/api'
import { CsError } from '../../../../shared/errors'
import { BACKUPS_KEPT_MIN } from '../../../../shared/limits'
import type { Handler } from '../../api/createApi'
import type { CoreContext } from '../../context'
import { requireRole } from '../../operators/operators'
import { backupsDir } from './backupFiles'
import { createBackup } from './createBackup'
import { backupToContract, listBackups } from './listBackups'
import { pruneBackups } from './pruneBackups'
import { getBackupSettings, setBackupSettings } from './backupSettings'

export interface BackupHandlersEnv {
  dataDir: string
  nativeBinding?: string
}

export async function readBackupList(core: CoreContext, env: BackupHandlersEnv): Promise<CallOutput<'backups.list'>> {
  const { keepDays } = await getBackupSettings(core)
  const local = core.db.backend === 'sqlite' && env.dataDir !== ':memory:'
  return {
    backend: core.db.backend,
    folder: local ? backupsDir(env.dataDir) : null,
    keepDays,
    keptMin: BACKUPS_KEPT_MIN,
    backups: local ? listBackups(env.dataDir, env.nativeBinding).map(backupToContract) : [],
  }
}

/** Backups here are files of a single-desk workspace; a team database is its administrator's to back up. */
export function requireLocalBackups(core: CoreContext, dataDir: string): void {
  if (core.db.backend === 'postgres')
    throw new CsError(
      'BACKUP_UNSUPPORTED',
      "This workspace keeps its books in a team database (PostgreSQL): back it up on the server with pg_dump (and restore with pg_restore) — that is the database administrator's job, not this desk's.",
    )
  if (dataDir === ':memory:') throw new CsError('BACKUP_UNSUPPORTED', 'This workspace lives in memory only — there is no file to back up.')
}

export function createBackupHandlers(env: BackupHandlersEnv): {
  'backups.list': Handler<'backups.list'>
  'backups.create': Handler<'backups.create'>
  'backups.configure': Handler<'backups.configure'>
} {
  return {
    'backups.list': ({ core }) => readBackupList(core, env),

    'backups.create': async ({ core, operator }) => {
      requireRole(operator, 'admin', 'back up the workspace')
      requireLocalBackups(core, env.dataDir)
      const now = core.clock.now()
      const backup = createBackup({ dataDir: env.dataDir, now, ...(env.nativeBinding ? { nativeBinding: env.nativeBinding } : {}) })
      pruneBackups(env.dataDir, now, (await getBackupSettings(core)).keepDays)
      return backupToContract(backup)
    },

    'backups.configure': async ({ core, operator }, input) => {
      const actor = requireRole(operator, 'admin', 'change how long backups are kept').id
      requireLocalBackups(core, env.dataDir)
      await setBackupSettings(core, actor, { keepDays: input.keepDays })
      return readBackupList(core, env)
    },
  }
}
