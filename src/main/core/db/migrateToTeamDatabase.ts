/**
 * Move a single-desk workspace folder onto a team database (`countersign workspace migrate
 * --to postgres://…`): copy and verify (./copyWorkspace.ts), then point the folder at the team
 * database (workspace.json) and keep the SQLite file, renamed, as the backup of that moment.
 * The folder switches only after the copy verified; until then every command still uses the file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { CsError } from '../../../shared/errors'
import { SANDBOX_META_KEY } from '../api/handlers'
import { sealExistingRows } from '../audit/sealExistingRows'
import { CoreEvents, systemClock } from '../context'
import { copyWorkspace, type CopyProgress, type CopyReport } from './copyWorkspace'
import { DB_FILE_NAME, readWorkspaceFile, writeWorkspaceFile } from './openDb'
import { openPostgresDb } from './postgres/openPostgresDb'
import { openSqliteDb } from './sqlite/openSqliteDb'
import { teamDatabaseUrlWithoutPassword } from './nameTeamDatabase'
import { headFilePath } from './sqlite/workspaceHead'

export interface MigrateToTeamOptions {
  dataDir: string
  /** postgres://user@host:port/database?sslmode=… (no password). */
  to: string
  /** The team database's password (from the SecretStore), if the server asks for one. */
  password: string | null
  onProgress?: (p: CopyProgress) => void
}

export interface MigrateToTeamResult extends CopyReport {
  location: string
  /** Where the single-desk file now lies, renamed. */
  backupFile: string
}

export async function migrateToTeamDatabase(options: MigrateToTeamOptions): Promise<MigrateToTeamResult> {
  const target = teamDatabaseUrlWithoutPassword(options.to)
  if (readWorkspaceFile(options.dataDir))
    throw new CsError('INVALID_INPUT', `${options.dataDir} is already a team workspace — there is nothing to migrate.`)
  const file = path.join(options.dataDir, DB_FILE_NAME)
  if (!fs.existsSync(file))
    throw new CsError(
      'DATA_DIR_INVALID',
      `There is no single-desk workspace in ${options.dataDir} (no ${DB_FILE_NAME}) — point --data-dir at it.`,
    )

  const source = await openSqliteDb({ dataDir: options.dataDir })
  let report: CopyReport
  let sandbox: boolean
  try {
    // A workspace last opened by an older version has books without seals: seal them first, so
    // the copy verifies (copyWorkspace checks the books against the audit log on both sides).
    await sealExistingRows({ db: source, clock: systemClock, events: new CoreEvents() })
    sandbox = (await source.first(source.k.selectFrom('meta').select('key').where('key', '=', SANDBOX_META_KEY))) !== undefined
    const team = await openPostgresDb({ url: target.url, ...(options.password ? { password: options.password } : {}) })
    try {
      report = await copyWorkspace(source, team, options.onProgress)
    } finally {
      await team.close()
    }
  } finally {
    await source.close()
  }
  writeWorkspaceFile(options.dataDir, { database: { backend: 'postgres', url: target.url }, ...(sandbox ? { sandbox: true } : {}) })
  const backupFile = `${file}.migrated-${new Date().toISOString().replace(/[:.]/g, '-')}`
  fs.renameSync(file, backupFile)
  for (const suffix of ['-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, backupFile + suffix)
  // The head file guards the SQLite file, which is no longer the books: kept beside it, out of the way.
  const head = headFilePath(options.dataDir)
  if (fs.existsSync(head)) fs.renameSync(head, `${backupFile}.head.json`)
  return { ...report, location: target.location, backupFile }
}
