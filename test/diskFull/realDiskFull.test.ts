/**
 * A real full disk, where the machine allows it: a small tmpfs mounted for the test (needs root
 * and a kernel that lets this process mount; CI runners usually do not, and then this file is
 * skipped — importDiskFull.test.ts covers the same path everywhere with SQLite's own page limit).
 *
 * The WAL is checkpointed and truncated, then a filler file takes every free block: the next
 * commit must append frames to the WAL and the kernel answers ENOSPC — SQLite's SQLITE_FULL on
 * the WAL write, the failure the issue names. The import is refused as DISK_FULL, nothing is
 * stored, the books verify; once the filler is deleted the same import goes through.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedClock } from '../../src/main/core/context'
import { createCore, type Core } from '../../src/main/core/core'
import { addOperatorForTest } from '../../src/main/core/operators/operatorTestKit'
import { HEADER, NEW_A, NEW_B } from '../../src/main/core/payouts/import/importTestKit'
import { markNetworksSetUpForTest } from '../../src/main/core/payouts/import/networksTestKit'
import { sqlFirst } from '../dbSql'

/** Mounts a tmpfs of `size`, or null when this machine does not let the test mount. */
function mountTmpfs(size: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-full-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' })
    return dir
  } catch {
    fs.rmdirSync(dir)
    return null
  }
}

// The workspace must be the SQLite file on the mount: not on the PostgreSQL pass.
const mount = process.env.COUNTERSIGN_TEST_DB === 'postgres' ? null : mountTmpfs('16m')

describe.skipIf(mount === null)('a real full disk (tmpfs)', () => {
  const dir = mount!
  const filler = path.join(dir ?? '', 'filler')
  let core: Core
  let operatorId: string

  beforeAll(async () => {
    core = await createCore({ dataDir: path.join(dir, 'workspace'), clock: fixedClock('2026-02-01T10:00:00.000Z') })
    operatorId = (await addOperatorForTest(core.api, { name: 'Ada Admin', roles: ['admin', 'preparer'] })).id
    await markNetworksSetUpForTest(core.ctx, { evm: [8453] })
  })
  afterAll(async () => {
    await core?.close()
    execFileSync('umount', [dir])
    fs.rmdirSync(dir)
  })

  /** Every free block of the file system taken; the WAL emptied first, so the next commit must grow it. */
  async function fillTheDisk(): Promise<void> {
    await core.ctx.db.first(sql.raw('PRAGMA wal_checkpoint(TRUNCATE)'))
    const fd = fs.openSync(filler, 'w')
    const block = Buffer.alloc(64 * 1024)
    try {
      for (;;) fs.writeSync(fd, block)
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ENOSPC')
    }
    try {
      for (;;) fs.writeSync(fd, block, 0, 512)
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ENOSPC')
    } finally {
      fs.closeSync(fd)
    }
  }

  async function count(table: 'batches' | 'payouts' | 'audit_log'): Promise<number> {
    return Number((await sqlFirst<{ n: number }>(core.ctx.db, `SELECT COUNT(*) AS n FROM ${table}`))!.n)
  }

  it('a CSV import on a full disk is refused as DISK_FULL (SQLITE_FULL on the WAL write), stores nothing, and goes through once space is back', async () => {
    const meta = { operatorId }
    const csv = [HEADER, `r-1,evm,8453,ETH,${NEW_A},1.000000000000000001,,INV-1,Anna`, `r-2,evm,8453,USDC,${NEW_B},12.5,,INV-2,Ben`].join(
      '\n',
    )
    const before = { batches: await count('batches'), payouts: await count('payouts'), audit: await count('audit_log') }
    await fillTheDisk()

    const error = await core.api.call('payouts.import', { csv, fileName: 'april.csv' }, meta).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'DISK_FULL', details: { reason: 'full' } })
    expect((error as Error).message).toMatch(/the disk is full\. The change was not saved — free disk space/)
    expect({ batches: await count('batches'), payouts: await count('payouts'), audit: await count('audit_log') }).toEqual(before)
    expect(await core.api.call('audit.verify', {}, meta)).toMatchObject({ ok: true })

    fs.rmSync(filler)
    const r = await core.api.call('payouts.import', { csv, fileName: 'april.csv' }, meta)
    expect(r.issues).toEqual([])
    const stored = await core.ctx.db.all(
      core.ctx.db.k.selectFrom('payouts').select(['id', 'amount']).where('batch_id', '=', r.batchId!).orderBy('row_no'),
    )
    expect(stored).toEqual([
      { id: 'r-1', amount: '1000000000000000001' },
      { id: 'r-2', amount: '12500000' },
    ])
    expect(await core.api.call('audit.verify', {}, meta)).toMatchObject({ ok: true })
  })
})
