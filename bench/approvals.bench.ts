/**
 * What proving who you are costs (`npm run bench -- approvals`):
 *  - unlock: one scrypt at the parameters a real workspace uses (KDF_PARAMS), hashed and checked;
 *  - verifying the approvals of a 10,000-payout batch before it is signed (recompute the batch
 *    digest from the stored rows + check two ed25519 signatures + the policy), beside a baseline
 *    measured in the same run: reading the same rows and SHA-256 over the same bytes.
 * Printed as milliseconds and ratios, never asserted (the machine is shared and noisy).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { openDb } from '../src/main/core/db/openDb'
import { seedDefaultAssets } from '../src/main/core/ledger'
import { checkPassphrase, hashPassphrase, KDF_PARAMS } from '../src/main/core/operators/credentials'
import { checkBatchApprovals } from '../src/main/core/payouts/approvals/verifyBatchApprovals'
import { getBatchRow, payoutRowsOf } from '../src/main/core/payouts/batches/readBatch'
import { canonicalJson } from '../src/main/core/util/canonicalJson'
import { approveBatchForTest } from '../test/support/signedApprovals'
import { median } from './median'

const PAYOUTS = 10_000
const RUNS = 5

export interface ApprovalsBench {
  unlockMs: number
  hashMs: number
  params: string
  verifyMs: number
  baselineMs: number
  readMs: number
  valid: number
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

export async function runApprovalsBench(): Promise<ApprovalsBench> {
  // Unlock at the real parameters: hash once (setting a passphrase), then check (each unlock).
  const hashes: number[] = []
  const checks: number[] = []
  for (let i = 0; i < 3; i++) {
    let stored = ''
    hashes.push(
      await time(async () => (stored = JSON.stringify((await hashPassphrase('correct horse battery staple', KDF_PARAMS)).record))),
    )
    checks.push(await time(() => checkPassphrase(stored, 'correct horse battery staple')))
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-approvals-'))
  const db = await openDb({ dataDir: dir })
  const ctx: CoreContext = { db, clock: fixedClock('2026-03-01T10:00:00.000Z'), events: new CoreEvents() }
  try {
    await seedDefaultAssets(ctx)
    const now = '2026-03-01T09:00:00.000Z'
    await db.tx(async () => {
      await db.run(db.k.insertInto('operators').values({ id: 'maker', name: 'Maker', roles: '["preparer"]', created_at: now }))
      await db.run(
        db.k.insertInto('batches').values({
          id: 'b-10k',
          name: 'Ten thousand',
          state: 'awaiting_approval',
          version: 1,
          source: 'bench',
          created_by: 'maker',
          editors: '["maker"]',
          created_at: now,
          updated_at: now,
        }),
      )
      const rows = Array.from({ length: PAYOUTS }, (_, i) => [
        `p-${i}`,
        'b-10k',
        i + 1,
        'evm',
        '8453',
        'USDC@evm:8453',
        `0x${crypto.createHash('sha256').update(String(i)).digest('hex').slice(0, 40)}`,
        String(1_000_000 + i),
        null,
        `INV-${i}`,
        null,
        'pending',
        0,
        now,
        now,
      ])
      await db.insertRows(
        'payouts',
        [
          'id',
          'batch_id',
          'row_no',
          'rail',
          'network',
          'asset_id',
          'recipient',
          'amount',
          'memo',
          'reference',
          'name',
          'state',
          'attempt',
          'created_at',
          'updated_at',
        ],
        rows,
      )
    })
    await approveBatchForTest(ctx, 'b-10k', 'approver-1')
    await approveBatchForTest(ctx, 'b-10k', 'approver-2')
    const batch = await getBatchRow(ctx, 'b-10k')

    const verifies: number[] = []
    const baselines: number[] = []
    const reads: number[] = []
    let valid = 0
    for (let i = 0; i < RUNS; i++) {
      verifies.push(await time(async () => (valid = (await checkBatchApprovals(ctx, batch)).valid)))
      // Baseline: the same rows read and the same lines hashed, nothing else.
      reads.push(await time(() => payoutRowsOf(ctx, 'b-10k')))
      baselines.push(
        await time(async () => {
          const h = crypto.createHash('sha256')
          for (const p of await payoutRowsOf(ctx, 'b-10k'))
            h.update(canonicalJson([p.id, p.rail, p.network, p.asset_id, p.recipient, p.amount, p.memo, p.reference])).update('\n')
          return h.digest('hex')
        }),
      )
    }
    return {
      unlockMs: median(checks),
      hashMs: median(hashes),
      params: `scrypt N=2^${Math.log2(KDF_PARAMS.N)} r=${KDF_PARAMS.r} p=${KDF_PARAMS.p} (${(128 * KDF_PARAMS.N * KDF_PARAMS.r) / 2 ** 20} MiB)`,
      verifyMs: median(verifies),
      baselineMs: median(baselines),
      readMs: median(reads),
      valid,
    }
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export function printApprovalsBench(b: ApprovalsBench): void {
  console.log(`\nOperator credentials and signed approvals (median of ${RUNS}; unlock of 3)`)
  console.log(`  unlock (check a passphrase)          ${b.unlockMs.toFixed(0)} ms   ${b.params}`)
  console.log(`  set a passphrase (hash + salt)       ${b.hashMs.toFixed(0)} ms`)
  console.log(`  verify approvals of ${PAYOUTS} payouts   ${b.verifyMs.toFixed(1)} ms   (${b.valid} valid signatures)`)
  console.log(`  baseline: read rows + SHA-256 same bytes ${b.baselineMs.toFixed(1)} ms   (read alone ${b.readMs.toFixed(1)} ms)`)
  console.log(`  verify / baseline                    ${(b.verifyMs / b.baselineMs).toFixed(2)}×`)
}
