/**
 * Writing a small file so that a crash or power cut leaves either the old content or the new —
 * never a torn or empty file: write a temporary file beside it, fsync it, rename it over the old
 * one, and fsync the folder so the rename itself is on disk. Used for the workspace head file
 * (../db/sqlite/workspaceHead.ts) and for installing backups.
 */
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'

/** Write `data` to `file` atomically and durably. The temporary name is unique to this call. */
export function writeFileDurably(file: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const fd = fs.openSync(tmp, 'w', mode)
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    fs.fsyncSync(fd)
  } catch (error) {
    fs.closeSync(fd)
    fs.rmSync(tmp, { force: true })
    throw error
  }
  fs.closeSync(fd)
  try {
    fs.renameSync(tmp, file)
  } catch (error) {
    fs.rmSync(tmp, { force: true })
    throw error
  }
  fsyncDir(path.dirname(file))
}

/** fsync an existing file's content (a backup written by SQLite) before it is renamed into place. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * fsync a folder, so renames and new files in it survive a power cut. Windows cannot open a folder
 * for fsync (EPERM / EISDIR); there NTFS's own journal has to do.
 */
export function fsyncDir(dir: string): void {
  let fd: number
  try {
    fd = fs.openSync(dir, 'r')
  } catch (error) {
    if (isUnsupportedDirSync(error)) return
    throw error
  }
  try {
    fs.fsyncSync(fd)
  } catch (error) {
    if (!isUnsupportedDirSync(error)) throw error
  } finally {
    fs.closeSync(fd)
  }
}

function isUnsupportedDirSync(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return code === 'EPERM' || code === 'EISDIR' || code === 'EINVAL' || code === 'EACCES'
}
