/**
 * The head file: `countersign.head.json` beside a single-desk workspace's database, naming the
 * workspace and the last audit row it committed (seq and hash). SQLite alone cannot tell a
 * database that lost its last commits — a damaged write-ahead log is silently cut at the first bad
 * frame, an older copy put back looks perfectly healthy — from one that never had them. This file
 * can: it is rewritten durably after every commit that appended audit rows, so on open a database
 * whose audit head is behind it, or whose chain does not contain it, or that belongs to another
 * workspace, is refused (./checkSqliteWorkspace.ts) instead of quietly reopening payouts that were
 * already paid.
 *
 * Several processes write one workspace (the app, the sandbox, a CLI command): the file never moves
 * backwards (a writer writes only what the database has committed, and only when it is ahead of the
 * file), except through `restore`, which rewrites it on purpose.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { CsError } from '../../../../shared/errors'
import { writeFileDurably } from '../../util/durableWrite'

export const HEAD_FILE_NAME = 'countersign.head.json'
const HEAD_FILE_VERSION = 1

const HeadFile = z.object({
  version: z.literal(HEAD_FILE_VERSION),
  workspaceId: z.string().min(1),
  auditHead: z.object({ seq: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  updatedAt: z.string(),
})
export type HeadFile = z.infer<typeof HeadFile>

export interface WorkspaceHead {
  workspaceId: string
  seq: number
  hash: string
}

export function headFilePath(dataDir: string): string {
  return path.join(dataDir, HEAD_FILE_NAME)
}

/** The head file of `dataDir`, or null when there is none (a new workspace, or one made before head files). */
export function readHeadFile(dataDir: string): HeadFile | null {
  const file = headFilePath(dataDir)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null
    throw new CsError('DATA_DIR_INVALID', `Cannot read ${HEAD_FILE_NAME} in the workspace folder — check the folder's permissions.`, {
      cause: error,
    })
  }
  let parsed: unknown = null
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = null
  }
  const checked = HeadFile.safeParse(parsed)
  if (!checked.success)
    throw new CsError(
      'WORKSPACE_FILE_INVALID',
      `${HEAD_FILE_NAME} in the workspace folder is damaged, so Countersign cannot tell whether the database lost recent work — if you know the database is current, delete ${HEAD_FILE_NAME} and open it again (a new one is written); otherwise restore the latest backup with countersign restore.`,
    )
  return checked.data
}

/** Write the head durably (temporary file, fsync, rename, fsync of the folder). Callers keep it monotonic. */
export function writeHeadFile(dataDir: string, head: WorkspaceHead, now: Date = new Date()): void {
  const content: HeadFile = {
    version: HEAD_FILE_VERSION,
    workspaceId: head.workspaceId,
    auditHead: { seq: head.seq, hash: head.hash },
    updatedAt: now.toISOString(),
  }
  writeFileDurably(headFilePath(dataDir), JSON.stringify(content, null, 2) + '\n')
}
