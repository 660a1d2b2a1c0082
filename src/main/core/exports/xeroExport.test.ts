/**
 * Xero manual-journal files, on a real workspace (SQLite, and PostgreSQL on the pg pass): split at
 * 300 lines without ever splitting a journal, each file balanced, account codes from the mapping,
 * amounts that need more than Xero's 2 decimals refused rather than rounded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ExportRequest } from '../../../shared/exportsApi'
import { parseAmount } from '../../../shared/money'
import { verifyAudit } from '../audit/verifyAudit'
import { errorOf, openTestLedger, type TestLedger } from '../ledger/testKit'
import { setAccountCodes } from './accountCodes'
import { csvRowsOf, openBooks, post, textOf } from './exportsTestKit'
import { runExport } from './runExport'

let books: TestLedger
const run = (request: ExportRequest) => runExport(books.ctx, 'op-accountant', request)
const PAYEES = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] as const
/** Entries of 7 lines each: 42 fit in a file (294 lines); a cut at 300 lines would split the 43rd. */
const ENTRIES = 100
const LINES_PER_ENTRY = 7

beforeEach(async () => {
  books = await openTestLedger({ start: '2026-03-02T09:00:00.000Z' })
  await openBooks(books.ctx, [...PAYEES])
  const entries = Array.from({ length: ENTRIES }, (_, i) => ({
    id: `run-${i}`,
    date: `2026-03-${String(10 + (i % 10)).padStart(2, '0')}`,
    description: i === 0 ? '=HYPERLINK("http://x")' : `Contractors run ${i}`,
    postings: [
      ...PAYEES.map((account) => ({ account, debit: `${i + 1}.25` })),
      { account: 'treasury-usdc', credit: `${(i + 1) * 6 + 1}.50` },
    ],
  }))
  await post(books.ctx, entries)
})
afterEach(async () => {
  await books.close()
})

describe('Xero manual journals', () => {
  it('splits 700 lines into 3 files of whole journals, each balanced, with the exact Xero columns', async () => {
    const out = await run({ kind: 'xero', from: '2026-03-05', to: '2026-03-31', taxRate: 'No VAT' })
    expect(out.files.map((f) => f.name)).toEqual([1, 2, 3].map((n) => `xero-journal-USDC-evm-8453-2026-03-05_2026-03-31-${n}of3.csv`))
    expect(out.rowsTotal).toBe(ENTRIES * LINES_PER_ENTRY)
    const seen = new Map<string, number>()
    out.files.forEach((file, i) => {
      expect(textOf(file).split('\r\n')[0]).toBe('Narration,Date,Description,AccountCode,TaxRate,Amount')
      const [, ...rows] = csvRowsOf(file)
      expect(rows.length).toBe(file.rows)
      expect(rows.length).toBeLessThanOrEqual(300)
      // Each file balances on its own: Xero refuses a journal (and so a file) that does not.
      expect(rows.reduce((sum, r) => sum + parseAmount(r[5]!, 2, { allowNegative: true }), 0n)).toBe(0n)
      for (const r of rows) seen.set(r[0]!, (seen.get(r[0]!) ?? 0) + 1)
      // No journal is split: every narration of this file has all its lines here.
      for (const narration of new Set(rows.map((r) => r[0]!))) expect(rows.filter((r) => r[0] === narration).length).toBe(LINES_PER_ENTRY)
      expect(file.rows).toBe([294, 294, 112][i])
    })
    expect(seen.size).toBe(ENTRIES)
  })

  it('writes debits positive and credits negative as bare numbers, neutralises text, and maps codes', async () => {
    const out = await run({
      kind: 'xero',
      from: '2026-03-10',
      to: '2026-03-10',
      dateFormat: 'DD/MM/YYYY',
      accountCodes: { byAccount: { p1: '477' }, byKind: { treasury: 'BANK-USDC' } },
    })
    const text = textOf(out.files[0]!)
    // The formula in the description is neutralised in its cell; the amounts stay numbers.
    expect(text).toContain(`"'=HYPERLINK(""http://x"") (run-0)",10/03/2026,Payee p1,477,Tax Exempt,1.25\r\n`)
    expect(text).toContain(`"'=HYPERLINK(""http://x"") (run-0)",10/03/2026,Treasury USDC,BANK-USDC,Tax Exempt,-7.50\r\n`)
    expect(csvRowsOf(out.files[0]!)[1]).toEqual(['\'=HYPERLINK("http://x") (run-0)', '10/03/2026', 'Payee p1', '477', 'Tax Exempt', '1.25'])
    expect(csvRowsOf(out.files[0]!).some((r) => r[2] === 'Payee p2' && r[3] === '429')).toBe(true)
    // Recorded: who exported, what, and the hashes of the files handed out.
    const db = books.ctx.db
    const audit = (await db.first(db.k.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1)))!
    expect(audit).toMatchObject({ action: 'exports.run', actor: 'op-accountant', subject: 'export:xero' })
    expect(JSON.parse(audit.change).files).toEqual(out.files.map((f) => ({ name: f.name, sha256: f.sha256, rows: f.rows, bytes: f.bytes })))
    expect((await verifyAudit(books.ctx)).ok).toBe(true)
  })

  it('uses the saved mapping, and lists every account that has no code', async () => {
    // The opening balance is booked against an external account: no default code for it.
    const missing = await errorOf(() => run({ kind: 'xero' }))
    expect(missing.code).toBe('EXPORT_ACCOUNT_CODE_MISSING')
    expect(missing.message).toMatch(/^1 ledger account has no Xero account code: opening-usdc \(external\) — add them/)
    expect(missing.details).toEqual({ accounts: ['opening-usdc'] })
    await setAccountCodes(books.ctx, 'op-admin', { byKind: { external: '970' }, taxRate: 'BAS Excluded' })
    const out = await run({ kind: 'xero' })
    expect(out.files.length).toBe(3)
    expect(csvRowsOf(out.files[0]!)[1]).toEqual([
      'Opening balance (opening-usdc)',
      '02 Mar 2026',
      'Treasury USDC',
      '090',
      'BAS Excluded',
      '1000000.00',
    ])
  })

  it('refuses a journal longer than a Xero file, and an amount Xero would round', async () => {
    await openBooks(books.ctx, ['many'], { treasury: false })
    const postings = [
      ...Array.from({ length: 300 }, () => ({ account: 'many', debit: '0.01' })),
      { account: 'treasury-usdc', credit: '3.00' },
    ]
    await post(books.ctx, [{ id: 'big', date: '2026-04-01', description: 'Big', postings }])
    const big = await errorOf(() => run({ kind: 'xero', from: '2026-04-01' }))
    expect(big.code).toBe('EXPORT_TOO_LARGE')
    expect(big.message).toMatch(
      /^Entry big has 301 lines in USDC@evm:8453 — Xero imports at most 300 lines per file and a journal is never split/,
    )

    const dust = [
      { account: 'p1', debit: '0.000001' },
      { account: 'treasury-usdc', credit: '0.000001' },
    ]
    await post(books.ctx, [{ id: 'dust', date: '2026-05-01', description: 'Dust', postings: dust }])
    const precise = await errorOf(() => run({ kind: 'xero', from: '2026-05-01' }))
    expect(precise.code).toBe('EXPORT_PRECISION')
    expect(precise.message).toContain('Entry dust, p1: 0.000001 has more than 2 decimals, and Xero keeps 2 — Countersign never rounds')
  })
})
