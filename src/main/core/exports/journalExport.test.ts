/**
 * The journal exports: rows of postings (CSV / JSON) and the balanced bundle with its manifest —
 * exact at 18 decimals and at uint256 size, balanced to zero per asset, refused when the books
 * read back do not balance, and written atomically into a folder.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqlRun } from '../../../../test/dbSql'
import type { ExportRequest } from '../../../shared/exportsApi'
import { addAccount } from '../ledger/addAccount'
import { errorOf, openTestLedger, TEST_ACTOR, type TestLedger } from '../ledger/testKit'
import { csvRowsOf, ETH, insertPayouts, openBooks, post, textOf, USDC } from './exportsTestKit'
import { runExport } from './runExport'
import { writeExportFiles } from './writeExportFiles'

let books: TestLedger
const run = (request: ExportRequest) => runExport(books.ctx, 'op-accountant', request)
/** 2^256 − 1 wei: the largest amount an EVM token can hold. */
const UINT256_MAX_ETH = '115792089237316195423570985008687907853269984665640564039457.584007913129639935'
const ONE_WEI = '0.000000000000000001'

beforeEach(async () => {
  books = await openTestLedger({ start: '2026-03-02T09:00:00.000Z' })
  await openBooks(books.ctx, ['anna'])
  for (const [id, kind] of [
    ['treasury-eth', 'treasury'],
    ['opening-eth', 'external'],
    ['anna-eth', 'payee'],
  ] as const)
    await addAccount(books.ctx, TEST_ACTOR, { id, name: id, kind, assetId: ETH })
  await post(books.ctx, [
    {
      id: 'opening-eth',
      date: '2026-03-03',
      description: 'Opening ETH',
      postings: [
        { account: 'treasury-eth', debit: UINT256_MAX_ETH },
        { account: 'opening-eth', credit: UINT256_MAX_ETH },
      ],
    },
    {
      id: 'pay-eth',
      date: '2026-03-04',
      description: '=cmd|" /C calc"!A0',
      postings: [
        { account: 'anna-eth', debit: ONE_WEI },
        { account: 'treasury-eth', credit: ONE_WEI },
      ],
    },
    {
      id: 'pay-usdc',
      date: '2026-03-04',
      description: 'Anna, March',
      postings: [
        { account: 'anna', debit: '12.5' },
        { account: 'treasury-usdc', credit: '12.5' },
      ],
    },
  ])
})
afterEach(async () => {
  await books.close()
})

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

describe('journal exports', () => {
  it('writes every posting exactly, at 18 decimals and uint256 size, in CSV and JSON', async () => {
    const csv = await run({ kind: 'journal', asset: ETH })
    expect(csv.files[0]!.name).toBe('journal-ETH-evm-8453-all.csv')
    expect(csvRowsOf(csv.files[0]!)).toEqual([
      ['Entry', 'Date', 'Kind', 'Description', 'Line', 'Account', 'Account name', 'Account kind', 'Asset', 'Debit', 'Credit'],
      ['opening-eth', '2026-03-03', 'manual', 'Opening ETH', '0', 'treasury-eth', 'treasury-eth', 'treasury', ETH, UINT256_MAX_ETH, ''],
      ['opening-eth', '2026-03-03', 'manual', 'Opening ETH', '1', 'opening-eth', 'opening-eth', 'external', ETH, '', UINT256_MAX_ETH],
      ['pay-eth', '2026-03-04', 'manual', `'=cmd|" /C calc"!A0`, '0', 'anna-eth', 'anna-eth', 'payee', ETH, ONE_WEI, ''],
      ['pay-eth', '2026-03-04', 'manual', `'=cmd|" /C calc"!A0`, '1', 'treasury-eth', 'treasury-eth', 'treasury', ETH, '', ONE_WEI],
    ])
    const json = await run({ kind: 'journal', format: 'json', from: '2026-03-04', to: '2026-03-04' })
    const doc = JSON.parse(textOf(json.files[0]!)) as { schema: string; filters: unknown; rows: Record<string, unknown>[] }
    expect(doc.schema).toBe('countersign.export.journal/1')
    expect(doc.filters).toEqual({ from: '2026-03-04', to: '2026-03-04' })
    // JSON is not a spreadsheet: the text is kept as it is, amounts are strings.
    expect(doc.rows.map((r) => [r.entryId, r.description, r.debit, r.credit])).toEqual([
      ['pay-eth', '=cmd|" /C calc"!A0', ONE_WEI, null],
      ['pay-eth', '=cmd|" /C calc"!A0', null, ONE_WEI],
      ['pay-usdc', 'Anna, March', '12.500000', null],
      ['pay-usdc', 'Anna, March', null, '12.500000'],
    ])
  })

  it('bundles postings, accounts and a manifest whose hashes match the bytes and whose totals balance per asset', async () => {
    const out = await run({ kind: 'journal-bundle', format: 'json' })
    expect(out.files.map((f) => f.name)).toEqual(['journal-postings-all.jsonl', 'journal-accounts-all.jsonl', 'manifest.json'])
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-export-'))
    try {
      const written = writeExportFiles(dir, out.files)
      expect(fs.readdirSync(dir).sort()).toEqual(['journal-accounts-all.jsonl', 'journal-postings-all.jsonl', 'manifest.json'])
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
        files: { name: string; sha256: string; rows: number; bytes: number }[]
        totals: { asset: string; debits: string; credits: string; postings: number }[]
      }
      for (const f of manifest.files) {
        const bytes = fs.readFileSync(path.join(dir, f.name))
        expect(sha256(bytes)).toBe(f.sha256)
        expect(bytes.length).toBe(f.bytes)
        expect(bytes.toString('utf8').split('\n').filter(Boolean).length).toBe(f.rows)
      }
      expect(written.map((w) => w.sha256)).toEqual(out.files.map((f) => f.sha256))
      // The debits of ETH pass uint256 (the opening plus one wei) and still add up exactly.
      expect(manifest.totals).toEqual([
        {
          asset: ETH,
          code: 'ETH',
          scale: 18,
          postings: 4,
          debits: '115792089237316195423570985008687907853269984665640564039457.584007913129639936',
          credits: '115792089237316195423570985008687907853269984665640564039457.584007913129639936',
        },
        { asset: 'USDC@evm:8453', code: 'USDC', scale: 6, postings: 4, debits: '1000012.500000', credits: '1000012.500000' },
      ])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses to export books that do not balance, and records nothing', async () => {
    const db = books.ctx.db
    const entry = (await db.first(db.k.selectFrom('entries').select('seq').where('id', '=', 'pay-usdc')))!
    // Tampering under the ledger: one posting changed behind its back.
    await sqlRun(db, 'UPDATE postings SET amount = ? WHERE entry_seq = ? AND idx = 1', '-12400000', entry.seq)
    const before = await db.all(db.k.selectFrom('audit_log').select('seq'))
    for (const kind of ['journal-bundle', 'journal', 'xero'] as const) {
      const e = await errorOf(() => run({ kind }))
      expect(e.code).toBe('EXPORT_UNBALANCED')
      expect(e.message).toBe(
        'Entry pay-usdc does not sum to zero in USDC@evm:8453 (debits 12.500000, credits 12.400000) — nothing was exported; run "countersign audit verify" and report it.',
      )
      expect(e.details).toEqual({ assetId: 'USDC@evm:8453', debits: '12.500000', credits: '12.400000' })
    }
    expect(await db.all(db.k.selectFrom('audit_log').select('seq'))).toEqual(before)
  })

  it('picks the entries of a batch and of a payee, from their metadata and the payee account', async () => {
    const ANNA = '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01'
    await insertPayouts(books.ctx, 'b_x', [
      { id: 'p-9', row: 2, recipient: ANNA, amount: '1000000', name: 'Anna K', createdAt: '2026-03-06T00:00:00.000Z' },
    ])
    await addAccount(books.ctx, TEST_ACTOR, { id: 'anna-acct', name: 'Anna K', kind: 'payee', assetId: USDC, address: ANNA.toLowerCase() })
    const move = (id: string, from: string, to: string, metadata: Record<string, string>) => ({
      id,
      date: '2026-03-07',
      description: id,
      postings: [
        { account: to, debit: '1' },
        { account: from, credit: '1' },
      ],
      metadata,
    })
    await post(books.ctx, [
      move('book-p9', 'treasury-usdc', 'anna-acct', { payoutId: 'p-9', batchId: 'b_x' }),
      // A reorg's reversal names only the payout.
      move('reorg-p9', 'anna-acct', 'treasury-usdc', { payoutId: 'p-9', reverses: 'book-p9' }),
      move('other-anna', 'treasury-usdc', 'anna-acct', {}),
      move('not-anna', 'treasury-usdc', 'anna', { batchId: 'b_y' }),
    ])
    const entries = async (request: Omit<ExportRequest, 'kind'>) => [
      ...new Set(
        csvRowsOf((await run({ kind: 'journal', ...request })).files[0]!)
          .slice(1)
          .map((r) => r[0]),
      ),
    ]
    expect(await entries({ batch: 'b_x' })).toEqual(['book-p9', 'reorg-p9'])
    expect(await entries({ payee: 'anna k' })).toEqual(['book-p9', 'reorg-p9'])
    expect(await entries({ payee: ANNA.toLowerCase() })).toEqual(['book-p9', 'reorg-p9', 'other-anna'])
    expect((await errorOf(() => run({ kind: 'journal', batch: 'b_none' }))).code).toBe('BATCH_NOT_FOUND')
  })

  it('picks whole entries by account, and refuses options of another kind', async () => {
    const out = await run({ kind: 'journal-bundle', account: 'anna' })
    const [, ...rows] = csvRowsOf(out.files[0]!)
    expect(rows.map((r) => `${r[0]}/${r[4]}`)).toEqual(['pay-usdc/0', 'pay-usdc/1'])
    expect(out.files[0]!.name).toBe('journal-postings-anna-all.csv')
    for (const request of [
      { kind: 'receipts', account: 'anna' },
      { kind: 'journal', from: '2026-03-05', to: '2026-03-01' },
      { kind: 'journal', from: '2026-02-30' },
      { kind: 'xero', format: 'json' },
      { kind: 'payouts', taxRate: 'No VAT' },
      { kind: 'journal', columns: 4 },
    ] as const) {
      expect((await errorOf(() => run(request))).code).toBe('EXPORT_INVALID')
    }
  })
})
