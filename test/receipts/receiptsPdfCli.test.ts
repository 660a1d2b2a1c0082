/**
 * `countersign receipts pdf` and `receipts zip` on a real workspace: a small paid batch, its
 * receipts issued, then PDFs written atomically with their SHA-256 printed, a remittance advice,
 * and the batch's ZIP — each file holding the receipt files `loadReceiptFile` hands out.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readEmbeddedReceiptJson, readEmbeddedReceiptJsons } from '../../src/main/core/receipts/pdf/readReceiptPdf'
import { newSecretHex } from '../../src/main/core/receipts/receiptCrypto'
import { RECEIPT_SECRET_NAME } from '../../src/main/core/receipts/receiptKeys'
import { openReceiptDesk, payBatch } from '../../src/main/core/receipts/receiptTestKit'
import { createMemorySecretStore, secretEnvName } from '../../src/main/core/secrets/SecretStore'
import { json, runCli, tempDir, type CliResult } from '../cli/cliHarness'

const KEY_ENV = secretEnvName(RECEIPT_SECRET_NAME)
const PAYEE = 'Zoë Müller'

let root: string
let dir: string
let batchId: string

async function ok(...args: string[]): Promise<CliResult> {
  const r = await runCli(['--data-dir', dir, ...args])
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

beforeAll(async () => {
  root = tempDir('countersign-receipts-pdf-')
  dir = path.join(root, 'books')
  fs.mkdirSync(dir)
  const desk = await openReceiptDesk({ dir, secrets: createMemorySecretStore() })
  try {
    const rows = [1, 2, 3].map((i) => ({ amount: `${i}00.5`, name: PAYEE, recipient: `0x${'1'.repeat(39)}${i}`, reference: `INV-${i}` }))
    batchId = (await payBatch(desk, rows, { perTx: 3, name: 'PDF batch' })).batchId
  } finally {
    await desk.close()
  }
  process.env[KEY_ENV] = newSecretHex()
  await ok('receipts', 'issue', '--as', 'Alice Preparer')
}, 300_000)

afterAll(() => {
  delete process.env[KEY_ENV]
  fs.rmSync(root, { recursive: true, force: true })
})

describe('receipts pdf / zip', () => {
  it('writes one PDF per receipt and prints each path with its SHA-256', async () => {
    const out = path.join(root, 'pdfs')
    const result = json(await ok('receipts', 'pdf', '1', '2', '--out', out, '--json')) as {
      files: { path: string; bytes: number; sha256: string; receipts: string[] }[]
    }
    expect(result.files).toHaveLength(2)
    for (const f of result.files) {
      expect(path.dirname(f.path)).toBe(path.resolve(out))
      expect(sha256(f.path)).toBe(f.sha256)
      expect(fs.statSync(f.path).size).toBe(f.bytes)
      const embedded = JSON.parse(readEmbeddedReceiptJson(fs.readFileSync(f.path))!) as {
        receipt: { displayNumber: string; payee: { name: string } }
      }
      expect([embedded.receipt.displayNumber]).toEqual(f.receipts)
      expect(embedded.receipt.payee.name).toBe(PAYEE)
    }
    // Nothing but the PDFs: no temporary file left behind.
    expect(fs.readdirSync(out).sort()).toEqual(result.files.map((f) => path.basename(f.path)).sort())
    // The same receipt written again is the same file.
    const again = json(await ok('receipts', 'pdf', '1', '--out', out, '--json')) as { files: { sha256: string }[] }
    expect(again.files[0]!.sha256).toBe(result.files[0]!.sha256)
  })

  it('writes a remittance advice with every payment attached', async () => {
    const out = path.join(root, 'remittance')
    const result = json(await ok('receipts', 'pdf', '1', '2', '3', '--remittance', '--out', out, '--json')) as {
      files: { path: string; receipts: string[] }[]
    }
    expect(result.files).toHaveLength(1)
    expect(readEmbeddedReceiptJsons(fs.readFileSync(result.files[0]!.path))).toHaveLength(3)
  })

  it("zips the batch's receipts", async () => {
    const out = path.join(root, 'batch.zip')
    const result = json(await ok('receipts', 'zip', '--batch', batchId, '--out', out, '--json')) as {
      path: string
      files: number
      bytes: number
      sha256: string
    }
    expect(result).toMatchObject({ path: out, files: 3, bytes: fs.statSync(out).size, sha256: sha256(out) })
    const names = new Set(
      fs
        .readFileSync(out)
        .toString('latin1')
        .match(/receipt-[A-Za-z0-9._-]+?\.pdf/g),
    )
    expect(names.size).toBe(3)
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('refuses what is not a receipt number', async () => {
    const r = await runCli(['--data-dir', dir, 'receipts', 'pdf', 'CS-1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('not a receipt number')
  })
})
