/**
 * `countersign receipts …` on a real workspace with 1,200 confirmed payouts (played through the
 * engine, receiptTestKit.ts). The receipt run is SIGKILLed twice — inside its second transaction
 * (receipts inserted, not committed) and right after its second commit — and run again: the
 * numbers are 1..1200 with no hole and no duplicate, one receipt per payout, each verifying, and
 * the audit chain holds. Then the commands people use: list, show --save, verify (in the
 * workspace, and on a machine with no workspace against the exported public key file), key
 * export, settings organisation. The key comes from the environment, as in CI.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ReceiptPage, ReceiptVerification } from '../../src/shared/receiptsApi'
import { openReceiptDesk, payBatch } from '../../src/main/core/receipts/receiptTestKit'
import { newSecretHex } from '../../src/main/core/receipts/receiptCrypto'
import { createMemorySecretStore, secretEnvName } from '../../src/main/core/secrets/SecretStore'
import { RECEIPT_SECRET_NAME } from '../../src/main/core/receipts/receiptKeys'
import { CRASH_ENV } from '../../src/main/core/util/crashPoint'
import { openDb } from '../../src/main/core/db/openDb'
import { BIN, envFor, json, REPO_ROOT, runCli, tempDir, type CliResult } from '../cli/cliHarness'

const PAYOUTS = 1_200
const KEY_ENV = secretEnvName(RECEIPT_SECRET_NAME)
const KEY = newSecretHex()
const ALICE = ['--as', 'Alice Preparer']

let root: string
let dir: string
let payoutIds: string[]

function killedAt(crashAt: string, args: string[]): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: envFor(args, { [CRASH_ENV]: crashAt, [KEY_ENV]: KEY }),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }))
  })
}

async function cli(...args: string[]): Promise<CliResult> {
  return await runCli(['--data-dir', dir, ...args])
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

/** Receipt numbers and payout ids as stored, straight from the books. */
async function stored(): Promise<{ numbers: number[]; payouts: string[] }> {
  const db = await openDb({ dataDir: dir })
  try {
    const rows = await db.all(db.k.selectFrom('receipts').select(['number', 'payout_id']).orderBy('number'))
    return { numbers: rows.map((r) => Number(r.number)), payouts: rows.map((r) => r.payout_id ?? '') }
  } finally {
    await db.close()
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

beforeAll(async () => {
  root = tempDir('countersign-receipts-cli-')
  dir = path.join(root, 'books')
  fs.mkdirSync(dir)
  const desk = await openReceiptDesk({ dir, secrets: createMemorySecretStore() })
  try {
    payoutIds = (
      await payBatch(
        desk,
        Array.from({ length: PAYOUTS }, (_, i) => ({
          amount: `${i + 1}.25`,
          name: i === 7 ? 'Zoë Müller-Lüdenscheidt' : `Payee ${i}`,
          reference: `INV-${10_000 + i}`,
        })),
        { perTx: 300, name: 'Twelve hundred' },
      )
    ).payoutIds
  } finally {
    await desk.close()
  }
  // In-process runs read secrets from this process's environment, as the CLI does.
  process.env[KEY_ENV] = KEY
}, 300_000)

afterAll(() => {
  delete process.env[KEY_ENV]
  fs.rmSync(root, { recursive: true, force: true })
})

describe('receipts issue through SIGKILLs', () => {
  it('keeps the numbers gap-free and every payout receipted once', async () => {
    const inside = await killedAt('receipt-issue-before-commit:2', ['--data-dir', dir, 'receipts', 'issue', ...ALICE])
    expect(inside.signal, inside.stderr).toBe('SIGKILL')
    // The first transaction (500) committed; the second died inside its transaction and left nothing.
    expect((await stored()).numbers).toEqual(range(1, 500))

    const between = await killedAt('receipt-issue-after-commit:1', ['--data-dir', dir, 'receipts', 'issue', ...ALICE])
    expect(between.signal, between.stderr).toBe('SIGKILL')
    expect((await stored()).numbers).toEqual(range(1, 1000))

    const rest = json(await ok('receipts', 'issue', ...ALICE, '--json'))
    expect(rest).toEqual({ issued: 200, first: 1001, last: 1200, waiting: 0, waitingFor: [] })
    expect(json(await ok('receipts', 'issue', ...ALICE, '--json'))).toEqual({
      issued: 0,
      first: null,
      last: null,
      waiting: 0,
      waitingFor: [],
    })

    const after = await stored()
    expect(after.numbers).toEqual(range(1, PAYOUTS))
    expect([...after.payouts].sort()).toEqual([...payoutIds].sort())
    // Booking order: the payouts in row order.
    expect(after.payouts).toEqual(payoutIds)
    const audit = json(await ok('audit', 'verify', '--json')) as { ok: boolean }
    expect(audit.ok).toBe(true)
  })
})

describe('the receipts commands', () => {
  it('list, show --save, verify in and out of the workspace, key export, organisation', async () => {
    await ok('receipts', 'issue', ...ALICE)
    await ok(
      'settings',
      'organisation',
      'set',
      '--name',
      'Acme Treasury GmbH',
      '--address',
      'Hauptstr. 1|10115 Berlin',
      '--as',
      'Dana Admin',
    )
    expect(json(await ok('settings', 'organisation', 'show', '--json'))).toMatchObject({
      name: 'Acme Treasury GmbH',
      address: 'Hauptstr. 1\n10115 Berlin',
    })

    const page = ReceiptPage.parse(json(await ok('receipts', 'list', '--query', 'zoë', '--json')))
    expect(page.items.map((i) => [i.number, i.payeeName, i.amount, i.reference])).toEqual([
      [8, 'Zoë Müller-Lüdenscheidt', '8.250000', 'INV-10007'],
    ])
    const byRef = ReceiptPage.parse(json(await ok('receipts', 'list', '--query', 'inv-1119', '--limit', '3', '--json')))
    expect(byRef.items.map((i) => i.number)).toEqual([1200, 1199, 1198])
    expect(byRef.totals).toEqual([
      {
        assetId: 'USDC@evm:8453',
        code: 'USDC',
        count: 10,
        paid: '11957.500000',
        reversed: '0.000000',
        refunded: '0.000000',
        net: '11957.500000',
      },
    ])
    const human = await ok('receipts', 'list', '--query', 'Zoë')
    expect(human.stdout).toContain('CS-2026-000008')

    const file = path.join(root, 'receipt-8.json')
    const shown = await ok('receipts', 'show', 'CS-2026-000008', '--save', file)
    expect(shown.stdout).toContain('8.250000 USDC')
    const verified = ReceiptVerification.parse(json(await ok('receipts', 'verify', file, '--json')))
    expect(verified.ok).toBe(true)
    expect(verified.checks.find((c) => c.name === 'key')?.status).toBe('pass')
    // The made-up node (receiptTestKit.ts) has no transactions to show: the evidence is "not checked", and that is no failure.
    expect(verified.checks.find((c) => c.name === 'rail-evidence')).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining('not checked (offline)'),
    })

    const keyFile = path.join(root, 'receipt-key.json')
    await ok('receipts', 'key', 'export', '--out', keyFile)
    // A payee's machine: no workspace at all.
    const elsewhere = path.join(root, 'nowhere')
    const outside = await runCli(['--data-dir', elsewhere, 'receipts', 'verify', file, '--public-key', keyFile, '--offline'])
    expect(outside.code, outside.stderr).toBe(0)
    expect(outside.stdout).toContain('The receipt verifies.')
    expect(fs.existsSync(elsewhere)).toBe(false)
    // One byte of the amount changed: exit 1, the hash check names it.
    const text = fs.readFileSync(file, 'utf8')
    const changed = path.join(root, 'receipt-8-changed.json')
    fs.writeFileSync(changed, text.replace('"minor": "8250000"', '"minor": "8250001"'))
    expect(fs.readFileSync(changed, 'utf8')).not.toBe(text)
    const refused = await runCli(['--data-dir', elsewhere, 'receipts', 'verify', changed, '--public-key', keyFile, '--json'])
    expect(refused.code).toBe(1)
    const parsed = ReceiptVerification.parse(JSON.parse(refused.stdout))
    expect(parsed.checks.find((c) => c.name === 'hash')?.status).toBe('fail')
    // Without a key file, nothing vouches for the signer: not verified.
    expect((await runCli(['--data-dir', elsewhere, 'receipts', 'verify', file])).code).toBe(1)

    const keys = json(await ok('receipts', 'key', 'show', '--json')) as { current: { keyId: string } }
    expect(JSON.parse(fs.readFileSync(keyFile, 'utf8'))).toMatchObject({ keyId: keys.current.keyId, handovers: [] })
    // Rotation needs a writable secret store; the environment is not one.
    const rotate = await cli('receipts', 'key', 'rotate', '--as', 'Dana Admin')
    expect(rotate.code).toBe(1)
    expect(rotate.stderr).toMatch(/^error SECRETS_UNAVAILABLE: /)
  })
})
