/**
 * Where a single-desk workspace keeps its backups and how they are named:
 * `<dataDir>/backups/countersign-<UTC time>.sqlite` (e.g. countersign-20260101T093000Z.sqlite; a
 * second one in the same second gets -2, -3, …). The time in the name is when it was taken, so
 * the list sorts and prunes without opening any file. Nothing else in the folder is touched.
 */
import fs from 'node:fs'
import path from 'node:path'
import { unreachable } from '../../util/invariant'

export const BACKUPS_DIR_NAME = 'backups'
const BACKUP_NAME_RE = /^countersign-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-(\d+))?\.sqlite$/
/** Same-second backups numbered at most this far before giving up (a clock stuck in a loop). */
const SAME_SECOND_SUFFIX_MAX = 1_000

export interface BackupFile {
  /** The file's name in the backups folder. */
  name: string
  path: string
  /** When it was taken (from its name). */
  at: Date
}

export function backupsDir(dataDir: string): string {
  return path.join(dataDir, BACKUPS_DIR_NAME)
}

/** The backups of `dataDir`, newest first. */
export function listBackupFiles(dataDir: string): BackupFile[] {
  const dir = backupsDir(dataDir)
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return []
    throw error
  }
  const files: (BackupFile & { n: number })[] = []
  for (const name of names) {
    const m = BACKUP_NAME_RE.exec(name)
    if (!m) continue
    const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])))
    files.push({ name, path: path.join(dir, name), at, n: m[7] ? Number(m[7]) : 1 })
  }
  files.sort((a, b) => b.at.getTime() - a.at.getTime() || b.n - a.n)
  return files.map(({ name, path: p, at }) => ({ name, path: p, at }))
}

/** The newest backup's name, or null. Never throws: it is quoted in error messages. */
export function latestBackupName(dataDir: string): string | null {
  try {
    return listBackupFiles(dataDir)[0]?.name ?? null
  } catch {
    return null
  }
}

/** A free name for a backup taken at `now`. */
export function newBackupName(dataDir: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '')
  const dir = backupsDir(dataDir)
  for (let n = 1; n <= SAME_SECOND_SUFFIX_MAX; n++) {
    const name = n === 1 ? `countersign-${stamp}.sqlite` : `countersign-${stamp}-${n}.sqlite`
    if (!fs.existsSync(path.join(dir, name)) && !fs.existsSync(path.join(dir, name + PARTIAL_SUFFIX))) return name
  }
  unreachable(`more than ${SAME_SECOND_SUFFIX_MAX} backups named for one second`)
}

/** A backup being written: renamed to its name only once it is complete and checked. */
export const PARTIAL_SUFFIX = '.partial'

/**
 * The sentence every "restore a backup" message ends with: the latest backup by name and the
 * command that restores it, or where to look when there is none.
 */
export function restoreAdvice(dataDir: string): string {
  const latest = latestBackupName(dataDir)
  return latest
    ? `Restore the latest backup, ${latest}: close Countersign and run  countersign restore ${latest}  (it keeps the current file aside).`
    : `There is no backup in the workspace's ${BACKUPS_DIR_NAME} folder — restore countersign.sqlite from your own copies, or move the folder aside to start a new workspace.`
}
