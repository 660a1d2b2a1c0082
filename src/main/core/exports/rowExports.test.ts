/**
 * Receipts and payouts as CSV and JSON: one row each, text neutralised against spreadsheet
 * formulas in CSV (a payee named =HYPERLINK("http://x")) but kept as it is in JSON, amounts exact
 * up to uint256, and the date, batch and payee filters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqlRun } from '../../../../test/dbSql'
import type { ExportRequest } from '../../../shared/exportsApi'
import { openTestLedger, type TestLedger } from '../ledger/testKit'
import { csvRowsOf, ETH, insertPayouts, insertReceipt, markConfirmed, textOf, USDC } from './exportsTestKit'
import { runExport } from './runExport'

let books: TestLedger
const run = (request: ExportRequest) => runExport(books.ctx, 'op-accountant', request)
const HYPERLINK = '=HYPERLINK("http://x")'
const ANNA = '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01'
const BOB = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
/** 2^256 − 1 wei. */
const UINT256_MAX = ((1n << 256n) - 1n).toString()
const UINT256_MAX_ETH = '115792089237316195423570985008687907853269984665640564039457.584007913129639935'

beforeEach(async () => {
  books = await openTestLedger({ start: '2026-04-10T09:00:00.000Z' })
  const march = '2026-03-02T10:00:00.000Z'
  await insertPayouts(books.ctx, 'b_march', [
    { id: 'p-1', row: 2, recipient: BOB, amount: '12500000', name: HYPERLINK, reference: 'INV-1', createdAt: march },
    { id: 'p-2', row: 3, recipient: BOB, amount: '1', name: 'Bob Ltd', reference: '+INV-9', createdAt: march },
  ])
  await insertPayouts(books.ctx, 'b_april', [
    { id: 'p-3', row: 2, recipient: ANNA, amount: UINT256_MAX, assetId: ETH, name: 'ANNA', createdAt: '2026-04-01T08:00:00.000Z' },
  ])
  await markConfirmed(books.ctx, 'p-1', '2026-03-05T12:00:00.000Z', '0xabc')
})
afterEach(async () => {
  await books.close()
})

describe('payouts export', () => {
  it('writes one neutralised, exact row per payout in CSV, and the raw text in JSON', async () => {
    const out = await run({ kind: 'payouts' })
    const file = out.files[0]!
    expect(file.name).toBe('payouts-all.csv')
    expect(textOf(file)).toContain(`p-1,b_march,2,confirmed,evm,8453,${USDC},12.500000,${BOB},"'=HYPERLINK(""http://x"")",INV-1,,0xabc,`)
    expect(csvRowsOf(file)).toEqual([
      [
        'Payout',
        'Batch',
        'Row',
        'State',
        'Rail',
        'Network',
        'Asset',
        'Amount',
        'Recipient',
        'Name',
        'Reference',
        'Memo',
        'Tx hash / transfer',
        'Confirmed at',
      ],
      // Unconfirmed payouts count on the day they were made, confirmed ones on the day they were paid.
      ['p-2', 'b_march', '3', 'pending', 'evm', '8453', USDC, '0.000001', BOB, 'Bob Ltd', "'+INV-9", '', '', ''],
      [
        'p-1',
        'b_march',
        '2',
        'confirmed',
        'evm',
        '8453',
        USDC,
        '12.500000',
        BOB,
        `'${HYPERLINK}`,
        'INV-1',
        '',
        '0xabc',
        '2026-03-05T12:00:00.000Z',
      ],
      ['p-3', 'b_april', '2', 'pending', 'evm', '8453', ETH, UINT256_MAX_ETH, ANNA, 'ANNA', '', '', '', ''],
    ])
    const json = JSON.parse(textOf((await run({ kind: 'payouts', format: 'json', batch: 'b_march' })).files[0]!)) as {
      rows: { id: string; name: string; amount: string }[]
    }
    expect(json.rows.map((r) => [r.id, r.name, r.amount])).toEqual([
      ['p-2', 'Bob Ltd', '0.000001'],
      ['p-1', HYPERLINK, '12.500000'],
    ])
  })

  it('filters by day paid, batch and payee (name or address, case ignored)', async () => {
    const ids = async (request: Omit<ExportRequest, 'kind'>) =>
      csvRowsOf((await run({ kind: 'payouts', ...request })).files[0]!)
        .slice(1)
        .map((r) => r[0])
    expect(await ids({ from: '2026-03-04', to: '2026-03-31' })).toEqual(['p-1'])
    expect(await ids({ to: '2026-03-04' })).toEqual(['p-2'])
    expect(await ids({ batch: 'b_april' })).toEqual(['p-3'])
    expect(await ids({ payee: 'anna' })).toEqual(['p-3'])
    expect(await ids({ payee: ANNA.toUpperCase().replace('0X', '0x') })).toEqual(['p-3'])
    expect(await ids({ payee: 'bob ltd' })).toEqual(['p-2'])
    expect(await ids({ asset: ETH })).toEqual(['p-3'])
  })
})

describe('receipts export', () => {
  beforeEach(async () => {
    await insertReceipt(books.ctx, {
      number: 1,
      payeeName: HYPERLINK,
      recipient: BOB,
      assetId: USDC,
      code: 'USDC',
      scale: 6,
      minor: '12500000',
      paidAt: '2026-03-05T12:00:00.000Z',
      batchId: 'b_march',
      payoutId: 'p-1',
      reference: 'INV-1',
      txHash: '0xabc',
      fee: { minor: '21000000000000', assetId: ETH, code: 'ETH', scale: 18 },
    })
    await insertReceipt(books.ctx, {
      number: 2,
      payeeName: 'Anna',
      recipient: ANNA,
      assetId: ETH,
      code: 'ETH',
      scale: 18,
      minor: UINT256_MAX,
      paidAt: '2026-04-02T08:30:00.000Z',
      batchId: 'b_april',
      payoutId: 'p-3',
      reference: '@risk',
      txHash: '0xdef',
    })
  })

  it('writes one row per receipt with its hash, the payee neutralised and every amount exact', async () => {
    const out = await run({ kind: 'receipts' })
    const rows = csvRowsOf(out.files[0]!)
    const db = books.ctx.db
    const hashes = await db.all(db.k.selectFrom('receipts').select(['number', 'sha256']).orderBy('number'))
    expect(rows).toEqual([
      [
        'Number',
        'Receipt',
        'Kind',
        'Paid at',
        'Payee',
        'Recipient',
        'Rail',
        'Network',
        'Asset',
        'Amount',
        'Fee',
        'Fee asset',
        'Net',
        'Reference',
        'Tx hash / transfer',
        'Batch',
        'Payout',
        'SHA-256',
      ],
      [
        '1',
        'CS-2026-000001',
        'payout',
        '2026-03-05T12:00:00.000Z',
        `'${HYPERLINK}`,
        BOB,
        'evm',
        '8453',
        USDC,
        '12.500000',
        '0.000021000000000000',
        ETH,
        '',
        'INV-1',
        '0xabc',
        'b_march',
        'p-1',
        hashes[0]!.sha256,
      ],
      [
        '2',
        'CS-2026-000002',
        'payout',
        '2026-04-02T08:30:00.000Z',
        'Anna',
        ANNA,
        'evm',
        '8453',
        ETH,
        UINT256_MAX_ETH,
        '',
        '',
        '',
        "'@risk",
        '0xdef',
        'b_april',
        'p-3',
        hashes[1]!.sha256,
      ],
    ])
    expect(textOf(out.files[0]!)).toContain(`,"'=HYPERLINK(""http://x"")",`)
    const json = JSON.parse(textOf((await run({ kind: 'receipts', format: 'json' })).files[0]!)) as {
      rows: { payee: string; amount: string }[]
    }
    expect(json.rows.map((r) => [r.payee, r.amount])).toEqual([
      [HYPERLINK, '12.500000'],
      ['Anna', UINT256_MAX_ETH],
    ])
  })

  it('filters by day paid, batch and payee', async () => {
    const numbers = async (request: Omit<ExportRequest, 'kind'>) =>
      csvRowsOf((await run({ kind: 'receipts', ...request })).files[0]!)
        .slice(1)
        .map((r) => r[0])
    expect(await numbers({ from: '2026-04-02', to: '2026-04-02' })).toEqual(['2'])
    expect(await numbers({ to: '2026-04-01' })).toEqual(['1'])
    expect(await numbers({ batch: 'b_march' })).toEqual(['1'])
    expect(await numbers({ payee: 'ANNA' })).toEqual(['2'])
    expect(await numbers({ payee: BOB.toLowerCase() })).toEqual(['1'])
  })

  it('refuses a receipt whose row and signed document disagree', async () => {
    await sqlRun(books.ctx.db, 'UPDATE receipts SET amount = ? WHERE number = 1', '12500001')
    await expect(run({ kind: 'receipts' })).rejects.toThrow(/receipt 1: its row and its document disagree/)
  })
})
