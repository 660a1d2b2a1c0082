/**
 * `countersign backup` and `countersign restore` through the CLI on a sandbox workspace whose
 * batches were really paid (the Stripe-compatible harness beside it): a backup, more paid work,
 * a restore refused while the sandbox has the workspace open, then the restore — which says how
 * many audit rows it rolls back, keeps the replaced database, records itself in the audit log
 * and leaves a chain that verifies — and the way back by restoring the replaced file.
 * Also: `info`, `audit verify` and `init` on a 0-byte database exit non-zero with DB_CORRUPT, and
 * a team workspace refuses both commands (its administrator backs it up with pg_dump).
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_STRIPE_ACCOUNTS } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import { openSqliteDb } from '../../src/main/core/db/sqlite/openSqliteDb'
import { readHeadFile } from '../../src/main/core/db/sqlite/workspaceHead'
import { Backup, BackupList } from '../../src/shared/backupsApi'
import { AuditVerification } from '../../src/shared/workspaceApi'
import { importApproveExecute, json, pollUntilState, runCli, tempDir, type CliResult } from '../cli/cliHarness'

const RestoreOutput = z
  .object({
    restored: z.object({ file: z.string(), auditHead: z.object({ seq: z.number(), hash: z.string() }) }),
    previous: z.object({ auditHead: z.object({ seq: z.number(), hash: z.string() }) }).nullable(),
    lostAuditRows: z.number().nullable(),
    replacedFile: z.string().nullable(),
    auditHead: z.object({ seq: z.number(), hash: z.string() }),
    workspaceId: z.string(),
  })
  .strict()

let root: string
let dir: string
let sb: Sandbox | null = null

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args])
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, r.stderr).toBe(0)
  return r
}

async function payBatch(tag: string): Promise<string> {
  const csv = [
    'id,rail,network,asset,recipient,amount,memo',
    `${tag}-1,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.freelancer},12.34,${tag}`,
    `${tag}-2,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.studio},5.00,${tag}`,
  ].join('\n')
  const file = path.join(root, `${tag}.csv`)
  fs.writeFileSync(file, csv)
  const { id } = await importApproveExecute(ok, file)
  expect(await pollUntilState(ok, id, 'completed')).toBe('completed')
  return id
}

async function verified(): Promise<z.infer<typeof AuditVerification>> {
  const v = AuditVerification.parse(json(await ok('audit', 'verify', '--json')))
  expect(v.ok).toBe(true)
  return v
}

async function batchStates(): Promise<Record<string, string>> {
  const list = json(await ok('batches', 'list', '--json')) as { id: string; state: string }[] | { batches: { id: string; state: string }[] }
  const batches = Array.isArray(list) ? list : list.batches
  return Object.fromEntries(batches.map((b) => [b.id, b.state]))
}

beforeAll(async () => {
  root = tempDir('countersign-restore-')
  dir = path.join(root, 'sandbox')
  // A single-desk workspace on either test pass: the file exists before the sandbox opens it.
  await (await openSqliteDb({ dataDir: dir })).close()
  sb = await sandboxUp({ dataDir: dir, services: [createStripeService()], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
}, 90_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('countersign backup / restore on a sandbox with paid batches', () => {
  it('backs up, refuses to restore under a running sandbox, restores (saying what it rolls back) and restores back', async () => {
    const paidBefore = await payBatch('bk-a')
    const backup = Backup.parse(json(await ok('backup', '--json')))
    expect(fs.statSync(backup.path).size).toBe(backup.bytes)
    expect(backup.auditHead).toEqual({ seq: (await verified()).headSeq, hash: (await verified()).headHash })
    const listed = BackupList.parse(json(await ok('backup', 'list', '--json')))
    expect(listed).toMatchObject({ backend: 'sqlite', folder: path.join(dir, 'backups'), keepDays: 14, keptMin: 3 })
    expect(listed.backups[0]).toEqual(backup)

    const paidAfter = await payBatch('bk-b')
    const before = await verified()
    expect(before.headSeq).toBeGreaterThan(backup.auditHead!.seq)

    // The sandbox (this process's core) has the workspace open: refused, nothing touched.
    const inUse = await cli('restore', backup.name)
    expect(inUse.code).toBe(1)
    expect(inUse.stderr).toMatch(/^error WORKSPACE_IN_USE: /)
    expect(fs.readdirSync(dir).filter((f) => f.includes('.replaced-'))).toEqual([])
    expect((await verified()).headSeq).toBe(before.headSeq)

    await sb!.stop()
    sb = null
    const restored = RestoreOutput.parse(json(await ok('restore', backup.name, '--json')))
    expect(restored).toMatchObject({
      restored: { file: backup.path, auditHead: backup.auditHead },
      previous: { auditHead: { seq: before.headSeq, hash: before.headHash } },
      lostAuditRows: before.headSeq - backup.auditHead!.seq,
      auditHead: { seq: backup.auditHead!.seq + 1 },
    })
    expect(fs.existsSync(restored.replacedFile!)).toBe(true)
    expect(readHeadFile(dir)).toMatchObject({ workspaceId: restored.workspaceId, auditHead: restored.auditHead })

    const after = await verified()
    expect({ seq: after.headSeq, hash: after.headHash }).toEqual(restored.auditHead)
    const last = (json(await ok('audit', 'list', '--limit', '1', '--json')) as { rows: { action: string; change: unknown }[] }).rows[0]!
    expect(last.action).toBe('workspace.restore')
    expect(last.change).toMatchObject({ backup: backup.name, restoredSeq: backup.auditHead!.seq, previousSeq: before.headSeq })
    const states = await batchStates()
    expect(states[paidBefore]).toBe('completed')
    expect(states[paidAfter]).toBeUndefined()

    // The replaced database is a restorable file too: back to where it was, plus both restores' rows.
    const back = await ok('restore', restored.replacedFile!)
    expect(back.stdout).toContain('rolled back  nothing')
    expect(back.stdout).toContain(`now          audit row ${before.headSeq + 1}`)
    expect((await batchStates())[paidAfter]).toBe('completed')
    expect((await verified()).headSeq).toBe(before.headSeq + 1)

    // And as a person reads it: which rows an older backup rolls back.
    const again = await ok('restore', backup.name)
    const lost = before.headSeq + 1 - backup.auditHead!.seq
    expect(again.stdout).toContain(
      `rolled back  audit rows ${backup.auditHead!.seq + 1}–${before.headSeq + 1} (${lost} rows) are not in the restored books`,
    )
    expect(again.stdout).toContain('Check those payouts on their rails before paying anything again.')
  }, 120_000)
})

describe('what the CLI says about damage', () => {
  it('info, audit verify and init on a 0-byte database exit 1 with DB_CORRUPT; the file stays empty', async () => {
    const broken = path.join(root, 'zero')
    await (await openSqliteDb({ dataDir: broken })).close()
    fs.truncateSync(path.join(broken, 'countersign.sqlite'), 0)
    for (const args of [['info'], ['audit', 'verify'], ['init', '--admin', 'Dana Admin']]) {
      const r = await runCli(['--data-dir', broken, ...args])
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(/^error DB_CORRUPT: The workspace database countersign\.sqlite is empty \(0 bytes\)/)
    }
    const asJson = await runCli(['--data-dir', broken, 'info', '--json'])
    expect(asJson.code).toBe(1)
    expect(json(asJson)).toEqual({
      error: { code: 'DB_CORRUPT', message: expect.stringContaining('0 bytes'), details: { reason: 'empty', latestBackup: null } },
    })
    expect(fs.statSync(path.join(broken, 'countersign.sqlite')).size).toBe(0)
  })

  it('a team workspace refuses backup and restore: its database administrator uses pg_dump', async () => {
    const team = path.join(root, 'team')
    fs.mkdirSync(team)
    fs.writeFileSync(
      path.join(team, 'workspace.json'),
      JSON.stringify({ database: { backend: 'postgres', url: 'postgres://treasury@127.0.0.1:1/books' } }),
    )
    for (const args of [['backup'], ['restore', 'countersign-20260101T000000Z.sqlite']]) {
      const r = await runCli(['--data-dir', team, ...args])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/^error BACKUP_UNSUPPORTED: .*pg_dump/)
    }
  })
})
