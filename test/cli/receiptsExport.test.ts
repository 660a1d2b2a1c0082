/**
 * `countersign receipts export` in-process, on a workspace made through the CLI: a payout file
 * whose payee is named =HYPERLINK("http://x") is flagged on import and comes out neutralised;
 * Xero files and the journal bundle are written into --out with the hashes --json prints.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initPayoutDesk, json, runCli, tempDir } from './cliHarness'

const HYPERLINK = '=HYPERLINK("http://x")'
let root: string
let dir: string

beforeAll(async () => {
  root = tempDir()
  dir = path.join(root, 'books')
  await initPayoutDesk(dir)
  const file = path.join(root, 'payouts.csv')
  fs.writeFileSync(
    file,
    [
      'id,rail,network,asset,recipient,amount,memo,reference,name',
      `p-1,evm,8453,USDC,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,12.5,,INV-1,"${HYPERLINK.replaceAll('"', '""')}"`,
      'p-2,evm,8453,USDC,0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,0.000001,,INV-2,Bob Ltd',
    ].join('\n') + '\n',
  )
  const imported = await runCli(['--data-dir', dir, 'payouts', 'import', file, '--as', 'Alice Preparer', '--json'])
  expect(imported.code).toBe(0)
  const warnings = (json(imported) as { warnings: { row: number; column: string; code: string }[] }).warnings
  expect(warnings.filter((w) => w.code === 'TEXT_FORMULA_LIKE').map((w) => [w.row, w.column])).toEqual([[2, 'name']])
})
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

describe('countersign receipts export', () => {
  it('writes the payouts CSV with the formula neutralised, and prints what it wrote', async () => {
    const out = path.join(root, 'payouts-out')
    const r = await runCli([
      '--data-dir',
      dir,
      'receipts',
      'export',
      '--format',
      'csv',
      '--kind',
      'payouts',
      '--out',
      out,
      '--as',
      'Bob Approver',
      '--json',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const printed = json(r) as { kind: string; rowsTotal: number; files: { name: string; path: string; sha256: string; rows: number }[] }
    expect(printed.kind).toBe('payouts')
    expect(printed.files.map((f) => [f.name, f.rows])).toEqual([['payouts-all.csv', 2]])
    const file = printed.files[0]!
    expect(sha256(file.path)).toBe(file.sha256)
    const rows = parse(fs.readFileSync(file.path, 'utf8')) as string[][]
    expect(rows.slice(1).map((row) => [row[0], row[7], row[9]])).toEqual([
      ['p-1', '12.500000', `'${HYPERLINK}`],
      ['p-2', '0.000001', 'Bob Ltd'],
    ])
  })

  it('writes Xero files with the codes of --account-codes, and the bundle with a manifest that matches', async () => {
    const codes = path.join(root, 'codes.json')
    fs.writeFileSync(codes, JSON.stringify({ byKind: { external: '970' } }))
    const xeroOut = path.join(root, 'xero')
    const xero = await runCli([
      '--data-dir',
      dir,
      'receipts',
      'export',
      '--format',
      'xero',
      '--account-codes',
      codes,
      '--out',
      xeroOut,
      '--as',
      'Alice Preparer',
    ])
    expect(xero.code).toBe(0)
    expect(xero.stdout).toMatch(/^Wrote 1 file\(s\) to .+ \(2 rows\)\./)
    const [name] = fs.readdirSync(xeroOut)
    const text = fs.readFileSync(path.join(xeroOut, name!), 'utf8')
    // The opening was booked on the day the workspace was made (the real clock): read it back.
    const day = /^Opening balance \(opening-usdc\),(\d{2} [A-Z][a-z]{2} \d{4}),/m.exec(text)![1]!
    expect(text).toBe(
      'Narration,Date,Description,AccountCode,TaxRate,Amount\r\n' +
        `Opening balance (opening-usdc),${day},Treasury USDC,090,Tax Exempt,1000000.00\r\n` +
        `Opening balance (opening-usdc),${day},Opening USDC,970,Tax Exempt,-1000000.00\r\n`,
    )

    const bundleOut = path.join(root, 'bundle')
    const bundle = await runCli([
      '--data-dir',
      dir,
      '--json',
      'receipts',
      'export',
      '--format',
      'csv',
      '--kind',
      'bundle',
      '--out',
      bundleOut,
      '--as',
      'Alice Preparer',
    ])
    expect(bundle.code).toBe(0)
    const manifest = JSON.parse(fs.readFileSync(path.join(bundleOut, 'manifest.json'), 'utf8')) as {
      files: { name: string; sha256: string }[]
    }
    for (const f of manifest.files) expect(sha256(path.join(bundleOut, f.name))).toBe(f.sha256)
    const printed = json(bundle) as { files: { name: string; sha256: string }[] }
    expect(printed.files.at(-1)).toMatchObject({ name: 'manifest.json', sha256: sha256(path.join(bundleOut, 'manifest.json')) })
  })

  it('previews QuickBooks signs without writing, and refuses options that do not fit', async () => {
    const preview = await runCli([
      '--data-dir',
      dir,
      'receipts',
      'export',
      '--format',
      'quickbooks',
      '--account',
      'treasury-usdc',
      '--columns',
      '4',
      '--preview',
    ])
    expect(preview.code).toBe(0)
    expect(preview.stdout.split('\n')[0]).toBe(
      'Money out of Treasury USDC is in the Credit column and money in is in the Debit column, both as positive amounts (QuickBooks 4-column layout: Date, Description, Credit, Debit).',
    )
    const usage = await runCli(['--data-dir', dir, 'receipts', 'export', '--format', 'xero', '--kind', 'payouts', '--out', root])
    expect(usage.code).toBe(2)
    const noOut = await runCli(['--data-dir', dir, 'receipts', 'export', '--format', 'json'])
    expect(noOut.code).toBe(2)
    const missing = await runCli([
      '--data-dir',
      dir,
      'receipts',
      'export',
      '--format',
      'quickbooks',
      '--out',
      root,
      '--as',
      'Alice Preparer',
    ])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^error EXPORT_INVALID: A QuickBooks bank file is the history of one account/)
  })
})
