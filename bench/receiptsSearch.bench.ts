/**
 * Payee search over 100,000 receipts (issue 16: first page in under 50 ms), on a workspace file
 * (SQLite, openDb's pragmas). 100,000 receipts of 10,000 payees (names from a seed, one reference
 * each, tx hashes), inserted as issuing writes them (rows + search terms); not timed.
 *
 * Timed, for the searches people make — one payee by address, a name, a word of a name, an
 * invoice reference, the start of a tx hash, a receipt number, a batch, a month — and the broad
 * ones: no filter, and one letter:
 *  - first page: receipts.list's first page of 50 as the app asks for it (`totals: false`: the rows
 *    are shown at once), the first call for that filter in the process ("cold"), and warm;
 *  - totals: receipts.totals, the per-asset sums over every match that the app shows once they
 *    arrive — cold (computed over every match) and warm (the totals of receipts 1..N are kept,
 *    only newer receipts are added);
 *  - next page: a page after the first.
 * Beside each, a plain indexed SELECT of the same page (no terms, no totals): the least any search
 * does. Printed, never asserted.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { openDb } from '../src/main/core/db/openDb'
import { RECEIPT_COLUMNS } from '../src/main/core/receipts/issueReceipts'
import { listReceipts, receiptTotals, type ListReceiptsParameters } from '../src/main/core/receipts/listReceipts'
import { searchTermsOf } from '../src/main/core/receipts/searchTerms'
import { seededRandom } from '../src/main/core/util/seededRandom'
import { median } from './median'

const RECEIPTS = 100_000
const PAYEES = 10_000
const RUNS = 9
const SEED = 16_2026
const TARGET_MS = 50
const INSERT_ROWS_PER_TX = 5_000
const ASSET = 'USDC@evm:8453'
const FIRST = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Soylent', 'Zoë', 'Łukasz']
const SECOND = ['Supplies', 'Ltd', 'Contractors', 'Studio', 'Partners', 'GmbH', 'Labs', 'Design', 'Freight', 'Consulting']

export interface ReceiptsSearchRow {
  search: string
  matches: number
  /** The first page (no totals), the first call for the filter. */
  coldMs: number
  listMs: number
  /** receipts.totals, the first call for the filter (every match summed), then warm. */
  totalsColdMs: number
  totalsMs: number
  /** A page after the first. */
  pageMs: number
  plainMs: number
}

function payeeName(i: number): string {
  return `${FIRST[i % FIRST.length]} ${SECOND[Math.floor(i / FIRST.length) % SECOND.length]} ${i}`
}

function payeeAddress(i: number): string {
  return `0x${i.toString(16).padStart(40, '0')}`
}

async function seed(ctx: CoreContext): Promise<void> {
  const rand = seededRandom(SEED)
  const columns = RECEIPT_COLUMNS
  for (let start = 1; start <= RECEIPTS; start += INSERT_ROWS_PER_TX) {
    const rows: unknown[][] = []
    const terms: unknown[][] = []
    for (let n = start; n < start + INSERT_ROWS_PER_TX && n <= RECEIPTS; n++) {
      const p = Math.floor(rand() * PAYEES)
      const txHash = `0x${n.toString(16).padStart(8, '0')}${Math.floor(rand() * 2 ** 32)
        .toString(16)
        .padStart(8, '0')}${'ab'.repeat(24)}`
      const day = new Date(Date.UTC(2026, 0, 1) + Math.floor((n / RECEIPTS) * 300) * 86_400_000).toISOString()
      const reference = `INV-${100_000 + n}`
      const row = {
        number: n,
        sha256: n.toString(16).padStart(64, '0'),
        kind: 'payout',
        subject_key: `payout:p${n}`,
        payout_id: `p${n}`,
        batch_id: `b${Math.floor(n / 500)}`,
        escrow_id: null,
        rail: 'evm',
        network: '8453',
        asset_id: ASSET,
        amount: String(1 + Math.floor(rand() * 10_000_000_000)),
        payee_name: payeeName(p),
        recipient: payeeAddress(p),
        reference,
        tx_hash: txHash,
        paid_at: day,
        issued_at: day,
        // A document of a real receipt's size: the page reads it with the row.
        document: JSON.stringify({ n, pad: 'x'.repeat(1_500) }),
        key_id: '0123456789abcdef',
        signature: '00'.repeat(64),
        previous_number: null,
      }
      rows.push(columns.map((c) => row[c as keyof typeof row]))
      for (const term of searchTermsOf({
        payeeName: row.payee_name,
        recipient: row.recipient,
        reference,
        txHash,
        subjectId: row.payout_id,
      }))
        terms.push([term, n])
    }
    await ctx.db.tx(async () => {
      await ctx.db.insertRows('receipts', columns, rows)
      await ctx.db.insertRows('receipt_search_terms', ['term', 'number'], terms)
    })
  }
  await ctx.db.run(sql`ANALYZE`)
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  await fn()
  const runs: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    await fn()
    runs.push(performance.now() - t)
  }
  return median(runs)
}

export async function runReceiptsSearchBench(): Promise<ReceiptsSearchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-receipts-'))
  const ctx: CoreContext = { db: await openDb({ dataDir: dir }), clock: fixedClock('2026-12-01T00:00:00.000Z'), events: new CoreEvents() }
  try {
    await seed(ctx)
    const k = ctx.db.k
    const page = (q: ReturnType<typeof k.selectFrom<'receipts'>>) => ctx.db.all(q.selectAll().orderBy('number', 'desc').limit(51))
    const cases: { search: string; input: ListReceiptsParameters; plain: () => Promise<unknown> }[] = [
      {
        search: 'payee by address',
        input: { payee: payeeAddress(4242) },
        plain: () => page(k.selectFrom('receipts').where('recipient', '=', payeeAddress(4242))),
      },
      {
        search: `payee name "${payeeName(1548)}"`,
        input: { query: payeeName(1548) },
        plain: () => page(k.selectFrom('receipts').where('payee_name', '=', payeeName(1548))),
      },
      {
        search: 'word "zoë"',
        input: { query: 'zoë' },
        plain: () => page(k.selectFrom('receipts').where('payee_name', '>=', 'Zoë').where('payee_name', '<', 'Zoë\u{10FFFF}')),
      },
      {
        search: 'reference INV-154321',
        input: { query: 'INV-154321' },
        plain: () => page(k.selectFrom('receipts').where('reference', '=', 'INV-154321')),
      },
      {
        search: 'tx hash prefix',
        input: { query: '0x0000a1b2' },
        plain: () => page(k.selectFrom('receipts').where('tx_hash', '>=', '0x0000a1b2').where('tx_hash', '<', '0x0000a1b3')),
      },
      {
        search: 'receipt CS-2026-077777',
        input: { query: 'CS-2026-077777' },
        plain: () => page(k.selectFrom('receipts').where('number', '=', 77_777)),
      },
      { search: 'batch b150', input: { batchId: 'b150' }, plain: () => page(k.selectFrom('receipts').where('batch_id', '=', 'b150')) },
      {
        search: 'paid in March',
        input: { from: '2026-03-01', to: '2026-03-31' },
        plain: () => page(k.selectFrom('receipts').where('paid_at', '>=', '2026-03-01').where('paid_at', '<', '2026-04-01')),
      },
      { search: 'all, newest first', input: {}, plain: () => page(k.selectFrom('receipts')) },
      {
        search: 'worst: one letter "s"',
        input: { query: 's' },
        plain: () => page(k.selectFrom('receipts').where('payee_name', '>=', 'S').where('payee_name', '<', 'T')),
      },
    ]
    const out: ReceiptsSearchRow[] = []
    for (const c of cases) {
      const firstPage = { ...c.input, totals: false }
      let t = performance.now()
      await listReceipts(ctx, firstPage)
      const coldMs = performance.now() - t
      t = performance.now()
      const totals = await receiptTotals(ctx, c.input)
      const totalsColdMs = performance.now() - t
      out.push({
        search: c.search,
        matches: totals.reduce((n, t) => n + t.count, 0),
        coldMs,
        listMs: await timed(() => listReceipts(ctx, firstPage)),
        totalsColdMs,
        totalsMs: await timed(() => receiptTotals(ctx, c.input)),
        pageMs: await timed(() => listReceipts(ctx, { ...c.input, cursor: String(RECEIPTS + 1) })),
        plainMs: await timed(c.plain),
      })
    }
    return out
  } finally {
    await ctx.db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export function printReceiptsSearchBench(rows: ReceiptsSearchRow[]): void {
  console.log(
    `\nReceipts search: ${RECEIPTS.toLocaleString('en')} receipts of ${PAYEES.toLocaleString('en')} payees, first page of 50 (target < ${TARGET_MS} ms), then the totals per asset; median of ${RUNS}`,
  )
  const ms = (x: number, width: number) => `${x.toFixed(1)} ms`.padStart(width)
  console.log(
    `${'search'.padEnd(34)} ${'matches'.padStart(8)} ${'first (cold)'.padStart(12)} ${'first (warm)'.padStart(12)} ${'totals (cold)'.padStart(13)} ${'totals (warm)'.padStart(13)} ${'next page'.padStart(10)} ${'plain SELECT'.padStart(13)}`,
  )
  for (const r of rows)
    console.log(
      `${r.search.padEnd(34)} ${String(r.matches).padStart(8)} ${ms(r.coldMs, 12)} ${ms(r.listMs, 12)} ${ms(r.totalsColdMs, 13)} ${ms(r.totalsMs, 13)} ${ms(r.pageMs, 10)} ${ms(r.plainMs, 13)}${r.coldMs > TARGET_MS ? '  first page over target' : ''}`,
    )
}
