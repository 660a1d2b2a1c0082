/**
 * Ledger posting throughput on SQLite: postEntries (validation, exact parsing, idempotency,
 * overdraft rule, balances, audit) against raw better-sqlite3 inserts of the same rows into the
 * same schema, with the same pragmas (WAL, synchronous=FULL) and the same transaction per batch.
 * Each side gets its own fresh temp database. Results are printed, never asserted. The same
 * transfers on PostgreSQL: ledgerPostgres.bench.ts; what both share: ledgerBenchShared.ts.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { DB_FILE_NAME, openDb } from '../src/main/core/db/openDb'
import {
  ACTOR,
  ASSET_ID,
  ENTRY_DATE,
  ENTRY_DESCRIPTION,
  ENTRY_KIND,
  measureOurs,
  NOW_ISO,
  PAYEE,
  printLedgerTable,
  RUNS_PER_CASE,
  runPaired,
  seedLedger,
  TREASURY,
  type LedgerBenchRow,
  type Side,
  type Transfer,
} from './ledgerBenchShared'

export type { LedgerBenchRow } from './ledgerBenchShared'

async function setupLedger(label: string): Promise<{ ctx: CoreContext; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `countersign-bench-${label}-`))
  const ctx: CoreContext = { db: await openDb({ dataDir: dir }), clock: fixedClock(NOW_ISO), events: new CoreEvents() }
  // The floor is raw better-sqlite3 on the workspace file: this bench measures SQLite.
  if (ctx.db.backend !== 'sqlite') throw new Error('the ledger bench measures the SQLite backend; unset COUNTERSIGN_TEST_DB')
  await seedLedger(ctx)
  return { ctx, dir }
}

/** One side of one run: a fresh temp database (same schema and pragmas, same books), timed, removed. */
async function measureSide(side: Side, transfers: Transfer[], batch: number): Promise<number> {
  const { ctx, dir } = await setupLedger(side)
  try {
    if (side === 'ours') {
      try {
        return await measureOurs(ctx, transfers, batch)
      } finally {
        await ctx.db.close()
      }
    }
    await ctx.db.close()
    return measureRaw(dir, transfers, batch)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The same rows written with nothing but prepared statements on a raw better-sqlite3 connection to
 * the workspace file (opened with openDb's pragmas): the floor our engine is measured against.
 */
function measureRaw(dir: string, transfers: Transfer[], batch: number): number {
  const s = new BetterSqlite3(path.join(dir, DB_FILE_NAME))
  try {
    s.pragma('busy_timeout = 5000')
    s.pragma('journal_mode = WAL')
    s.pragma('synchronous = FULL')
    s.pragma('foreign_keys = ON')
    return measureRawOn(s, transfers, batch)
  } finally {
    s.close()
  }
}

function measureRawOn(s: BetterSqlite3.Database, transfers: Transfer[], batch: number): number {
  const insertEntry = s.prepare(
    'INSERT INTO entries (id, date, kind, description, metadata, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const insertPosting = s.prepare('INSERT INTO postings (entry_seq, idx, account_id, asset_id, amount) VALUES (?, ?, ?, ?, ?)')
  const readBalance = s.prepare('SELECT debits_posted, credits_posted FROM balances WHERE account_id = ?')
  const writeBalance = s.prepare('UPDATE balances SET debits_posted = ?, credits_posted = ?, updated_at = ? WHERE account_id = ?')
  const writeBatch = s.transaction((rows: Transfer[]) => {
    let payeeDebits = 0n
    let treasuryCredits = 0n
    for (const t of rows) {
      const seq = insertEntry.run(t.id, ENTRY_DATE, ENTRY_KIND, ENTRY_DESCRIPTION, '{}', NOW_ISO, ACTOR).lastInsertRowid
      insertPosting.run(seq, 0, PAYEE, ASSET_ID, t.minor.toString())
      insertPosting.run(seq, 1, TREASURY, ASSET_ID, (-t.minor).toString())
      payeeDebits += t.minor
      treasuryCredits += t.minor
    }
    const p = readBalance.get(PAYEE) as { debits_posted: string; credits_posted: string }
    writeBalance.run((BigInt(p.debits_posted) + payeeDebits).toString(), p.credits_posted, NOW_ISO, PAYEE)
    const tr = readBalance.get(TREASURY) as { debits_posted: string; credits_posted: string }
    writeBalance.run(tr.debits_posted, (BigInt(tr.credits_posted) + treasuryCredits).toString(), NOW_ISO, TREASURY)
  })
  const start = process.hrtime.bigint()
  for (let i = 0; i < transfers.length; i += batch) writeBatch.immediate(transfers.slice(i, i + batch))
  return Number(process.hrtime.bigint() - start) / 1e9
}

export function runLedgerBench(): Promise<LedgerBenchRow[]> {
  return runPaired(measureSide)
}

export function printLedgerBench(rows: LedgerBenchRow[]): void {
  printLedgerTable(
    `Ledger: 2-posting transfers per second (median of ${RUNS_PER_CASE} paired runs, fresh temp DB each, WAL + synchronous=FULL)`,
    rows,
  )
}
