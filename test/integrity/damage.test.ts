/**
 * Damage and rollback are never silent (issue 13, item 8), on real SQLite files through the real
 * core: an emptied database, a database replaced by an older copy or by another, a write-ahead
 * log with one flipped byte, a missing database and a damaged page are each refused when the core
 * opens — DB_CORRUPT or DB_ROLLED_BACK, naming the latest backup — and the refused files are left
 * byte for byte as they were (nothing re-initialised, nothing migrated, nothing checkpointed).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src/main/core/core'
import { CoreEvents, fixedClock } from '../../src/main/core/context'
import { readAuditHead } from '../../src/main/core/audit/appendAudit'
import { postEntries } from '../../src/main/core/ledger'
import { openAccount, TEST_ACTOR } from '../../src/main/core/ledger/testKit'
import { openSqliteDb } from '../../src/main/core/db/sqlite/openSqliteDb'
import { createBackup } from '../../src/main/core/db/backups/createBackup'
import { listBackupFiles } from '../../src/main/core/db/backups/backupFiles'
import { HEAD_FILE_NAME, readHeadFile } from '../../src/main/core/db/sqlite/workspaceHead'
import { CsError } from '../../src/shared/errors'

const DB = 'countersign.sqlite'
/** Size of a WAL frame header (SQLite file format, §4.1). */
const WAL_FRAME_HEADER_BYTES = 24
const WAL_HEADER_BYTES = 32

const dirs: string[] = []
const cores: Core[] = []
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close()
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-integrity-'))
  dirs.push(dir)
  return dir
}

/** A single-desk workspace (SQLite even on the PostgreSQL test pass: the file exists before the core opens). */
async function newWorkspace(dir = tempDir()): Promise<string> {
  await (await openSqliteDb({ dataDir: dir })).close()
  return dir
}

async function open(dir: string): Promise<Core> {
  const core = await createCore({ dataDir: dir, clock: fixedClock('2026-03-02T10:00:00.000Z'), resumeOnStart: false })
  cores.push(core)
  return core
}

async function close(core: Core): Promise<void> {
  cores.splice(cores.indexOf(core), 1)
  await core.close()
}

let accountsMade = 0
/** `n` audited changes: an account pair, then transfers between them (one transaction each). */
async function work(core: Core, n: number): Promise<void> {
  const tag = `a${++accountsMade}`
  await openAccount(core.ctx, `${tag}-world`, 'external', 'USDC@evm:1')
  await openAccount(core.ctx, `${tag}-treasury`, 'treasury', 'USDC@evm:1')
  for (let i = 0; i < n; i++) {
    await postEntries(
      core.ctx,
      TEST_ACTOR,
      [
        {
          id: `${tag}-t${i}`,
          description: `transfer ${i}`,
          postings: [
            { account: `${tag}-treasury`, debit: '1' },
            { account: `${tag}-world`, credit: '1' },
          ],
        },
      ],
      { kind: 'manual' },
    )
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/** The CsError the core's open fails with. */
async function refusal(dir: string): Promise<CsError> {
  const error = await open(dir).then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CsError)
  return error as CsError
}

describe('a damaged or rolled-back workspace database is refused when the core opens', () => {
  it('a 0-byte database → DB_CORRUPT naming the latest backup; the file stays 0 bytes, with or without the head file', async () => {
    const dir = await newWorkspace()
    const core = await open(dir)
    await work(core, 3)
    await close(core)
    // The next open takes the daily backup (there is none yet and the books are not empty).
    await close(await open(dir))
    const latest = listBackupFiles(dir)[0]!.name
    fs.truncateSync(path.join(dir, DB), 0)

    const error = await refusal(dir)
    expect(error.code).toBe('DB_CORRUPT')
    expect(error.message).toContain('empty (0 bytes)')
    expect(error.message).toContain(`countersign restore ${latest}`)
    expect(error.details).toEqual({ reason: 'empty', latestBackup: latest })
    expect(fs.statSync(path.join(dir, DB)).size).toBe(0)
    expect(fs.existsSync(path.join(dir, `${DB}-wal`))).toBe(false)

    // An empty file is never a new workspace, head file or not.
    fs.rmSync(path.join(dir, HEAD_FILE_NAME))
    expect((await refusal(dir)).code).toBe('DB_CORRUPT')
    expect(fs.statSync(path.join(dir, DB)).size).toBe(0)
  })

  it('a database replaced by an older copy of itself → DB_ROLLED_BACK naming the backup; the copy is left untouched', async () => {
    const dir = await newWorkspace()
    let core = await open(dir)
    await work(core, 2)
    await close(core)
    const older = path.join(tempDir(), 'older.sqlite')
    fs.copyFileSync(path.join(dir, DB), older)
    core = await open(dir)
    await work(core, 3)
    const committed = await readAuditHead(core.ctx)
    createBackup({ dataDir: dir, now: new Date('2026-03-02T11:00:00.000Z') })
    await close(core)

    fs.copyFileSync(older, path.join(dir, DB))
    const before = sha256(path.join(dir, DB))
    const error = await refusal(dir)
    expect(error.code).toBe('DB_ROLLED_BACK')
    expect(error.details).toMatchObject({
      reason: 'older',
      committedSeq: committed.seq,
      latestBackup: 'countersign-20260302T110000Z.sqlite',
    })
    expect((error.details as { databaseSeq: number }).databaseSeq).toBeLessThan(committed.seq)
    expect(error.message).toContain('countersign restore countersign-20260302T110000Z.sqlite')
    expect(sha256(path.join(dir, DB))).toBe(before)
    expect(readHeadFile(dir)!.auditHead).toEqual(committed)
  })

  it('a copy that went on separately (same workspace, another history) or another workspace → DB_ROLLED_BACK, replaced', async () => {
    const dir = await newWorkspace()
    let core = await open(dir)
    await work(core, 1)
    await close(core)
    // The fork: the same file carried on in another folder, further than this one.
    const fork = tempDir()
    fs.copyFileSync(path.join(dir, DB), path.join(fork, DB))
    const forkCore = await open(fork)
    await work(forkCore, 4)
    await close(forkCore)
    core = await open(dir)
    await work(core, 1)
    await close(core)

    fs.copyFileSync(path.join(fork, DB), path.join(dir, DB))
    const forked = await refusal(dir)
    expect(forked.code).toBe('DB_ROLLED_BACK')
    expect(forked.details).toMatchObject({ reason: 'replaced' })
    expect(forked.message).toMatch(/audit row \d+ differs/)

    const other = await newWorkspace()
    const otherCore = await open(other)
    await work(otherCore, 9)
    await close(otherCore)
    fs.copyFileSync(path.join(other, DB), path.join(dir, DB))
    const replaced = await refusal(dir)
    expect(replaced.code).toBe('DB_ROLLED_BACK')
    expect(replaced.message).toContain('belongs to another workspace')
  })

  it('one flipped byte in the last frame of the write-ahead log → DB_ROLLED_BACK; nothing re-initialised or checkpointed', async () => {
    const dir = await newWorkspace()
    const core = await open(dir)
    await work(core, 2)
    createBackup({ dataDir: dir, now: new Date('2026-03-02T10:30:00.000Z') })
    await work(core, 2)
    // The last write must be the books' own: a change the core emits is followed by its row in
    // the change feed (sqlite/sqliteChanges.ts), and losing only that row loses no books.
    await work({ ...core, ctx: { ...core.ctx, events: new CoreEvents() } }, 1)
    const committed = await readAuditHead(core.ctx)
    // The crash image: the files as they are on disk while the app runs (no checkpoint yet).
    const image = tempDir()
    fs.copyFileSync(path.join(dir, DB), path.join(image, DB))
    fs.copyFileSync(path.join(dir, `${DB}-wal`), path.join(image, `${DB}-wal`))
    fs.copyFileSync(path.join(dir, HEAD_FILE_NAME), path.join(image, HEAD_FILE_NAME))
    fs.cpSync(path.join(dir, 'backups'), path.join(image, 'backups'), { recursive: true })
    await close(core)

    const wal = path.join(image, `${DB}-wal`)
    const walBytes = fs.readFileSync(wal)
    const pageBytes = walBytes.readUInt32BE(8)
    const frames = (walBytes.length - WAL_HEADER_BYTES) / (WAL_FRAME_HEADER_BYTES + pageBytes)
    expect(Number.isInteger(frames) && frames > 1).toBe(true)
    // One byte inside the last frame's page: its checksum no longer matches.
    const at = walBytes.length - pageBytes / 2
    walBytes.writeUInt8(walBytes.readUInt8(at) ^ 0x01, at)
    fs.writeFileSync(wal, walBytes)
    const [dbBefore, walBefore] = [sha256(path.join(image, DB)), sha256(wal)]

    const error = await refusal(image)
    expect(error.code).toBe('DB_ROLLED_BACK')
    expect(error.details).toMatchObject({
      reason: 'older',
      committedSeq: committed.seq,
      latestBackup: 'countersign-20260302T103000Z.sqlite',
    })
    expect(error.message).toContain('write-ahead log was lost or damaged')
    expect([sha256(path.join(image, DB)), sha256(wal)]).toEqual([dbBefore, walBefore])

    // What the head file guards against: without it SQLite opens the image silently, the last commit gone.
    fs.rmSync(path.join(image, HEAD_FILE_NAME))
    const silent = await open(image)
    expect((await readAuditHead(silent.ctx)).seq).toBeLessThan(committed.seq)
  })

  it('a missing database where the folder had a workspace → DB_CORRUPT, and no new database is made', async () => {
    const dir = await newWorkspace()
    const core = await open(dir)
    await work(core, 1)
    await close(core)
    fs.rmSync(path.join(dir, DB))
    const error = await refusal(dir)
    expect(error.code).toBe('DB_CORRUPT')
    expect(error.details).toMatchObject({ reason: 'missing' })
    expect(error.message).toContain('There is no backup')
    expect(fs.existsSync(path.join(dir, DB))).toBe(false)
  })

  it("a damaged page (a table's root page overwritten) → DB_CORRUPT from quick_check", async () => {
    const dir = await newWorkspace()
    const core = await open(dir)
    await work(core, 2)
    await close(core)
    const file = path.join(dir, DB)
    const bytes = fs.readFileSync(file)
    const pageBytes = bytes.readUInt16BE(16) === 1 ? 65_536 : bytes.readUInt16BE(16)
    // Page 2 onwards hold tables and indexes; fill one whole page with noise.
    bytes.fill(0xa5, pageBytes, 2 * pageBytes)
    fs.writeFileSync(file, bytes)
    const error = await refusal(dir)
    expect(error.code).toBe('DB_CORRUPT')
    expect(error.details).toMatchObject({ reason: 'integrity' })
    expect(sha256(file)).toBe(createHash('sha256').update(bytes).digest('hex'))
  })

  it('a damaged head file is refused too (it cannot vouch for the database), with what to do', async () => {
    const dir = await newWorkspace()
    fs.writeFileSync(path.join(dir, HEAD_FILE_NAME), '{"version":1,"workspaceId":')
    const error = await refusal(dir)
    expect(error.code).toBe('WORKSPACE_FILE_INVALID')
    expect(error.message).toContain(`delete ${HEAD_FILE_NAME}`)
  })

  it('a workspace from before head files opens without alarm, and gets a head file and a workspace id', async () => {
    const dir = await newWorkspace()
    let core = await open(dir)
    await work(core, 2)
    const head = await readAuditHead(core.ctx)
    await close(core)
    fs.rmSync(path.join(dir, HEAD_FILE_NAME))
    core = await open(dir)
    const written = readHeadFile(dir)!
    expect(written.auditHead).toEqual(head)
    expect(written.workspaceId).toMatch(/^ws_[0-9a-f]{32}$/)
    await work(core, 1)
    expect(readHeadFile(dir)!.auditHead).toEqual(await readAuditHead(core.ctx))
  })
})
