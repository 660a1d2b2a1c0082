/**
 * The retention setting of backups (settings key 'backups', JSON `{ keepDays }`): how many days
 * automatic pruning keeps them. Changed by an admin, audited with the old and new value.
 */
import { z } from 'zod'
import { BACKUP_KEEP_DAYS_DEFAULT, BACKUP_KEEP_DAYS_MAX, BACKUP_KEEP_DAYS_MIN } from '../../../../shared/limits'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'

export const BACKUPS_SETTING_KEY = 'backups'

const BackupSettings = z.object({ keepDays: z.number().int().min(BACKUP_KEEP_DAYS_MIN).max(BACKUP_KEEP_DAYS_MAX) })
export type BackupSettings = z.infer<typeof BackupSettings>

export async function getBackupSettings(ctx: CoreContext): Promise<BackupSettings> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('settings').select('value').where('key', '=', BACKUPS_SETTING_KEY))
  if (!row) return { keepDays: BACKUP_KEEP_DAYS_DEFAULT }
  // Written only by setBackupSettings, which validates; checked again when read.
  return BackupSettings.parse(JSON.parse(row.value))
}

export async function setBackupSettings(ctx: CoreContext, actor: Actor, next: BackupSettings): Promise<BackupSettings> {
  const checked = BackupSettings.parse(next)
  const at = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    const before = await getBackupSettings(ctx)
    const value = JSON.stringify(checked)
    await ctx.db.run(
      ctx.db.k
        .insertInto('settings')
        .values({ key: BACKUPS_SETTING_KEY, value, updated_at: at, updated_by: actor })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at, updated_by: actor })),
    )
    await appendAudit(ctx, {
      actor,
      action: 'backups.configure',
      subject: 'settings:backups',
      change: { keepDays: { from: before.keepDays, to: checked.keepDays } },
    })
  })
  return checked
}
