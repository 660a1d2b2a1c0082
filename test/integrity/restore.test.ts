/**
 * `restore` at the core: the way out of a refused workspace (a write-ahead log with a flipped
 * byte → DB_ROLLED_BACK → restore the latest backup → the core opens, and the damaged files are
 * kept byte for byte), and the backups it refuses — one whose audit chain was edited, one of
 * another workspace — leaving the workspace exactly as it was.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { appendAudit, readAuditHead } from '../../src/main/core/audit/appendAudit'
import { verifyAudit } from '../../src/main/core/audit/verifyAudit'
import { CoreEvents, fixedClock, type CoreContext } from '../../src/main/core/context'
import { createCore } from '../../src/main/core/core'
import type { Db } from '../../src/main/core/db/Db'
import { createBackup } from '../../src/main/core/db/backups/createBackup'
import { restoreBackup } from '../../src/main/core/db/backups/restoreBackup'
import { openSqliteDb } from '../../src/main/core/db/sqlite/openSqliteDb'
import { readHeadFile } from '../../src/main/core/db/sqlite/workspaceHead'

const DB = 'countersign.sqlite'
const NOW = new Date('2026-05-01T12:00:00.000Z')

const dirs: string[] = []
const dbs: Db[] = []
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close()
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-restore-'))
  dirs.push(dir)
  return dir
}

async function openWorkspace(dir: string): Promise<CoreContext> {
  const db = await openSqliteDb({ dataDir: dir })
  dbs.push(db)
  return { db, clock: fixedClock(), events: new CoreEvents() }
}

async function closeAll(): Promise<void> {
  for (const db of dbs.splice(0)) await db.close()
}

async function append(ctx: CoreContext, n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await ctx.db.tx(() => appendAudit(ctx, { actor: 'test', action: 'test.append', subject: `row:${i}`, change: { i } }))
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

describe('restore', () => {
  it('a refused workspace (damaged write-ahead log) is restored from its latest backup; the damaged files are kept as they were', async () => {
    const dir = tempDir()
    const ctx = await openWorkspace(dir)
    await append(ctx, 3)
    const backup = createBackup({ dataDir: dir, now: new Date('2026-05-01T09:00:00.000Z') })
    await append(ctx, 4)
    const committed = await readAuditHead(ctx)
    // A crash image with one byte of the last write-ahead log frame flipped.
    const image = tempDir()
    for (const f of [DB, `${DB}-wal`, 'countersign.head.json']) fs.copyFileSync(path.join(dir, f), path.join(image, f))
    fs.cpSync(path.join(dir, 'backups'), path.join(image, 'backups'), { recursive: true })
    await closeAll()
    const wal = fs.readFileSync(path.join(image, `${DB}-wal`))
    wal.writeUInt8(wal.readUInt8(wal.length - 100) ^ 0x80, wal.length - 100)
    fs.writeFileSync(path.join(image, `${DB}-wal`), wal)
    const damaged = { db: sha256(path.join(image, DB)), wal: sha256(path.join(image, `${DB}-wal`)) }
    await expect(openSqliteDb({ dataDir: image })).rejects.toMatchObject({ code: 'DB_ROLLED_BACK' })

    const result = await restoreBackup({ dataDir: image, file: backup.name, now: NOW })
    expect(result).toMatchObject({
      restored: { file: path.join(image, 'backups', backup.name), auditHead: backup.auditHead },
      previous: { auditHead: committed },
      lostAuditRows: committed.seq - backup.auditHead!.seq,
      auditHead: { seq: backup.auditHead!.seq + 1 },
    })
    expect(sha256(result.replacedFile!)).toBe(damaged.db)
    expect(sha256(`${result.replacedFile!}-wal`)).toBe(damaged.wal)

    const core = await createCore({ dataDir: image, resumeOnStart: false, dailyBackup: false })
    try {
      expect((await verifyAudit(core.ctx)).ok).toBe(true)
      const restoreRow = await core.ctx.db.first(
        core.ctx.db.k.selectFrom('audit_log').select(['action', 'hash']).where('seq', '=', result.auditHead.seq),
      )
      expect(restoreRow).toEqual({ action: 'workspace.restore', hash: result.auditHead.hash })
      // The core's own start-up rows (default assets) come after it; the head file follows.
      expect(readHeadFile(image)!.auditHead).toEqual(await readAuditHead(core.ctx))
    } finally {
      await core.close()
    }
  })

  it("refuses a backup whose audit chain was edited, and another workspace's backup; the workspace is left as it was", async () => {
    const dir = tempDir()
    const ctx = await openWorkspace(dir)
    await append(ctx, 3)
    const tampered = createBackup({ dataDir: dir, now: new Date('2026-05-01T09:00:00.000Z') })
    const edit = new BetterSqlite3(tampered.path)
    edit.prepare("UPDATE audit_log SET subject = 'row:edited' WHERE seq = 2").run()
    edit.close()
    const other = tempDir()
    await append(await openWorkspace(other), 1)
    const foreign = createBackup({ dataDir: other, now: NOW })
    await closeAll()
    const before = { db: sha256(path.join(dir, DB)), head: fs.readFileSync(path.join(dir, 'countersign.head.json'), 'utf8') }

    await expect(restoreBackup({ dataDir: dir, file: tampered.name, now: NOW })).rejects.toMatchObject({
      code: 'BACKUP_INVALID',
      message: expect.stringContaining('row 2'),
    })
    await expect(restoreBackup({ dataDir: dir, file: foreign.path, now: NOW })).rejects.toMatchObject({
      code: 'BACKUP_INVALID',
      message: expect.stringContaining('another workspace'),
    })
    await expect(restoreBackup({ dataDir: dir, file: 'countersign-19990101T000000Z.sqlite', now: NOW })).rejects.toMatchObject({
      code: 'BACKUP_INVALID',
    })
    expect({ db: sha256(path.join(dir, DB)), head: fs.readFileSync(path.join(dir, 'countersign.head.json'), 'utf8') }).toEqual(before)
    expect(fs.readdirSync(dir).filter((f) => f.includes('replaced') || f.startsWith('restoring'))).toEqual([])
  })
})
