/**
 * Automatic pruning of a workspace's backups: those older than the retention setting go, except
 * the newest BACKUPS_KEPT_MIN, which stay whatever their age (a workspace left alone for a month
 * still has its last backups). Leftovers of a backup interrupted by a crash (`.partial`) go after a
 * day. Only files named like backups are ever removed.
 */
import fs from 'node:fs'
import path from 'node:path'
import { BACKUPS_KEPT_MIN } from '../../../../shared/limits'
import { backupsDir, listBackupFiles, PARTIAL_SUFFIX } from './backupFiles'

const DAY_MS = 86_400_000
/** A `.partial` this old was left by a crash mid-backup (a backup in progress is minutes old at most). */
const PARTIAL_STALE_MS = DAY_MS

/** Remove what retention no longer keeps; returns the removed backups' names. */
export function pruneBackups(dataDir: string, now: Date, keepDays: number): string[] {
  const cutoffMs = now.getTime() - keepDays * DAY_MS
  const removed: string[] = []
  listBackupFiles(dataDir).forEach((file, index) => {
    if (index < BACKUPS_KEPT_MIN || file.at.getTime() >= cutoffMs) return
    fs.rmSync(file.path, { force: true })
    removed.push(file.name)
  })
  removeStalePartials(dataDir, now)
  return removed
}

function removeStalePartials(dataDir: string, now: Date): void {
  const dir = backupsDir(dataDir)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return
  }
  for (const name of names) {
    if (!name.startsWith('countersign-') || !name.endsWith(PARTIAL_SUFFIX)) continue
    const file = path.join(dir, name)
    try {
      if (now.getTime() - fs.statSync(file).mtimeMs > PARTIAL_STALE_MS) fs.rmSync(file, { force: true })
    } catch {
      // Gone already, or another process is finishing it.
    }
  }
}
