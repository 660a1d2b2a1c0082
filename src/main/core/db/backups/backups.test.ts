/**
 * Backups of a single-desk workspace on real files: a backup is a checked copy holding the same
 * audit head and workspace id; the daily one is taken once a day; pruning keeps the retention
 * window and always the newest few; a workspace about to be migrated is backed up first; a team
 * workspace is refused (its administrator backs it up with pg_dump).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { BACKUPS_KEPT_MIN } from '../../../../shared/limits'
import { appendAudit, readAuditHead } from '../../audit/appendAudit'
import { CoreEvents, fixedClock, type CoreContext } from '../../context'
import type { Db } from '../Db'
import { openSqliteDb, SQLITE_MIGRATIONS } from '../sqlite/openSqliteDb'
import { openRawSqlite, readWorkspaceState, WORKSPACE_ID_KEY } from '../sqlite/sqliteFile'
import { listBackupFiles } from './backupFiles'
import { requireLocalBackups } from './backupHandlers'
import { createBackup } from './createBackup'
import { ensureDailyBackup } from './ensureDailyBackup'
import { listBackups } from './listBackups'
import { pruneBackups } from './pruneBackups'

const DAY_MS = 86_400_000
const dirs: string[] = []
const dbs: Db[] = []
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close()
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-backups-'))
  dirs.push(dir)
  return dir
}

async function workspace(rows: number): Promise<{ dir: string; ctx: CoreContext; clock: ReturnType<typeof fixedClock> }> {
  const dir = tempDir()
  const db = await openSqliteDb({ dataDir: dir })
  dbs.push(db)
  const clock = fixedClock('2026-04-01T08:00:00.000Z')
  const ctx: CoreContext = { db, clock, events: new CoreEvents() }
  for (let i = 0; i < rows; i++)
    await ctx.db.tx(() => appendAudit(ctx, { actor: 'test', action: 'test.append', subject: `row:${i}`, change: { i } }))
  return { dir, ctx, clock }
}

describe('backups', () => {
  it('a backup is a checked copy named by its time, holding the same audit head and workspace id', async () => {
    const { dir, ctx } = await workspace(3)
    const backup = createBackup({ dataDir: dir, now: new Date('2026-04-01T08:15:30.000Z') })
    expect(backup.name).toBe('countersign-20260401T081530Z.sqlite')
    expect(backup.path).toBe(path.join(dir, 'backups', backup.name))
    expect(backup.auditHead).toEqual(await readAuditHead(ctx))
    const id = (await ctx.db.first(ctx.db.k.selectFrom('meta').select('value').where('key', '=', WORKSPACE_ID_KEY)))!.value
    expect(backup.workspaceId).toBe(id)
    expect(backup.bytes).toBe(fs.statSync(backup.path).size)
    // Same second: a second name, never an overwrite.
    expect(createBackup({ dataDir: dir, now: new Date('2026-04-01T08:15:30.000Z') }).name).toBe('countersign-20260401T081530Z-2.sqlite')
    expect(listBackups(dir).map((b) => [b.name, b.auditHead?.seq])).toEqual([
      ['countersign-20260401T081530Z-2.sqlite', 3],
      ['countersign-20260401T081530Z.sqlite', 3],
    ])
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((f) => f.endsWith('.partial'))).toEqual([])
  })

  it('the daily backup is taken when none is younger than a day, and not for an empty workspace', async () => {
    const empty = await workspace(0)
    expect(await ensureDailyBackup(empty.ctx, { dataDir: empty.dir })).toBeNull()
    const { dir, ctx, clock } = await workspace(2)
    expect((await ensureDailyBackup(ctx, { dataDir: dir }))?.name).toBe('countersign-20260401T080000Z.sqlite')
    clock.advance(DAY_MS - 1)
    expect(await ensureDailyBackup(ctx, { dataDir: dir })).toBeNull()
    clock.advance(1)
    expect((await ensureDailyBackup(ctx, { dataDir: dir }))?.name).toBe('countersign-20260402T080000Z.sqlite')
    expect(listBackupFiles(dir)).toHaveLength(2)
  })

  it('pruning keeps the retention window, and the newest few whatever their age', async () => {
    const { dir } = await workspace(1)
    const start = Date.parse('2026-01-01T00:00:00.000Z')
    const ages = [60, 40, 30, 20, 10, 5] // days before "now"
    const now = new Date(start + 100 * DAY_MS)
    for (const age of ages) createBackup({ dataDir: dir, now: new Date(now.getTime() - age * DAY_MS) })
    expect(BACKUPS_KEPT_MIN).toBe(3)
    expect(pruneBackups(dir, now, 14)).toEqual([
      'countersign-20260312T000000Z.sqlite',
      'countersign-20260302T000000Z.sqlite',
      'countersign-20260210T000000Z.sqlite',
    ])
    // 20 days old is outside the 14 days, but among the newest three.
    const ageDays = (b: { at: Date }): number => Math.round((now.getTime() - b.at.getTime()) / DAY_MS)
    expect(listBackupFiles(dir).map(ageDays)).toEqual([5, 10, 20])
    expect(pruneBackups(dir, new Date(now.getTime() + 365 * DAY_MS), 14)).toEqual([])
    expect(listBackupFiles(dir)).toHaveLength(BACKUPS_KEPT_MIN)
  })

  it('a workspace with migrations to run is backed up first, as it was before them', async () => {
    const dir = tempDir()
    const names = Object.keys(SQLITE_MIGRATIONS).sort()
    const old = names.slice(0, 3)
    const sqlite = new BetterSqlite3(path.join(dir, 'countersign.sqlite'))
    sqlite.pragma('journal_mode = WAL')
    const k = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) })
    const migrator = new Migrator({
      db: k,
      provider: { getMigrations: async () => Object.fromEntries(old.map((n) => [n, SQLITE_MIGRATIONS[n]!])) },
    })
    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    await k.destroy()

    const db = await openSqliteDb({ dataDir: dir })
    dbs.push(db)
    const [backup] = listBackupFiles(dir)
    expect(backup).toBeDefined()
    const copy = openRawSqlite(backup!.path, { readonly: true })
    expect(readWorkspaceState(copy).migrations).toEqual(old)
    copy.close()
    // Opening again migrates nothing, so it takes no second backup.
    await db.close()
    dbs.pop()
    dbs.push(await openSqliteDb({ dataDir: dir }))
    expect(listBackupFiles(dir)).toHaveLength(1)
  })

  it('a team workspace is refused: its database administrator backs it up with pg_dump', () => {
    const team = { db: { backend: 'postgres' } } as unknown as CoreContext
    expect(() => requireLocalBackups(team, '/somewhere')).toThrow(
      expect.objectContaining({ code: 'BACKUP_UNSUPPORTED', message: expect.stringContaining('pg_dump') }),
    )
  })
})
