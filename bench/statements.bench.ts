/**
 * Statement import throughput (issue 15: parse + store a 100,000-entry camt.053 and MT940 in
 * under 2 s each, memory bounded). For each format, a synthetic 100,000-entry file from its
 * generator (src/main/core/recon/statements/*Synthetic.ts) is
 *   - parsed alone (best and median of RUNS after a warm-up), and
 *   - imported whole through importStatement (parse, balance checks, one transaction that stores
 *     the file, statements and every line, with its audit row) into a fresh SQLite workspace,
 * beside two baselines measured in the same run on the same machine: splitting the text into
 * lines (the least any reader does) and inserting the same number of rows of the same width into
 * SQLite with one prepared statement in one transaction (the least any store does).
 * The heap growth while parsing is printed too (the parsers scan the text; no DOM of the file).
 * Figures are printed, never asserted.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { openDb } from '../src/main/core/db/openDb'
import { seedDefaultAssets } from '../src/main/core/ledger'
import { importStatement } from '../src/main/core/recon/importStatement'
import { syntheticBai2 } from '../src/main/core/recon/statements/bai2Synthetic'
import { syntheticCamt053 } from '../src/main/core/recon/statements/camt053Synthetic'
import { syntheticCsv } from '../src/main/core/recon/statements/csvSynthetic'
import { syntheticMt940 } from '../src/main/core/recon/statements/mt940Synthetic'
import { syntheticOfx } from '../src/main/core/recon/statements/ofxSynthetic'
import { parseStatementFile } from '../src/main/core/recon/statements/parseStatementFile'

const ENTRIES = 100_000
const RUNS = 3
const SEED = 20_261_204

export interface StatementsBenchRow {
  format: string
  chars: number
  parseBestMs: number
  parseMedianMs: number
  heapGrowthMiB: number
  importMs: number
  splitBaselineMs: number
  insertBaselineMs: number
}

async function time(fn: () => unknown): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** The least a store does: the same number of rows, 22 columns, one prepared statement, one transaction. */
function insertBaseline(dir: string, rows: number): number {
  const db = new Database(path.join(dir, 'baseline.sqlite'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  const cols = Array.from({ length: 22 }, (_, i) => `c${i}`)
  db.exec(`CREATE TABLE t (${cols.map((c, i) => `${c} ${i === 0 ? 'TEXT PRIMARY KEY' : 'TEXT'}`).join(', ')})`)
  const insert = db.prepare(`INSERT INTO t VALUES (${cols.map(() => '?').join(', ')})`)
  const t = performance.now()
  db.transaction(() => {
    for (let i = 0; i < rows; i++)
      insert.run(`st_x:${i}`, ...cols.slice(1).map((_, j) => (j % 3 === 0 ? String(i * 7 + j) : `value ${i} ${j}`)))
  })()
  const ms = performance.now() - t
  db.close()
  return ms
}

async function benchFormat(format: string, text: string, mapping: unknown): Promise<StatementsBenchRow> {
  const fileName = `bench.${format}`
  parseStatementFile(text, { fileName, mapping })
  const parseTimes: number[] = []
  let heapGrowth = 0
  for (let i = 0; i < RUNS; i++) {
    global.gc?.()
    const before = process.memoryUsage().heapUsed
    let kept: unknown
    parseTimes.push(await time(() => (kept = parseStatementFile(text, { fileName, mapping }))))
    heapGrowth = Math.max(heapGrowth, process.memoryUsage().heapUsed - before)
    if (kept === undefined) throw new Error('no result')
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-statements-'))
  try {
    const db = await openDb({ dataDir: dir })
    const ctx: CoreContext = { db, clock: fixedClock('2026-12-04T09:00:00.000Z'), events: new CoreEvents() }
    await seedDefaultAssets(ctx)
    if (mapping !== undefined) {
      await db.run(
        db.k
          .insertInto('recon_csv_mappings')
          .values({ name: 'bench', mapping: JSON.stringify(mapping), created_by: 'bench', updated_at: '2026-12-04' }),
      )
    }
    const importMs = await time(() =>
      importStatement(ctx, 'bench', { text, fileName, mapping: mapping === undefined ? undefined : 'bench' }),
    )
    await db.close()
    const splitBaselineMs = await time(() => text.split(/\r?\n/).map((l) => l.length))
    return {
      format,
      chars: text.length,
      parseBestMs: Math.min(...parseTimes),
      parseMedianMs: median(parseTimes),
      heapGrowthMiB: heapGrowth / (1024 * 1024),
      importMs,
      splitBaselineMs,
      insertBaselineMs: insertBaseline(dir, ENTRIES),
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export async function runStatementsBench(): Promise<StatementsBenchRow[]> {
  const csv = syntheticCsv(ENTRIES, SEED)
  const files: [string, string, unknown][] = [
    ['camt.053', syntheticCamt053(ENTRIES, SEED), undefined],
    ['mt940', syntheticMt940(ENTRIES, SEED), undefined],
    ['bai2', syntheticBai2(ENTRIES, SEED), undefined],
    ['ofx', syntheticOfx(ENTRIES, SEED), undefined],
    ['csv', csv.text, csv.mapping],
  ]
  const rows: StatementsBenchRow[] = []
  for (const [format, text, mapping] of files) rows.push(await benchFormat(format, text, mapping))
  return rows
}

export function printStatementsBench(rows: StatementsBenchRow[]): void {
  const ms = (v: number) => `${v.toFixed(0)} ms`
  console.log(`\nStatement import, ${ENTRIES.toLocaleString('en')} entries per file (target: parse + store < 2 s for camt.053 and MT940)`)
  console.log(
    '| format | file | parse best / median | heap while parsing | parse + check + store | baselines: split lines / insert rows | store ÷ insert baseline |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const r of rows) {
    console.log(
      `| ${r.format} | ${(r.chars / (1024 * 1024)).toFixed(1)} Mi chars | ${ms(r.parseBestMs)} / ${ms(r.parseMedianMs)} | ${r.heapGrowthMiB.toFixed(0)} MiB | ${ms(r.importMs)} | ${ms(r.splitBaselineMs)} / ${ms(r.insertBaselineMs)} | ${(r.importMs / r.insertBaselineMs).toFixed(2)}× |`,
    )
  }
}
