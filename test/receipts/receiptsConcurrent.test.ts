/**
 * Three issuers at once on one workspace — two `countersign receipts issue` processes and this
 * process — over 1,100 confirmed payouts (on PostgreSQL: three connections to one team database;
 * on SQLite: three processes on one file). The write lock serialises their transactions: the
 * numbers are 1..1100 with no hole and no duplicate, each payout has exactly one receipt, and the
 * three runs together issued exactly 1,100.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openReceiptDesk, payBatch } from '../../src/main/core/receipts/receiptTestKit'
import { newSecretHex } from '../../src/main/core/receipts/receiptCrypto'
import { RECEIPT_SECRET_NAME } from '../../src/main/core/receipts/receiptKeys'
import { issueReceipts } from '../../src/main/core/receipts/issueReceipts'
import { createMemorySecretStore, secretEnvName } from '../../src/main/core/secrets/SecretStore'
import { ALICE } from '../../src/main/core/payouts/batches/testKit'
import { BIN, envFor, REPO_ROOT, tempDir, type CliResult } from '../cli/cliHarness'

const PAYOUTS = 1_100
const KEY = newSecretHex()

let root: string
let dir: string

function issueInChild(): Promise<CliResult> {
  const args = ['--data-dir', dir, 'receipts', 'issue', '--as', 'Alice Preparer', '--json']
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: envFor(args, { [secretEnvName(RECEIPT_SECRET_NAME)]: KEY }),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

beforeAll(async () => {
  root = tempDir('countersign-receipts-concurrent-')
  dir = path.join(root, 'books')
  fs.mkdirSync(dir)
  const desk = await openReceiptDesk({ dir })
  try {
    await payBatch(
      desk,
      Array.from({ length: PAYOUTS }, (_, i) => ({ amount: `${i + 1}` })),
      { perTx: 250 },
    )
  } finally {
    await desk.close()
  }
}, 300_000)

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('concurrent issuers', () => {
  it('never leave a gap or a duplicate', async () => {
    // This process holds the same key (the key in the store of each desk).
    const desk = await openReceiptDesk({ dir, secrets: createMemorySecretStore({ [RECEIPT_SECRET_NAME]: KEY }) })
    try {
      const [a, b, here] = await Promise.all([
        issueInChild(),
        issueInChild(),
        issueReceipts(desk.core.ctx, { secrets: desk.secrets, actor: ALICE, perTxMax: 37, rails: () => desk.core.rails.load() }),
      ])
      expect(a.code, a.stderr).toBe(0)
      expect(b.code, b.stderr).toBe(0)
      const issuedBy = [JSON.parse(a.stdout) as { issued: number }, JSON.parse(b.stdout) as { issued: number }, here]
      expect(issuedBy.reduce((n, r) => n + r.issued, 0)).toBe(PAYOUTS)

      const db = desk.core.ctx.db
      const rows = await db.all(db.k.selectFrom('receipts').select(['number', 'payout_id', 'subject_key']).orderBy('number'))
      expect(rows.map((r) => Number(r.number))).toEqual(Array.from({ length: PAYOUTS }, (_, i) => i + 1))
      expect(new Set(rows.map((r) => r.payout_id)).size).toBe(PAYOUTS)
      const payouts = await db.all(db.k.selectFrom('payouts').select('id').where('state', '=', 'confirmed'))
      expect(new Set(rows.map((r) => r.payout_id))).toEqual(new Set(payouts.map((p) => p.id)))
      // One key, created once, even though three issuers could each have made it.
      const keys = await db.all(db.k.selectFrom('receipt_keys').selectAll())
      expect(keys).toHaveLength(1)
      const audit = await desk.core.api.call('audit.verify', {})
      expect(audit.ok).toBe(true)
    } finally {
      await desk.close()
    }
  })
})
