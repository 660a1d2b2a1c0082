/** The backups of a single-desk workspace as the contract shows them, newest first. */
import fs from 'node:fs'
import type { Backup } from '../../../../shared/backupsApi'
import { listBackupFiles } from './backupFiles'
import { describeBackup, type BackupInfo } from './createBackup'

export function listBackups(dataDir: string, nativeBinding?: string): BackupInfo[] {
  const out: BackupInfo[] = []
  for (const file of listBackupFiles(dataDir)) {
    let bytes: number
    try {
      bytes = fs.statSync(file.path).size
    } catch {
      continue // pruned by another process meanwhile
    }
    out.push({ name: file.name, path: file.path, at: file.at, bytes, ...describeBackup(file.path, nativeBinding) })
  }
  return out
}

export function backupToContract(backup: BackupInfo): Backup {
  return { name: backup.name, path: backup.path, at: backup.at.toISOString(), bytes: backup.bytes, auditHead: backup.auditHead }
}
