/**
 * Point a workspace folder at a team database (`init --database`, `sandbox up --database`): the
 * folder's workspace.json gets the URL — never its password, which goes to the SecretStore — unless
 * the folder already names that same database. A folder holding other books is refused. Returns
 * how to take the file away again if the first open fails, so a typo leaves nothing half-made.
 */
import fs from 'node:fs'
import path from 'node:path'
import { CsError } from '../../../shared/errors'
import { readWorkspaceFile, workspaceExists, WORKSPACE_FILE_NAME, writeWorkspaceFile } from './openDb'
import { parseTeamDatabaseUrl } from './teamDatabaseUrl'

/** The parsed URL, refusing one that carries a password (it would be stored in clear). */
export function teamDatabaseUrlWithoutPassword(text: string): ReturnType<typeof parseTeamDatabaseUrl> {
  const parsed = parseTeamDatabaseUrl(text)
  if (parsed.password !== null)
    throw new CsError(
      'INVALID_INPUT',
      'Leave the password out of the connection string: it would be stored in clear in workspace.json — give it through the SecretStore (CLI: COUNTERSIGN_SECRET_DATABASE_PASSWORD).',
    )
  return parsed
}

export function nameTeamDatabase(dataDir: string, text: string, options: { sandbox?: boolean } = {}): { undo(): void } {
  const { url } = teamDatabaseUrlWithoutPassword(text)
  const current = readWorkspaceFile(dataDir)
  if (current?.database.url === url) return { undo: () => {} }
  if (current)
    throw new CsError(
      'INVALID_INPUT',
      `${dataDir} already names the team database ${current.database.url} — use another folder for another database.`,
    )
  if (workspaceExists(dataDir))
    throw new CsError(
      'INVALID_INPUT',
      `${dataDir} already holds a single-desk workspace — move it to the team database with "countersign workspace migrate --to URL", or use another folder.`,
    )
  writeWorkspaceFile(dataDir, { database: { backend: 'postgres', url }, ...(options.sandbox ? { sandbox: true } : {}) })
  return { undo: () => fs.rmSync(path.join(dataDir, WORKSPACE_FILE_NAME), { force: true }) }
}
