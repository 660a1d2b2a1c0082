/**
 * The head file follows the audit head durably and never moves backwards: after every audited
 * commit it names the database's committed head; with three processes committing to one workspace
 * at once it only ever grows and ends at the newest head; a writer that is behind never lowers it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { appendAudit, readAuditHead } from '../../src/main/core/audit/appendAudit'
import { CoreEvents, fixedClock, type CoreContext } from '../../src/main/core/context'
import type { Db } from '../../src/main/core/db/Db'
import { openSqliteDb } from '../../src/main/core/db/sqlite/openSqliteDb'
import { readHeadFile, writeHeadFile } from '../../src/main/core/db/sqlite/workspaceHead'

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'headWriterChild.ts')
const ROWS_EACH = 40

const dirs: string[] = []
const dbs: Db[] = []
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close()
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

async function workspace(): Promise<{ dir: string; ctx: CoreContext }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-head-'))
  dirs.push(dir)
  const db = await openSqliteDb({ dataDir: dir })
  dbs.push(db)
  return { dir, ctx: { db, clock: fixedClock(), events: new CoreEvents() } }
}

async function append(ctx: CoreContext, subject: string): Promise<void> {
  await ctx.db.tx(() => appendAudit(ctx, { actor: 'test', action: 'test.append', subject, change: null }))
}

describe('the workspace head file', () => {
  it('is written when a workspace is created and follows every audited commit', async () => {
    const { dir, ctx } = await workspace()
    expect(readHeadFile(dir)!.auditHead.seq).toBe(0)
    for (let i = 1; i <= 3; i++) {
      await append(ctx, `row:${i}`)
      expect(readHeadFile(dir)!.auditHead).toEqual(await readAuditHead(ctx))
    }
    // A commit that appends no audit row leaves it as it was.
    const before = fs.readFileSync(path.join(dir, 'countersign.head.json'), 'utf8')
    await ctx.db.tx(() => ctx.db.run(ctx.db.k.updateTable('meta').set({ value: 'x' }).where('key', '=', 'no-such-key')))
    expect(fs.readFileSync(path.join(dir, 'countersign.head.json'), 'utf8')).toBe(before)
  })

  it('a writer behind the file never lowers it', async () => {
    const { dir, ctx } = await workspace()
    await append(ctx, 'row:1')
    const head = readHeadFile(dir)!
    // As if another process had committed further and recorded it.
    writeHeadFile(dir, { workspaceId: head.workspaceId, seq: 50, hash: 'a'.repeat(64) })
    await append(ctx, 'row:2')
    expect(readHeadFile(dir)!.auditHead).toEqual({ seq: 50, hash: 'a'.repeat(64) })
  })

  it('two processes committing at once: the file only grows and ends at the newest head', async () => {
    const { dir, ctx } = await workspace()
    const writers = [0, 1].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(ROWS_EACH)], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
      const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
      return { ready, exited, stderr: () => stderr }
    })
    await Promise.all(writers.map((w) => w.ready))
    // This process watches the file as fast as it can read it while the two write; it also commits.
    let done = false
    void Promise.all(writers.map((w) => w.exited)).then(() => (done = true))
    const seen: number[] = []
    let appended = 0
    while (!done || appended < ROWS_EACH) {
      if (appended < ROWS_EACH) await append(ctx, `parent:${appended++}`)
      for (let i = 0; i < 20; i++) seen.push(readHeadFile(dir)!.auditHead.seq)
      await new Promise((resolve) => setImmediate(resolve))
    }
    for (const w of writers) expect(await w.exited, w.stderr()).toBe(0)
    const backwards = seen.findIndex((seq, i) => i > 0 && seq < seen[i - 1]!)
    expect(backwards, `the file went from ${seen[backwards - 1]} back to ${seen[backwards]}`).toBe(-1)
    const final = await readAuditHead(ctx)
    expect(final.seq).toBe(3 * ROWS_EACH)
    expect(readHeadFile(dir)!.auditHead).toEqual(final)
  }, 120_000)
})
