/**
 * The search's arithmetic and its plans, on receipt rows written straight into a workspace
 * (SQLite file; PostgreSQL under COUNTERSIGN_TEST_DB): totals are exact past 64 bits (wei, and
 * sums that overflow SQLite's integers), follow receipts issued after they were first computed,
 * and respect every filter; pages walk the whole filter once; on SQLite no search reads the whole
 * receipts table to find a page.
 */
import { CompiledQuery, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CoreEvents, fixedClock, type CoreContext } from '../context'
import { openDb } from '../db/openDb'
import { RECEIPT_COLUMNS } from './issueReceipts'
import { filteredReceipts, listReceipts } from './listReceipts'
import { searchTermsOf } from './searchTerms'

let ctx: CoreContext

const COLUMNS = RECEIPT_COLUMNS

interface Row {
  kind?: string
  assetId?: string
  amount: string
  name?: string
  batch?: string
  paidAt?: string
}

let next = 1
async function insert(rows: readonly Row[]): Promise<void> {
  const values: unknown[][] = []
  const terms: unknown[][] = []
  for (const r of rows) {
    const n = next++
    const row: Record<string, unknown> = {
      number: n,
      sha256: n.toString(16).padStart(64, '0'),
      kind: r.kind ?? 'payout',
      subject_key: `payout:t${n}`,
      payout_id: `t${n}`,
      batch_id: r.batch ?? 'b1',
      escrow_id: null,
      rail: 'evm',
      network: '1',
      asset_id: r.assetId ?? 'USDC@evm:1',
      amount: r.amount,
      payee_name: r.name ?? `Payee ${n}`,
      recipient: `0x${n.toString(16).padStart(40, '0')}`,
      reference: `REF-${n}`,
      tx_hash: `0x${n.toString(16).padStart(64, '0')}`,
      paid_at: r.paidAt ?? '2026-05-10T10:00:00.000Z',
      issued_at: '2026-05-10T11:00:00.000Z',
      document: '{}',
      key_id: 'k',
      signature: '00',
      previous_number: null,
    }
    values.push(COLUMNS.map((c) => row[c]))
    for (const t of searchTermsOf({
      payeeName: String(row.payee_name),
      recipient: String(row.recipient),
      reference: String(row.reference),
      txHash: String(row.tx_hash),
      subjectId: String(row.payout_id),
    }))
      terms.push([t, n])
  }
  await ctx.db.tx(async () => {
    await ctx.db.insertRows('receipts', COLUMNS, values)
    await ctx.db.insertRows('receipt_search_terms', ['term', 'number'], terms)
  })
}

beforeEach(async () => {
  next = 1
  ctx = { db: await openDb({ dataDir: ':memory:' }), clock: fixedClock(), events: new CoreEvents() }
})
afterEach(async () => {
  await ctx.db.close()
})

describe('receipt totals', () => {
  it('are exact in wei and past 2^63, and follow new receipts', async () => {
    const wei = '12345678901234567891234' // 23 digits: never a 64-bit integer
    await insert([
      { assetId: 'ETH@evm:1', amount: wei, name: 'Big Spender' },
      { assetId: 'ETH@evm:1', amount: '1', name: 'Big Spender' },
      ...Array.from({ length: 11 }, () => ({ amount: '900000000000000000', name: 'Overflow Ltd' })), // 18 digits each, 9.9e18 together
      { amount: '5', kind: 'reversal', name: 'Overflow Ltd' },
      { amount: '7', kind: 'escrow_refund', name: 'Overflow Ltd' },
    ])
    const all = await listReceipts(ctx, {})
    const usdc = 9_900_000_000_000_000_000n
    expect(all.totals).toEqual([
      {
        assetId: 'ETH@evm:1',
        code: 'ETH@evm:1',
        count: 2,
        paid: String(BigInt(wei) + 1n),
        reversed: '0',
        refunded: '0',
        net: String(BigInt(wei) + 1n),
      },
      { assetId: 'USDC@evm:1', code: 'USDC@evm:1', count: 13, paid: String(usdc), reversed: '5', refunded: '7', net: String(usdc - 5n) },
    ])
    // Asked again after more receipts: the new ones are added, nothing is counted twice.
    await insert([{ amount: '3' }, { assetId: 'ETH@evm:1', amount: '2' }])
    const again = await listReceipts(ctx, {})
    expect(again.totals!.map((t) => [t.assetId, t.count, t.paid])).toEqual([
      ['ETH@evm:1', 3, String(BigInt(wei) + 3n)],
      ['USDC@evm:1', 14, String(usdc + 3n)],
    ])
    const overflow = await listReceipts(ctx, { query: 'overflow' })
    expect(overflow.totals).toEqual([
      { assetId: 'USDC@evm:1', code: 'USDC@evm:1', count: 13, paid: String(usdc), reversed: '5', refunded: '7', net: String(usdc - 5n) },
    ])
    const big = await listReceipts(ctx, { payee: 'Big Spender' })
    expect(big.totals!.map((t) => t.paid)).toEqual([String(BigInt(wei) + 1n)])
  })

  it('respect the date range, the batch and the kind; pages cover the filter once', async () => {
    await insert([
      { amount: '1', paidAt: '2026-04-30T23:59:59.999Z' },
      { amount: '10', paidAt: '2026-05-01T00:00:00.000Z', batch: 'b2' },
      { amount: '100', paidAt: '2026-05-31T23:59:59.999Z', batch: 'b2' },
      { amount: '1000', paidAt: '2026-06-01T00:00:00.000Z' },
      { amount: '10000', paidAt: '2026-05-15T00:00:00.000Z', kind: 'reversal' },
    ])
    const paid = async (input: Parameters<typeof listReceipts>[1]) =>
      (await listReceipts(ctx, input)).totals!.map((t) => [t.paid, t.reversed])
    expect(await paid({ from: '2026-05-01', to: '2026-05-31' })).toEqual([['110', '10000']])
    expect(await paid({ from: '2026-05-01T00:00:00.001Z' })).toEqual([['1100', '10000']])
    expect(await paid({ batchId: 'b2' })).toEqual([['110', '0']])
    expect(await paid({ kind: 'reversal' })).toEqual([['0', '10000']])

    const seen: number[] = []
    let cursor: string | undefined
    for (let guard = 0; guard < 10; guard++) {
      const page = await listReceipts(ctx, { limit: 2, ...(cursor !== undefined ? { cursor } : {}) })
      seen.push(...page.items.map((i) => i.number))
      if (page.nextCursor === null) break
      cursor = page.nextCursor
    }
    expect(seen).toEqual([5, 4, 3, 2, 1])
    const month = await listReceipts(ctx, { from: '2026-05-01', to: '2026-05-31', limit: 1 })
    expect(month.items.map((i) => i.number)).toEqual([5])
    expect(
      (await listReceipts(ctx, { from: '2026-05-01', to: '2026-05-31', limit: 1, cursor: month.nextCursor! })).items.map((i) => i.number),
    ).toEqual([3])
  })
})

describe('search plans (SQLite)', () => {
  it('find a page through an index, never by reading every receipt', async () => {
    if (ctx.db.backend !== 'sqlite') return
    await insert(Array.from({ length: 50 }, (_, i) => ({ amount: String(i + 1) })))
    await ctx.db.run(sql`ANALYZE`)
    const plan = async (q: { compile(): CompiledQuery<unknown> }): Promise<string> => {
      const c = q.compile()
      const rows = await ctx.db.all(
        CompiledQuery.raw(`EXPLAIN QUERY PLAN ${c.sql}`, [...c.parameters]) as CompiledQuery<{ detail: string }>,
      )
      return rows.map((r) => r.detail).join(' | ')
    }
    for (const filter of [
      { payee: '0x0000000000000000000000000000000000000007' },
      { query: 'payee 7' },
      { batchId: 'b1' },
      { query: 'ref-3' },
    ]) {
      const p = await plan(filteredReceipts(ctx, filter).select('r.number').orderBy('r.number', 'desc').limit(51))
      expect(p, JSON.stringify(filter)).not.toMatch(/SCAN r\b(?! USING COVERING INDEX)/)
      expect(p).toMatch(/INDEX|PRIMARY KEY/)
    }
  })
})
