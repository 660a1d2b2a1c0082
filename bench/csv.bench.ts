/**
 * Payout CSV import throughput: parsePayoutCsv + validatePayoutRows on 100,000 rows (the functions
 * directly — a batch holds 10,000, so the whole import is timed on 10,000 rows), in a fresh temp
 * workspace with the default assets. Figures are printed, never asserted; target < 1 s for
 * parse + validate of 100,000 rows on the 2-core dev machine.
 *
 * Printed in the same run, so one table compares like with like on a shared machine:
 * - the worst case: every address distinct and EIP-55 checksummed, so every row pays the checksum
 *   (keccak) — with the WebAssembly keccak the app uses, and with the JavaScript one (@noble/hashes)
 *   as the baseline; parse + validate is the sum of the two, timed one after the other per run;
 * - a usual payroll: 1,000 payees paid 100 times each, where each checksum is worked out once;
 * - the tokenizer alone, and csv-parse on the same text when it is installed
 *   (`npm install --no-save csv-parse@7.0.3`): the figures behind keeping the hand-written
 *   tokenizer (src/main/core/payouts/import/tokenizeCsv.ts says why).
 * Each figure is the best and the median of RUNS timed runs after one warm-up.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { getAddress } from 'viem'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { openDb } from '../src/main/core/db/openDb'
import { seedDefaultAssets } from '../src/main/core/ledger'
import { importPayoutCsv } from '../src/main/core/payouts/import/importPayoutCsv'
import { parsePayoutCsv, type RawRow } from '../src/main/core/payouts/import/parsePayoutCsv'
import { readCsvText, tokenizeCsv } from '../src/main/core/payouts/import/tokenizeCsv'
import { validatePayoutRows } from '../src/main/core/payouts/import/validatePayoutRows'
import { keccak256ForceJsForBenchmark, keccak256Implementation, keccak256Ready } from '../src/main/core/util/keccak256'

const ROWS_PARSE_VALIDATE = 100_000
const ROWS_IMPORT = 10_000
/** Distinct payees of the "usual payroll" file. */
const PAYEES_REPEATED = 1_000
/** Timed runs after one warm-up (a shared machine swings by ±20% and more). */
const RUNS = 5
/** The option set our tokenizer's rules would need from csv-parse (see tokenizeCsv.ts). */
const CSV_PARSE_OPTIONS = {
  delimiter: ',',
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: false,
  skip_records_with_error: true,
  info: true,
}

export interface CsvBenchRow {
  step: string
  rows: number
  bestMs: number
  medianMs: number
}

function makeCsv(rows: number, prefix: string, payees = rows): string {
  let x = 0x9e3779b9
  const lines = ['id,rail,network,asset,recipient,amount,memo,reference,name']
  const addresses = Array.from({ length: payees }, (_, i) =>
    getAddress('0x' + createHash('sha256').update(`${prefix}-${i}`).digest('hex').slice(0, 40)),
  )
  for (let i = 0; i < rows; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    const cents = (x >>> 0) % 5_000_000
    lines.push(
      `${prefix}-${i},evm,8453,USDC,${addresses[i % payees]},${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')},,INV-${i},"Payee ${i}, Ltd"`,
    )
  }
  // One join, ending in CRLF: a flat string, as a decoded file is (not a concatenation of two).
  lines.push('')
  return lines.join('\r\n')
}

/** Milliseconds `fn` takes, until its promise settles when it returns one. */
async function time(fn: () => unknown): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

/** Runs `fn` once to warm up, then RUNS times; the times of the timed runs. */
async function timed(fn: () => unknown): Promise<number[]> {
  await fn()
  const runs: number[] = []
  for (let i = 0; i < RUNS; i++) runs.push(await time(fn))
  return runs
}

function row(step: string, rows: number, runs: readonly number[]): CsvBenchRow {
  const s = [...runs].sort((a, b) => a - b)
  return { step, rows, bestMs: s[0]!, medianMs: s[Math.floor(s.length / 2)]! }
}

/** csv-parse's sync parser when the package is installed (it is not a dependency), else null. */
async function loadCsvParse(): Promise<((text: string, options: object) => unknown[]) | null> {
  const name = 'csv-parse/sync' // a variable: the typecheck must not require the package
  try {
    const mod = (await import(name)) as { parse: (text: string, options: object) => unknown[] }
    return mod.parse
  } catch {
    return null
  }
}

export async function runCsvBench(): Promise<CsvBenchRow[]> {
  // What the app has by the time a person imports a file: the WebAssembly keccak, loaded at start.
  await keccak256Ready
  if (keccak256Implementation() !== 'wasm') console.warn('WebAssembly keccak did not load: both keccak rows use the JavaScript one')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-csv-'))
  const db = await openDb({ dataDir: dir })
  try {
    const ctx: CoreContext = { db, clock: fixedClock('2026-01-15T09:00:00.000Z'), events: new CoreEvents() }
    await seedDefaultAssets(ctx)
    await db.run(sql`INSERT INTO operators (id, name, roles, created_at) VALUES ('bench', 'Bench', '["preparer"]', '2026-01-15')`)
    const validateOnce = async (rows: readonly RawRow[]): Promise<void> => {
      const out = await validatePayoutRows(ctx, rows)
      // Only the 10,000-rows cap may be reported; anything else means the bench data is wrong.
      if (out.issues.length !== 1 || out.valid.length !== ROWS_PARSE_VALIDATE) throw new Error('bench rows did not validate')
    }
    const distinct = makeCsv(ROWS_PARSE_VALIDATE, 'p')
    const out = await parseThenValidate(distinct, validateOnce)
    out.push(...(await tokenizerRows(distinct)))
    const repeated = makeCsv(ROWS_PARSE_VALIDATE, 'r', PAYEES_REPEATED)
    const parseValidate = (): Promise<void> => validateOnce(parsePayoutCsv(repeated).rows)
    out.push(row(`parse + validate, ${PAYEES_REPEATED} payees repeated`, ROWS_PARSE_VALIDATE, await timed(parseValidate)))
    out.push(row('import (parse, validate, insert, audit)', ROWS_IMPORT, await importRuns(ctx)))
    return out
  } finally {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Per run, as the benchmark has always timed it: parse, then validate those rows with the
 * WebAssembly keccak, then again with the JavaScript one (the baseline). Interleaved, so a busy
 * moment on the shared machine falls on all three alike. Parse + validate is the sum per run.
 */
async function parseThenValidate(text: string, validateOnce: (rows: readonly RawRow[]) => Promise<void>): Promise<CsvBenchRow[]> {
  const parse: number[] = []
  const validate: number[] = []
  const validateJs: number[] = []
  for (let run = 0; run <= RUNS; run++) {
    let rows: RawRow[] = []
    const p = await time(() => {
      rows = parsePayoutCsv(text).rows
    })
    const v = await time(() => validateOnce(rows))
    keccak256ForceJsForBenchmark(true)
    let vJs: number
    try {
      vJs = await time(() => validateOnce(rows))
    } finally {
      keccak256ForceJsForBenchmark(false)
    }
    if (run === 0) continue // warm-up
    parse.push(p)
    validate.push(v)
    validateJs.push(vJs)
  }
  return [
    row(
      'parse + validate',
      ROWS_PARSE_VALIDATE,
      parse.map((p, i) => p + validate[i]!),
    ),
    row(
      'parse + validate, JavaScript keccak (baseline)',
      ROWS_PARSE_VALIDATE,
      parse.map((p, i) => p + validateJs[i]!),
    ),
    row('parse', ROWS_PARSE_VALIDATE, parse),
    row('validate', ROWS_PARSE_VALIDATE, validate),
    row('validate, JavaScript keccak (baseline)', ROWS_PARSE_VALIDATE, validateJs),
  ]
}

/** The tokenizer alone, and csv-parse on the same text when installed. */
async function tokenizerRows(text: string): Promise<CsvBenchRow[]> {
  const cellsOf = (): number => {
    const csv = readCsvText(text, [])
    if (csv === null) throw new Error('bench text did not read')
    let cells = 0
    tokenizeCsv(csv, [], (rec) => {
      cells += rec.cells.length
      return true
    })
    return cells
  }
  const out = [row('tokenize only (hand-written)', ROWS_PARSE_VALIDATE, await timed(cellsOf))]
  const parse = await loadCsvParse()
  if (parse === null) return out
  const expected = cellsOf()
  const viaCsvParse = (): void => {
    let cells = 0
    for (const r of parse(text, CSV_PARSE_OPTIONS) as { record: string[] }[]) cells += r.record.length
    if (cells !== expected) throw new Error(`csv-parse read ${cells} cells, the tokenizer ${expected}`)
  }
  out.push(row('tokenize only (csv-parse, same rules)', ROWS_PARSE_VALIDATE, await timed(viaCsvParse)))
  return out
}

async function importRuns(ctx: CoreContext): Promise<number[]> {
  const imports: number[] = []
  for (let run = 0; run <= RUNS; run++) {
    const small = makeCsv(ROWS_IMPORT, `i${run}`)
    const ms = await time(async () => {
      const r = await importPayoutCsv(ctx, 'bench', { csv: small })
      if (r.batchId === null) throw new Error('bench import was refused')
    })
    if (run > 0) imports.push(ms)
  }
  return imports
}

export function printCsvBench(rows: readonly CsvBenchRow[]): void {
  console.log('\nPayout CSV import (best and median of %d runs after a warm-up; target: parse + validate of 100,000 rows < 1,000 ms)', RUNS)
  console.table(
    rows.map((r) => ({
      step: r.step,
      rows: r.rows,
      'best ms': r.bestMs.toFixed(0),
      'median ms': r.medianMs.toFixed(0),
      'rows/s (median)': Math.round((r.rows / r.medianMs) * 1000),
    })),
  )
}
