/**
 * Statement import throughput (issue 15: parse + store a 100,000-entry camt.053 and MT940 in
 * under 2 s each, memory bounded). For each format, a synthetic 100,000-entry file from its
 * generator (src/main/core/recon/statements/*Synthetic.ts) is
 *   - parsed alone, whole (best and median of RUNS after a warm-up),
 *   - imported through importStatement (hash, parse, balance checks, one transaction that stores
 *     the file, statements and every line, with its audit row) into a fresh SQLite workspace,
 *     median of RUNS, and
 *   - imported once more at a tenth and at the full size with the live heap sampled (after a full
 *     collection, every few inserts): how much more than the file's own text the import holds. A
 *     streamed format (camt) stays flat as the file grows; the others hold their parsed lines.
 * beside two baselines measured in the same run on the same machine: splitting the text into
 * lines (the least any reader does) and inserting the same number of rows of the same width into
 * SQLite with one prepared statement in one transaction (the least any store does).
 * The machine is shared: compare a row with its own baselines, and the medians across runs.
 * COUNTERSIGN_BENCH_FORMATS=camt.053,mt940 runs only the formats named. Figures are printed, never asserted.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import Database from 'better-sqlite3'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import type { Db } from '../src/main/core/db/Db'
import { openDb } from '../src/main/core/db/openDb'
import { seedDefaultAssets } from '../src/main/core/ledger'
import { importStatement } from '../src/main/core/recon/importStatement'
import { syntheticBai2 } from '../src/main/core/recon/statements/bai2Synthetic'
import { syntheticCamt053 } from '../src/main/core/recon/statements/camt053Synthetic'
import { syntheticCsv } from '../src/main/core/recon/statements/csvSynthetic'
import { syntheticMt940 } from '../src/main/core/recon/statements/mt940Synthetic'
import { syntheticOfx } from '../src/main/core/recon/statements/ofxSynthetic'
import { parseStatementFile } from '../src/main/core/recon/statements/parseStatementFile'
import { median } from './median'

const ENTRIES = 100_000
/** The smaller file the live heap is compared with. */
const SMALL_ENTRIES = ENTRIES / 10
const RUNS = 3
const SEED = 20_261_204
/** Inserts between two samples of the live heap (each sample is a full collection). */
const HEAP_SAMPLE_EVERY_INSERTS = 10
const MIB = 1024 * 1024
const FORMATS_ENV = 'COUNTERSIGN_BENCH_FORMATS'

let collect: (() => void) | null = null

/** A full collection on demand, without starting node with --expose-gc (set up on first use, not on import). */
function gc(): void {
  if (collect === null) {
    v8.setFlagsFromString('--expose-gc')
    collect = vm.runInNewContext('gc') as () => void
  }
  collect()
}

export interface StatementsBenchRow {
  format: string
  chars: number
  parseBestMs: number
  parseMedianMs: number
  heapGrowthMiB: number
  importMs: number
  /** Live heap above the file's text while importing, at SMALL_ENTRIES and ENTRIES. */
  importHeapSmallMiB: number
  importHeapMiB: number
  /** Most resident memory of the whole process (file text, database cache and all) sampled while importing ENTRIES. */
  importRssMiB: number
  splitBaselineMs: number
  insertBaselineMs: number
}

async function time(fn: () => unknown): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
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

type Synthetic = (entries: number) => { text: string; mapping: unknown }

async function benchFormat(format: string, make: Synthetic): Promise<StatementsBenchRow> {
  const { text, mapping } = make(ENTRIES)
  const fileName = `bench.${format}`
  parseStatementFile(text, { fileName, mapping })
  const parseTimes: number[] = []
  let heapGrowth = 0
  for (let i = 0; i < RUNS; i++) {
    gc()
    const before = process.memoryUsage().heapUsed
    let kept: unknown
    parseTimes.push(await time(() => (kept = parseStatementFile(text, { fileName, mapping }))))
    heapGrowth = Math.max(heapGrowth, process.memoryUsage().heapUsed - before)
    if (kept === undefined) throw new Error('no result')
  }
  const importTimes: number[] = []
  for (let i = 0; i < RUNS; i++) importTimes.push(await importInto(format, text, mapping, null))
  const small = make(SMALL_ENTRIES)
  const { heapMiB: importHeapSmallMiB } = await importHeap(format, small.text, small.mapping)
  const { heapMiB: importHeapMiB, rssMiB: importRssMiB } = await importHeap(format, text, mapping)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-statements-'))
  try {
    const splitBaselineMs = await time(() => text.split(/\r?\n/).map((l) => l.length))
    return {
      format,
      chars: text.length,
      parseBestMs: Math.min(...parseTimes),
      parseMedianMs: median(parseTimes),
      heapGrowthMiB: heapGrowth / MIB,
      importMs: median(importTimes),
      importHeapSmallMiB,
      importHeapMiB,
      importRssMiB,
      splitBaselineMs,
      insertBaselineMs: insertBaseline(dir, ENTRIES),
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Most live heap (MiB) above what was live before, and most resident memory of the process, sampled while `text` is imported. */
async function importHeap(format: string, text: string, mapping: unknown): Promise<{ heapMiB: number; rssMiB: number }> {
  let most = 0
  let rss = 0
  let inserts = 0
  let before = 0
  await importInto(format, text, mapping, {
    start() {
      gc()
      before = process.memoryUsage().heapUsed
    },
    sample() {
      if (++inserts % HEAP_SAMPLE_EVERY_INSERTS !== 0) return
      rss = Math.max(rss, process.memoryUsage.rss())
      gc()
      most = Math.max(most, process.memoryUsage().heapUsed - before)
    },
  })
  return { heapMiB: most / MIB, rssMiB: rss / MIB }
}

interface HeapProbe {
  start(): void
  sample(): void
}

/** One import into a fresh workspace; ms. With a probe, each insert of lines samples the heap. */
async function importInto(format: string, text: string, mapping: unknown, probe: HeapProbe | null): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-statements-'))
  try {
    const db = await openDb({ dataDir: dir })
    const probed: Db = probe === null ? db : { ...db, insertRows: (t, c, r) => (probe.sample(), db.insertRows(t, c, r)) }
    const ctx: CoreContext = { db: probed, clock: fixedClock('2026-12-04T09:00:00.000Z'), events: new CoreEvents() }
    await seedDefaultAssets(ctx)
    if (mapping !== undefined) {
      await db.run(
        db.k
          .insertInto('recon_csv_mappings')
          .values({ name: 'bench', mapping: JSON.stringify(mapping), created_by: 'bench', updated_at: '2026-12-04' }),
      )
    }
    gc()
    probe?.start()
    const ms = await time(() =>
      importStatement(ctx, 'bench', { text, fileName: `bench.${format}`, mapping: mapping === undefined ? undefined : 'bench' }),
    )
    await db.close()
    return ms
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export async function runStatementsBench(): Promise<StatementsBenchRow[]> {
  const files: [string, Synthetic][] = [
    ['camt.053', (n) => ({ text: syntheticCamt053(n, SEED), mapping: undefined })],
    ['mt940', (n) => ({ text: syntheticMt940(n, SEED), mapping: undefined })],
    ['bai2', (n) => ({ text: syntheticBai2(n, SEED), mapping: undefined })],
    ['ofx', (n) => ({ text: syntheticOfx(n, SEED), mapping: undefined })],
    ['csv', (n) => syntheticCsv(n, SEED)],
  ]
  const wanted = process.env[FORMATS_ENV]?.split(',')
  const rows: StatementsBenchRow[] = []
  for (const [format, make] of files) if (!wanted || wanted.includes(format)) rows.push(await benchFormat(format, make))
  return rows
}

export function printStatementsBench(rows: StatementsBenchRow[]): void {
  const ms = (v: number) => `${v.toFixed(0)} ms`
  const mib = (v: number) => `${v.toFixed(1)} MiB`
  console.log(`\nStatement import, ${ENTRIES.toLocaleString('en')} entries per file (target: parse + store < 2 s for camt.053 and MT940)`)
  console.log(
    `| format | file | parse best / median | heap held by a whole parse | parse + check + store (median of ${RUNS}) | live heap while importing ${SMALL_ENTRIES.toLocaleString('en')} / ${ENTRIES.toLocaleString('en')} entries | peak RSS importing ${ENTRIES.toLocaleString('en')} | baselines: split lines / insert rows | store ÷ insert baseline |`,
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const r of rows) {
    console.log(
      `| ${r.format} | ${(r.chars / MIB).toFixed(1)} Mi chars | ${ms(r.parseBestMs)} / ${ms(r.parseMedianMs)} | ${r.heapGrowthMiB.toFixed(0)} MiB | ${ms(r.importMs)} | ${mib(r.importHeapSmallMiB)} / ${mib(r.importHeapMiB)} | ${r.importRssMiB.toFixed(0)} MiB | ${ms(r.splitBaselineMs)} / ${ms(r.insertBaselineMs)} | ${(r.importMs / r.insertBaselineMs).toFixed(2)}× |`,
    )
  }
}
