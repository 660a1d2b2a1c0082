/**
 * Ledger posting throughput: postEntries (validation, exact parsing, idempotency, overdraft
 * rule, balances, audit) against raw better-sqlite3 inserts of the same rows into the same
 * schema, with the same pragmas (WAL, synchronous=FULL) and the same transaction per batch.
 * Each side gets its own fresh temp database. Results are printed, never asserted.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { EntryInput } from '../src/shared/ledgerApi'
import { parseAmount } from '../src/shared/money'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { DB_FILE_NAME, openDb, type Db } from '../src/main/core/db/openDb'
import { addAccount, postEntries, seedDefaultAssets } from '../src/main/core/ledger'

const ASSET_ID = 'USDC@evm:8453'
const SCALE = 6
const TREASURY = 'treasury-base-usdc'
const PAYEE = 'payee-acme-gmbh'
const ACTOR = 'bench'
/** Entries timed per batch size: enough calls that one slow fsync does not decide the figure. */
const PLAN: readonly { batch: number; entries: number }[] = [
  { batch: 1, entries: 300 },
  { batch: 100, entries: 20_000 },
  { batch: 10_000, entries: 50_000 },
]
/**
 * Paired runs per batch size (plus one unreported warm-up run for the JIT). Medians are reported:
 * on a shared machine single runs swing by ±20%.
 */
const RUNS_PER_CASE = 7

export interface LedgerBenchRow {
  batch: number
  entries: number
  oursPerSec: number
  rawPerSec: number
  ratio: number
}

interface Transfer {
  id: string
  amount: string
  minor: bigint
}

/** Deterministic pseudo-random amounts (xorshift), so runs compare like with like. */
function makeTransfers(count: number, prefix: string): Transfer[] {
  let x = 0x9e3779b9
  const out: Transfer[] = []
  for (let i = 0; i < count; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    const cents = BigInt((x >>> 0) % 5_000_000) + 100n // 1.00 .. 50,000.99 USDC
    const amount = `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`
    out.push({ id: `${prefix}-payout-2026-01-15-${String(i).padStart(7, '0')}`, amount, minor: parseAmount(amount, SCALE) })
  }
  return out
}

async function freshDb(label: string): Promise<{ db: Db; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `countersign-bench-${label}-`))
  return { db: await openDb({ dataDir: dir }), dir }
}

async function setupLedger(label: string): Promise<{ ctx: CoreContext; dir: string }> {
  const { db, dir } = await freshDb(label)
  const ctx: CoreContext = { db, clock: fixedClock('2026-01-15T09:00:00.000Z'), events: new CoreEvents() }
  await seedDefaultAssets(ctx)
  await addAccount(ctx, ACTOR, { id: 'world', name: 'Opening balances', kind: 'external', assetId: ASSET_ID })
  await addAccount(ctx, ACTOR, { id: TREASURY, name: 'Treasury (Base USDC)', kind: 'treasury', assetId: ASSET_ID })
  await addAccount(ctx, ACTOR, { id: PAYEE, name: 'ACME GmbH', kind: 'payee', assetId: ASSET_ID })
  await postEntries(
    ctx,
    ACTOR,
    [
      {
        id: 'opening',
        description: 'Opening balance',
        postings: [
          { account: TREASURY, debit: '1000000000000' },
          { account: 'world', credit: '1000000000000' },
        ],
      },
    ],
    { kind: 'manual' },
  )
  return { ctx, dir }
}

async function measureOurs(ctx: CoreContext, transfers: Transfer[], batch: number): Promise<number> {
  const batches: EntryInput[][] = []
  for (let i = 0; i < transfers.length; i += batch) {
    batches.push(
      transfers.slice(i, i + batch).map((t) => ({
        id: t.id,
        description: 'Supplier payout, January run',
        postings: [
          { account: PAYEE, debit: t.amount },
          { account: TREASURY, credit: t.amount },
        ],
      })),
    )
  }
  const start = process.hrtime.bigint()
  for (const b of batches) await postEntries(ctx, ACTOR, b, { kind: 'manual' })
  return Number(process.hrtime.bigint() - start) / 1e9
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
  const nowIso = '2026-01-15T09:00:00.000Z'
  const writeBatch = s.transaction((rows: Transfer[]) => {
    let payeeDebits = 0n
    let treasuryCredits = 0n
    for (const t of rows) {
      const seq = insertEntry.run(t.id, '2026-01-15', 'manual', 'Supplier payout, January run', '{}', nowIso, ACTOR).lastInsertRowid
      insertPosting.run(seq, 0, PAYEE, ASSET_ID, t.minor.toString())
      insertPosting.run(seq, 1, TREASURY, ASSET_ID, (-t.minor).toString())
      payeeDebits += t.minor
      treasuryCredits += t.minor
    }
    const p = readBalance.get(PAYEE) as { debits_posted: string; credits_posted: string }
    writeBalance.run((BigInt(p.debits_posted) + payeeDebits).toString(), p.credits_posted, nowIso, PAYEE)
    const tr = readBalance.get(TREASURY) as { debits_posted: string; credits_posted: string }
    writeBalance.run(tr.debits_posted, (BigInt(tr.credits_posted) + treasuryCredits).toString(), nowIso, TREASURY)
  })
  const start = process.hrtime.bigint()
  for (let i = 0; i < transfers.length; i += batch) writeBatch.immediate(transfers.slice(i, i + batch))
  return Number(process.hrtime.bigint() - start) / 1e9
}

export async function runLedgerBench(): Promise<LedgerBenchRow[]> {
  const rows: LedgerBenchRow[] = []
  for (const { batch, entries } of PLAN) {
    const ours: number[] = []
    const raw: number[] = []
    const ratios: number[] = []
    for (let run = -1; run < RUNS_PER_CASE; run++) {
      // Each run measures both sides back to back (alternating which goes first), so a ratio
      // compares two measurements taken under the same load; the median ratio is reported.
      const order = run % 2 === 0 ? (['ours', 'raw'] as const) : (['raw', 'ours'] as const)
      const rate = { ours: 0, raw: 0 }
      for (const side of order) {
        const transfers = makeTransfers(entries, `${side}${run + 1}`)
        // Same schema and pragmas (openDb), same accounts and opening balance on both sides.
        const { ctx, dir } = await setupLedger(side)
        // The floor is raw better-sqlite3 on the workspace file: this bench measures SQLite.
        if (ctx.db.backend !== 'sqlite') throw new Error('the ledger bench measures the SQLite backend; unset COUNTERSIGN_TEST_DB')
        let seconds: number
        if (side === 'ours') {
          seconds = await measureOurs(ctx, transfers, batch)
          await ctx.db.close()
        } else {
          await ctx.db.close()
          seconds = measureRaw(dir, transfers, batch)
        }
        rate[side] = entries / seconds
        fs.rmSync(dir, { recursive: true, force: true })
      }
      if (run < 0) continue // warm-up
      ours.push(rate.ours)
      raw.push(rate.raw)
      ratios.push(rate.ours / rate.raw)
    }
    rows.push({ batch, entries, oursPerSec: median(ours), rawPerSec: median(raw), ratio: median(ratios) })
  }
  return rows
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function printLedgerBench(rows: LedgerBenchRow[]): void {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
  console.log(
    '\nLedger: 2-posting transfers per second (median of %d paired runs, fresh temp DB each, WAL + synchronous=FULL)',
    RUNS_PER_CASE,
  )
  console.log(['batch'.padStart(8), 'entries'.padStart(9), 'ours/s'.padStart(12), 'raw/s'.padStart(12), 'ours/raw'.padStart(9)].join('  '))
  for (const r of rows) {
    console.log(
      [
        fmt(r.batch).padStart(8),
        fmt(r.entries).padStart(9),
        fmt(r.oursPerSec).padStart(12),
        fmt(r.rawPerSec).padStart(12),
        r.ratio.toFixed(2).padStart(9),
      ].join('  '),
    )
  }
}
