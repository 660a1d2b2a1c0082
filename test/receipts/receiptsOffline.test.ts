/**
 * Receipts with the network off (issue 16): the sandbox pays a batch on its three rails and is
 * stopped — every rail URL the workspace knows (Anvil, Horizon, Stripe) now refuses connections.
 * Then, through the CLI as separate processes: issue the receipts, list and search them, render a
 * PDF, export CSV, Xero and the journal bundle, and verify a receipt (JSON and PDF) — the rail
 * evidence is "not checked (offline)", and nothing else needs the network. Except finality: an EVM
 * payout's receipt is issued only once its block is past the reorg window, which nobody can tell
 * with the node out of reach — it is held, and `receipts issue` and `receipts due` say why.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import {
  ANVIL_ACCOUNTS,
  SANDBOX_STELLAR_NETWORK,
  SANDBOX_STELLAR_PAYEES,
  SANDBOX_STRIPE_ACCOUNTS,
} from '../../src/main/sandbox/sandboxPlan'
import { readEmbeddedReceiptJson } from '../../src/main/core/receipts/pdf/readReceiptPdf'
import { json, runCli, tempDir, type CliResult } from '../cli/cliHarness'
import { paySandboxBatch, sandboxOperators } from '../recon/sandboxBatchKit'

const PAYOUTS = [
  ['off-evm-usdc', 'evm', '31337', 'USDC', ANVIL_ACCOUNTS[1], '7.654321'],
  ['off-xlm-xlm', 'stellar', SANDBOX_STELLAR_NETWORK, 'XLM', SANDBOX_STELLAR_PAYEES['payee-2'], '4.5'],
  ['off-stripe', 'stripe', 'stripe', 'USD', SANDBOX_STRIPE_ACCOUNTS.freelancer, '42.10'],
] as const

let root: string
let dir: string
let sb: Sandbox | undefined
let batchId: string

async function ok(...args: string[]): Promise<CliResult> {
  const r = await runCli(['--data-dir', dir, ...args])
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

beforeAll(async () => {
  root = tempDir('countersign-receipts-offline-')
  dir = path.join(root, 'sandbox')
  sb = await sandboxUp({
    dataDir: dir,
    services: [createAnvilService({ persist: false }), createStellarService(), createStripeService()],
    pollIntervalMs: 3_600_000,
  })
  await sb.core.poller.stop()
  batchId = await paySandboxBatch(sb, sandboxOperators(sb), PAYOUTS, 'Paid before the network went away')
  // Nothing was receipted while the rails were up: the poller was stopped.
  expect((await sb.core.api.call('receipts.list', {})).items).toHaveLength(0)
  await sb.stop()
  sb = undefined
}, 240_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

interface Page {
  items: { number: number; payoutId: string | null; amount: string; code: string; rail: string }[]
  totals: { assetId: string; paid: string }[] | null
}

describe('receipts offline', () => {
  it('issues, lists, searches, renders, exports and verifies with every rail unreachable', async () => {
    const issued = json(await ok('receipts', 'issue', '--as', 'Alice Preparer', '--json')) as {
      issued: number
      first: number
      last: number
      waiting: number
    }
    // Stellar and Stripe are final as confirmed; the EVM payout's finality cannot be read offline: held, never issued early.
    expect(issued).toMatchObject({ issued: 2, first: 1, last: 2, waiting: 1 })
    const held = json(await ok('receipts', 'due', '--json')) as {
      due: number
      items: { payoutId: string; waitingFor: { kind: string; network: string }; reason: string }[]
    }
    expect(held.due).toBe(1)
    expect(held.items[0]).toMatchObject({ payoutId: 'off-evm-usdc', waitingFor: { kind: 'chain-unreadable', network: '31337' } })
    expect((await ok('receipts', 'issue', '--as', 'Alice Preparer')).stdout).toContain(
      'payout:off-evm-usdc  Waiting for finality: the head of Local Anvil could not be read',
    )
    const receipted = PAYOUTS.filter((p) => p[1] !== 'evm')

    const all = json(await ok('receipts', 'list', '--batch', batchId, '--json')) as Page
    expect(all.items.map((i) => [i.payoutId, i.amount]).sort()).toEqual(
      receipted.map((p) => [p[0], p[0] === 'off-xlm-xlm' ? '4.5000000' : p[5]]).sort(),
    )
    const found = json(await ok('receipts', 'list', '--query', 'off-stripe', '--json')) as Page
    expect(found.items.map((i) => i.payoutId)).toEqual(['off-stripe'])
    expect(found.totals).toEqual([expect.objectContaining({ assetId: 'USD@stripe', paid: '42.10' })])

    // The receipt file and its PDF verify: the rail evidence is not checked, nothing fails.
    const stripeReceipt = found.items[0]!.number
    const jsonFile = path.join(root, 'receipt.json')
    await ok('receipts', 'show', String(stripeReceipt), '--save', jsonFile, '--json')
    const pdfDir = path.join(root, 'pdf')
    const written = json(await ok('receipts', 'pdf', String(stripeReceipt), '--out', pdfDir, '--json')) as { files: { path: string }[] }
    const pdf = fs.readFileSync(written.files[0]!.path)
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(JSON.parse(readEmbeddedReceiptJson(pdf)!)).toEqual(JSON.parse(fs.readFileSync(jsonFile, 'utf8')))
    for (const file of [jsonFile, written.files[0]!.path]) {
      const verified = json(await ok('receipts', 'verify', file, '--json')) as {
        ok: boolean
        checks: { name: string; status: string; detail: string }[]
      }
      expect(verified.ok, file).toBe(true)
      const byName = Object.fromEntries(verified.checks.map((c) => [c.name, c]))
      expect(byName['hash']!.status).toBe('pass')
      expect(byName['signature']!.status).toBe('pass')
      expect(byName['rail-evidence']).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/^not checked \(offline\)/) })
    }

    // Exports: the receipts as CSV, the Stripe dollars as a Xero journal, the books as a bundle.
    const out = path.join(root, 'exports')
    await ok(
      'receipts',
      'export',
      '--format',
      'csv',
      '--kind',
      'receipts',
      '--batch',
      batchId,
      '--out',
      out,
      '--as',
      'Alice Preparer',
      '--json',
    )
    const csvName = fs.readdirSync(out).find((n) => n.endsWith('.csv'))!
    const csv = fs.readFileSync(path.join(out, csvName), 'utf8')
    for (const [id] of receipted) expect(csv).toContain(id)
    const xeroDir = path.join(root, 'xero')
    const xeroArgs = ['receipts', 'export', '--format', 'xero', '--asset', 'USD@stripe', '--out', xeroDir, '--as', 'Alice Preparer']
    // The sandbox's opening balance has no Xero code: refused with what to do, then given one.
    const missing = await runCli(['--data-dir', dir, ...xeroArgs])
    expect(missing.stderr).toContain('EXPORT_ACCOUNT_CODE_MISSING')
    const codes = path.join(root, 'codes.json')
    fs.writeFileSync(codes, JSON.stringify({ byAccount: { 'opening.usd-stripe': '960' } }))
    await ok(...xeroArgs, '--account-codes', codes, '--json')
    const xero = fs.readdirSync(xeroDir).filter((n) => n.endsWith('.csv'))
    expect(xero.length).toBeGreaterThan(0)
    const lines = fs.readFileSync(path.join(xeroDir, xero[0]!), 'utf8').trim().split(/\r?\n/)
    expect(lines[0]).toBe('Narration,Date,Description,AccountCode,TaxRate,Amount')
    const bundleDir = path.join(root, 'bundle')
    await ok('receipts', 'export', '--format', 'json', '--kind', 'bundle', '--out', bundleDir, '--as', 'Alice Preparer', '--json')
    expect(fs.existsSync(path.join(bundleDir, 'manifest.json'))).toBe(true)
  }, 240_000)
})
