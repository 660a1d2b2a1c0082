/**
 * Operators prove who they are from the command line too: every change unlocks the --as operator
 * with THEIR passphrase ($COUNTERSIGN_PASSPHRASE, --passphrase-file, or a prompt on a terminal),
 * approvals are signatures, and `audit verify` / `operators verify` catch an approval slipped in
 * with SQL. In-process CLI runs on a real SQLite file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { beforeAll, describe, expect, it } from 'vitest'
import { ErrorPayloadSchema } from '../../src/shared/api'
import { BatchDetail, BatchSummary } from '../../src/shared/payoutsApi'
import { ImportPayoutCsvResult } from '../../src/shared/payoutImport'
import { KeyVerification } from '../../src/shared/operatorsApi'
import { openDb } from '../../src/main/core/db/openDb'
import { sqlAll, sqlRun } from '../dbSql'
import { initPayoutDesk, json, runCli, tempDir, type CliResult } from './cliHarness'

const ErrorOutput = z.object({ error: ErrorPayloadSchema }).strict()
const CSV = ['id,rail,network,asset,recipient,amount', 'inv-1,evm,8453,USDC,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,100.50'].join('\n')

let root: string
let dir: string
const alice = ['--as', 'Alice Preparer']
const bob = ['--as', 'Bob Approver']

function cli(args: string[], env?: Record<string, string>): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args], env ? { env } : {})
}

async function ok(args: string[], env?: Record<string, string>): Promise<CliResult> {
  const r = await cli(args, env)
  expect(r.code, r.stderr).toBe(0)
  return r
}

async function submittedBatch(name: string): Promise<{ id: string; version: number }> {
  const file = path.join(root, `${name}.csv`)
  fs.writeFileSync(file, CSV.replace('inv-1', `${name}-1`))
  const imported = ImportPayoutCsvResult.parse(json(await ok(['payouts', 'import', file, ...alice, '--name', name, '--json'])))
  const s = BatchSummary.parse(json(await ok(['batches', 'submit', imported.batchId!, ...alice, '--json'])))
  return { id: s.id, version: s.version }
}

beforeAll(async () => {
  root = tempDir()
  dir = path.join(root, 'books')
  await initPayoutDesk(dir)
})

describe('countersign operators: passphrases and signed approvals', () => {
  it("prepare as Alice, approve as Bob with Alice's passphrase: refused, nothing approved", async () => {
    const b = await submittedBatch('march')
    const r = await cli(['batches', 'approve', b.id, '--batch-version', String(b.version), ...bob, '--json'], {
      COUNTERSIGN_PASSPHRASE: 'alice-demo-passphrase',
    })
    expect(r.code).toBe(1)
    expect(ErrorOutput.parse(json(r)).error.code).toBe('PASSPHRASE_WRONG')
    expect(r.stdout + r.stderr).not.toContain('alice-demo-passphrase')
    const shown = BatchDetail.parse(json(await ok(['batches', 'show', b.id, '--json'])))
    expect(shown.approvals).toEqual([])
    expect(shown.batch.state).toBe('awaiting_approval')
  })

  it('a script without a passphrase is told where to put one; --passphrase-file works', async () => {
    const b = await submittedBatch('april')
    const none = await cli(['batches', 'approve', b.id, '--batch-version', String(b.version), ...bob], { COUNTERSIGN_PASSPHRASE: '' })
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/^error PASSPHRASE_REQUIRED: .*COUNTERSIGN_PASSPHRASE.*--passphrase-file/m)
    const file = path.join(root, 'bob.pass')
    fs.writeFileSync(file, 'bob-demo-passphrase\n', { mode: 0o600 })
    const approved = BatchDetail.parse(
      json(
        await ok(['batches', 'approve', b.id, '--batch-version', String(b.version), ...bob, '--passphrase-file', file, '--json'], {
          COUNTERSIGN_PASSPHRASE: '',
        }),
      ),
    )
    expect(approved.batch.state).toBe('approved')
    expect(approved.approvals).toMatchObject([{ operatorId: 'bob-approver', signature: 'verified' }])
    expect(approved.approvals[0]?.keyFingerprint).toMatch(/^ed25519:[0-9a-f]{4}( [0-9a-f]{4}){3}$/)
  })

  it('an approval inserted with SQL: audit verify and operators verify exit 1 and name it', async () => {
    const b = await submittedBatch('may')
    expect((await cli(['audit', 'verify'])).code).toBe(0)
    const db = await openDb({ dataDir: dir })
    try {
      await sqlRun(
        db,
        "INSERT INTO approvals (batch_id, version, operator_id, decision, comment, at) VALUES (?, ?, 'bob-approver', 'approve', NULL, ?)",
        b.id,
        b.version,
        new Date().toISOString(),
      )
    } finally {
      await db.close()
    }
    const audit = await cli(['audit', 'verify'])
    expect(audit.code).toBe(1)
    expect(audit.stderr + audit.stdout).toContain(`approval of batch ${b.id} version ${b.version} by bob-approver`)
    const keys = await cli(['operators', 'verify', '--json'])
    expect(keys.code).toBe(1)
    const v = KeyVerification.extend({ ok: z.boolean() }).parse(json(keys))
    expect(v.ok).toBe(false)
    expect(v.approvals.broken).toMatchObject([{ batchId: b.id, operatorId: 'bob-approver' }])
    expect(v.approvals.broken[0]?.problem).toContain('no signature')
  })

  it('keys are listed with fingerprints; the passphrase hash and sealed key never reach the output', async () => {
    const keys = await ok(['operators', 'keys', '--json'])
    const db = await openDb({ dataDir: dir })
    let secrets: string[]
    try {
      const ops = await sqlAll<{ passphrase: string }>(db, 'SELECT passphrase FROM operators')
      const sealed = await sqlAll<{ sealed_secret: string }>(db, 'SELECT sealed_secret FROM operator_keys')
      secrets = [
        ...ops.map((o) => (JSON.parse(o.passphrase) as { verifier: string }).verifier),
        ...sealed.map((k) => (JSON.parse(k.sealed_secret) as { ct: string }).ct),
      ]
    } finally {
      await db.close()
    }
    const outputs = [
      keys,
      await ok(['operators', 'list', '--json']),
      await ok(['audit', 'list', '--json']),
      await ok(['operators', 'list']),
    ]
    for (const out of outputs) for (const s of secrets) expect(out.stdout + out.stderr).not.toContain(s)
    expect(keys.stdout).toContain('"fingerprint":"ed25519:')
  })
})
