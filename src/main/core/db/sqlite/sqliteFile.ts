/**
 * A workspace's SQLite file looked at from outside the database port: a plain better-sqlite3
 * connection (read-only for checks and backups, so it never checkpoints or rewrites the
 * write-ahead log it inspects), what state the file records (workspace id, audit head, applied
 * migrations), and which SQLite errors mean the file is damaged. Used before the port opens a
 * file (./checkSqliteWorkspace.ts), by backups and restore (../backups/), and by the port's own
 * error mapping.
 */
import fs from 'node:fs'
import BetterSqlite3 from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { AUDIT_GENESIS_HASH, AUDIT_HEAD_KEY } from '../../audit/appendAudit'

/** A single-desk workspace's database, in its folder. */
export const DB_FILE_NAME = 'countersign.sqlite'
/** How much of quick_check's complaint a message quotes. */
export const QUICK_CHECK_QUOTE_CHARS_MAX = 160
/** meta key of the workspace's id: made once, kept by every backup and restore of it. */
export const WORKSPACE_ID_KEY = 'workspace_id'
/** Random bytes in a workspace id. */
const WORKSPACE_ID_BYTES = 16
/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')
/** How long a check or backup connection waits for another process's lock. */
const RAW_BUSY_TIMEOUT_MS = 5_000

/** A new workspace id: 'ws_' and 32 hex digits. */
export function newWorkspaceId(): string {
  return `ws_${randomBytes(WORKSPACE_ID_BYTES).toString('hex')}`
}

export interface RawSqliteOptions {
  readonly?: boolean
  /** better_sqlite3.node built for this runtime's ABI (Electron); Node uses the default. */
  nativeBinding?: string
  busyTimeoutMs?: number
}

export type RawSqlite = BetterSqlite3.Database

/** A plain connection to an existing file (never creates one). */
export function openRawSqlite(file: string, options: RawSqliteOptions = {}): RawSqlite {
  const sqlite = new BetterSqlite3(file, {
    fileMustExist: true,
    ...(options.readonly ? { readonly: true } : {}),
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  })
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? RAW_BUSY_TIMEOUT_MS}`)
  return sqlite
}

/** What is wrong with the file before SQLite reads it: missing, empty, or not a database at all. */
export type FileShape = 'missing' | 'empty' | 'not-a-database' | 'sqlite'

export function fileShape(file: string): FileShape {
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return 'missing'
    throw error
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length)
    const read = fs.readSync(fd, head, 0, head.length, 0)
    if (read === 0) return 'empty'
    return read === head.length && head.equals(SQLITE_HEADER) ? 'sqlite' : 'not-a-database'
  } finally {
    fs.closeSync(fd)
  }
}

/** `PRAGMA quick_check`: null when it passes, else its first complaint. */
export function quickCheck(sqlite: RawSqlite): string | null {
  const rows = sqlite.pragma('quick_check(1)') as { quick_check: string }[]
  const first = rows[0]?.quick_check ?? 'no answer'
  return first === 'ok' ? null : first
}

export interface SqliteWorkspaceState {
  /** null: the file predates workspace ids, or is not a Countersign workspace. */
  workspaceId: string | null
  auditHead: { seq: number; hash: string }
  /** Names of the migrations applied to this file (empty for a new file). */
  migrations: string[]
}

/** What the file records about itself. Tables that do not exist yet read as empty. */
export function readWorkspaceState(sqlite: RawSqlite): SqliteWorkspaceState {
  const tables = new Set(
    (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
  )
  const meta = (key: string): string | null =>
    tables.has('meta')
      ? ((sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null)
      : null
  const migrations = tables.has('kysely_migration')
    ? (sqlite.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]).map((r) => r.name)
    : []
  return { workspaceId: meta(WORKSPACE_ID_KEY), auditHead: parseAuditHeadValue(meta(AUDIT_HEAD_KEY)), migrations }
}

/** The hash of audit row `seq`, or null when the file has no such row. */
export function auditHashAt(sqlite: RawSqlite, seq: number): string | null {
  const hasLog = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get() !== undefined
  if (!hasLog) return null
  return (sqlite.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq) as { hash: string } | undefined)?.hash ?? null
}

/** meta 'audit_head' is "seq:hash" (appendAudit.ts); no row is the genesis head. */
export function parseAuditHeadValue(value: string | null): { seq: number; hash: string } {
  if (value === null) return { seq: 0, hash: AUDIT_GENESIS_HASH }
  const [seq, hash] = value.split(':')
  return { seq: Number(seq), hash: hash ?? '' }
}
