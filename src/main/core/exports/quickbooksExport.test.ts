/**
 * QuickBooks Online bank CSV of one ledger account: 3 columns with money out negative, or 4
 * columns with money out under Credit and money in under Debit (Intuit's own description), and a
 * preview whose sentence states the convention.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ExportRequest } from '../../../shared/exportsApi'
import { errorOf, openTestLedger, type TestLedger } from '../ledger/testKit'
import { csvRowsOf, openBooks, post } from './exportsTestKit'
import { previewExport, runExport } from './runExport'

let books: TestLedger
const run = (request: ExportRequest) => runExport(books.ctx, 'op-accountant', request)

beforeEach(async () => {
  books = await openTestLedger({ start: '2026-03-02T09:00:00.000Z' })
  await openBooks(books.ctx, ['anna'])
  await post(books.ctx, [
    {
      id: 'pay-anna',
      date: '2026-03-15',
      description: '@Anna invoice 7',
      postings: [
        { account: 'anna', debit: '250.5' },
        { account: 'treasury-usdc', credit: '250.5' },
      ],
    },
    {
      id: 'refund-anna',
      date: '2026-03-20',
      description: 'Refund from Anna',
      postings: [
        { account: 'treasury-usdc', debit: '0.5' },
        { account: 'anna', credit: '0.5' },
      ],
    },
  ])
})
afterEach(async () => {
  await books.close()
})

describe('QuickBooks bank CSV', () => {
  it('3 columns: money in positive, money out negative, dates MM/DD/YYYY', async () => {
    const out = await run({ kind: 'quickbooks', account: 'treasury-usdc' })
    expect(out.files.map((f) => f.name)).toEqual(['quickbooks-3col-treasury-usdc-all.csv'])
    expect(csvRowsOf(out.files[0]!)).toEqual([
      ['Date', 'Description', 'Amount'],
      ['03/02/2026', 'Opening balance (opening-usdc)', '1000000.00'],
      ['03/15/2026', "'@Anna invoice 7 (pay-anna)", '-250.50'],
      ['03/20/2026', 'Refund from Anna (refund-anna)', '0.50'],
    ])
    expect(out.note).toBe(
      'Money out of Treasury USDC is shown as negative amounts, money in as positive (QuickBooks 3-column layout: Date, Description, Amount).',
    )
  })

  it('4 columns: money out under Credit, money in under Debit, both positive; DD/MM/YYYY on request', async () => {
    const out = await run({ kind: 'quickbooks', account: 'treasury-usdc', columns: 4, dateFormat: 'DD/MM/YYYY', from: '2026-03-10' })
    expect(csvRowsOf(out.files[0]!)).toEqual([
      ['Date', 'Description', 'Credit', 'Debit'],
      ['15/03/2026', "'@Anna invoice 7 (pay-anna)", '250.50', ''],
      ['20/03/2026', 'Refund from Anna (refund-anna)', '', '0.50'],
    ])
  })

  it('previews the first rows with the sentence on signs, and writes nothing to the audit log', async () => {
    const db = books.ctx.db
    const auditBefore = await db.all(db.k.selectFrom('audit_log').select('seq'))
    const preview = await previewExport(books.ctx, { kind: 'quickbooks', account: 'treasury-usdc', columns: 4 })
    expect(preview.note).toMatch(/^Money out of Treasury USDC is in the Credit column and money in is in the Debit column/)
    expect(preview.columns).toEqual(['Date', 'Description', 'Credit', 'Debit'])
    expect(preview.rows[1]).toEqual(['03/15/2026', '@Anna invoice 7 (pay-anna)', '250.50', ''])
    expect(preview.rowsTotal).toBe(3)
    expect(await db.all(db.k.selectFrom('audit_log').select('seq'))).toEqual(auditBefore)
  })

  it('needs an account that holds money, and a QuickBooks date format', async () => {
    expect((await errorOf(() => run({ kind: 'quickbooks' }))).code).toBe('EXPORT_INVALID')
    const payee = await errorOf(() => run({ kind: 'quickbooks', account: 'anna' }))
    expect(payee.code).toBe('EXPORT_INVALID')
    expect(payee.message).toMatch(/^Payee anna is a payee account — a QuickBooks bank file is the history of an account that holds money/)
    expect((await errorOf(() => run({ kind: 'quickbooks', account: 'treasury-usdc', dateFormat: 'DD MMM YYYY' }))).code).toBe(
      'EXPORT_INVALID',
    )
    expect((await errorOf(() => run({ kind: 'quickbooks', account: 'nope' }))).code).toBe('ACCOUNT_NOT_FOUND')
  })
})
