/**
 * What the ledger benches share, so the SQLite table (ledger.bench.ts) and the PostgreSQL one
 * (ledgerPostgres.bench.ts) time the same transfers on the same books, the same way: the
 * accounts and opening balance, the deterministic transfers, the batch plan, the paired runs
 * (one warm-up, then medians) and the printed table.
 */
import type { EntryInput } from '../src/shared/ledgerApi'
import { parseAmount } from '../src/shared/money'
import type { CoreContext } from '../src/main/core/context'
import { addAccount, postEntries, seedDefaultAssets } from '../src/main/core/ledger'
import { median } from './median'

export const ASSET_ID = 'USDC@evm:8453'
const SCALE = 6
export const TREASURY = 'treasury-base-usdc'
export const PAYEE = 'payee-acme-gmbh'
export const ACTOR = 'bench'
/** The bench clock's time: created_at / updated_at of every row either side writes. */
export const NOW_ISO = '2026-01-15T09:00:00.000Z'
export const ENTRY_DATE = '2026-01-15'
export const ENTRY_KIND = 'manual'
export const ENTRY_DESCRIPTION = 'Supplier payout, January run'
/** Entries timed per batch size: enough calls that one slow fsync does not decide the figure. */
export const PLAN: readonly { batch: number; entries: number }[] = [
  { batch: 1, entries: 300 },
  { batch: 100, entries: 20_000 },
  { batch: 10_000, entries: 50_000 },
]
/**
 * Paired runs per batch size (plus one unreported warm-up run for the JIT). Medians are reported:
 * on a shared machine single runs swing by ±20%.
 */
export const RUNS_PER_CASE = 7

export type Side = 'ours' | 'raw'

export interface LedgerBenchRow {
  batch: number
  entries: number
  oursPerSec: number
  rawPerSec: number
  ratio: number
}

export interface Transfer {
  id: string
  amount: string
  minor: bigint
}

/** Deterministic pseudo-random amounts (xorshift), so runs compare like with like. */
export function makeTransfers(count: number, prefix: string): Transfer[] {
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

/** The books both sides start from: default assets, three accounts, an opening balance. */
export async function seedLedger(ctx: CoreContext): Promise<void> {
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
    { kind: ENTRY_KIND },
  )
}

/** "Ours": the transfers through postEntries, `batch` per call. Answers the seconds taken. */
export async function measureOurs(ctx: CoreContext, transfers: Transfer[], batch: number): Promise<number> {
  const batches: EntryInput[][] = []
  for (let i = 0; i < transfers.length; i += batch) {
    batches.push(
      transfers.slice(i, i + batch).map((t) => ({
        id: t.id,
        description: ENTRY_DESCRIPTION,
        postings: [
          { account: PAYEE, debit: t.amount },
          { account: TREASURY, credit: t.amount },
        ],
      })),
    )
  }
  const start = process.hrtime.bigint()
  for (const b of batches) await postEntries(ctx, ACTOR, b, { kind: ENTRY_KIND })
  return Number(process.hrtime.bigint() - start) / 1e9
}

/**
 * For every batch size of the plan: RUNS_PER_CASE paired runs after one warm-up. `measure` sets
 * up a fresh database for one side, times the transfers on it, tears it down and answers the
 * seconds the timed part took.
 */
export async function runPaired(measure: (side: Side, transfers: Transfer[], batch: number) => Promise<number>): Promise<LedgerBenchRow[]> {
  const rows: LedgerBenchRow[] = []
  for (const { batch, entries } of PLAN) {
    const ours: number[] = []
    const raw: number[] = []
    const ratios: number[] = []
    for (let run = -1; run < RUNS_PER_CASE; run++) {
      // Each run measures both sides back to back (alternating which goes first), so a ratio
      // compares two measurements taken under the same load; the median ratio is reported.
      const order: readonly Side[] = run % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours']
      const rate = { ours: 0, raw: 0 }
      for (const side of order) rate[side] = entries / (await measure(side, makeTransfers(entries, `${side}${run + 1}`), batch))
      if (run < 0) continue // warm-up
      ours.push(rate.ours)
      raw.push(rate.raw)
      ratios.push(rate.ours / rate.raw)
    }
    rows.push({ batch, entries, oursPerSec: median(ours), rawPerSec: median(raw), ratio: median(ratios) })
  }
  return rows
}

export function printLedgerTable(heading: string, rows: LedgerBenchRow[]): void {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
  console.log(`\n${heading}`)
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
