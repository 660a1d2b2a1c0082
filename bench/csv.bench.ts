/**
 * Payout CSV import throughput: parsePayoutCsv + validatePayoutRows on 100,000 rows (the functions
 * directly — a batch holds 10,000, so the whole import is timed on 10,000 rows), in a fresh temp
 * workspace with the default assets. Addresses are all distinct and EIP-55 checksummed, so every row
 * pays the checksum (keccak) cost. Figures are printed, never asserted; target < 1 s for 100,000.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { getAddress } from 'viem'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { openDb } from '../src/main/core/db/openDb'
import { seedDefaultAssets } from '../src/main/core/ledger'
import { importPayoutCsv } from '../src/main/core/payouts/import/importPayoutCsv'
import { parsePayoutCsv } from '../src/main/core/payouts/import/parsePayoutCsv'
import { validatePayoutRows } from '../src/main/core/payouts/import/validatePayoutRows'
import { keccak256ForceJsForBenchmark, keccak256Ready } from '../src/main/core/util/keccak256'

const ROWS_PARSE_VALIDATE = 100_000
const ROWS_IMPORT = 10_000
/** Timed runs after one warm-up; the median is reported (a shared machine swings by ±20%). */
const RUNS = 5

export interface CsvBenchRow {
  step: string
  rows: number
  medianMs: number
  rowsPerSec: number
}

function makeCsv(rows: number, prefix: string): string {
  let x = 0x9e3779b9
  const lines = ['id,rail,network,asset,recipient,amount,memo,reference,name']
  for (let i = 0; i < rows; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    const cents = (x >>> 0) % 5_000_000
    const address = getAddress('0x' + createHash('sha256').update(`${prefix}-${i}`).digest('hex').slice(0, 40))
    lines.push(
      `${prefix}-${i},evm,8453,USDC,${address},${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')},,INV-${i},"Payee ${i}, Ltd"`,
    )
  }
  return lines.join('\r\n') + '\r\n'
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function time(fn: () => void): number {
  const t = performance.now()
  fn()
  return performance.now() - t
}

export async function runCsvBench(): Promise<CsvBenchRow[]> {
  // What the app has by the time a person imports a file: the WebAssembly keccak, loaded at start.
  await keccak256Ready
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-csv-'))
  const db = await openDb({ dataDir: dir })
  try {
    const ctx: CoreContext = { db, clock: fixedClock('2026-01-15T09:00:00.000Z'), events: new CoreEvents() }
    seedDefaultAssets(ctx)
    db.sqlite.prepare(`INSERT INTO operators (id, name, roles, created_at) VALUES ('bench', 'Bench', '["preparer"]', '2026-01-15')`).run()
    const text = makeCsv(ROWS_PARSE_VALIDATE, 'p')
    const parse: number[] = []
    const validate: number[] = []
    const validateJs: number[] = []
    const validateOnce = (rows: ReturnType<typeof parsePayoutCsv>['rows']): void => {
      const out = validatePayoutRows(ctx, rows)
      // Only the 10,000-rows cap may be reported; anything else means the bench data is wrong.
      if (out.issues.length !== 1 || out.valid.length !== ROWS_PARSE_VALIDATE) throw new Error('bench rows did not validate')
    }
    for (let run = 0; run <= RUNS; run++) {
      let rows = parsePayoutCsv(text).rows
      const p = time(() => {
        rows = parsePayoutCsv(text).rows
      })
      const v = time(() => validateOnce(rows))
      // The baseline in the same run: the JavaScript keccak (@noble/hashes) for the checksums.
      keccak256ForceJsForBenchmark(true)
      const vJs = time(() => validateOnce(rows))
      keccak256ForceJsForBenchmark(false)
      if (run > 0) {
        parse.push(p)
        validate.push(v)
        validateJs.push(vJs)
      }
    }
    const imports: number[] = []
    for (let run = 0; run <= RUNS; run++) {
      const small = makeCsv(ROWS_IMPORT, `i${run}`)
      const ms = time(() => {
        const r = importPayoutCsv(ctx, 'bench', { csv: small })
        if (r.batchId === null) throw new Error('bench import was refused')
      })
      if (run > 0) imports.push(ms)
    }
    const row = (step: string, rows: number, ms: number): CsvBenchRow => ({
      step,
      rows,
      medianMs: ms,
      rowsPerSec: Math.round((rows / ms) * 1000),
    })
    const both = parse.map((p, i) => p + validate[i]!)
    return [
      row('parse', ROWS_PARSE_VALIDATE, median(parse)),
      row('validate', ROWS_PARSE_VALIDATE, median(validate)),
      row('validate, JavaScript keccak (baseline)', ROWS_PARSE_VALIDATE, median(validateJs)),
      row('parse + validate', ROWS_PARSE_VALIDATE, median(both)),
      row('import (parse, validate, insert, audit)', ROWS_IMPORT, median(imports)),
    ]
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export function printCsvBench(rows: readonly CsvBenchRow[]): void {
  console.log('\nPayout CSV import (median of %d runs)', RUNS)
  console.table(rows.map((r) => ({ step: r.step, rows: r.rows, 'median ms': r.medianMs.toFixed(1), 'rows/s': r.rowsPerSec })))
}
