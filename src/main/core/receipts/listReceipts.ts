/**
 * Searching receipts (receipts.list): newest first, keyset-paged by receipt number, with totals
 * per asset over everything the filter matches (first page only).
 *
 * Every filter is an index: payee (recipient or name, equality), batch, paid_at range, and the
 * text query as one range on receipt_search_terms (term starts with the folded query; see
 * searchTerms.ts for what a term is) — or the receipt number itself when the query reads as one.
 * Pages are `number < cursor ORDER BY number DESC LIMIT n`: a page costs the same at the end of
 * 100,000 receipts as at the start. Amounts are summed in BigInt from their exact text, never in
 * SQL (an SQL sum of TEXT amounts is a float, or overflows 64 bits on wei).
 */
import { CompiledQuery, sql, type RawBuilder } from 'kysely'
import { getAddress } from 'viem'
import { formatAmount } from '../../../shared/money'
import { RECEIPTS_PAGE_DEFAULT } from '../../../shared/limits'
import type { ReceiptFilter, ReceiptPage, ReceiptSummary, ReceiptTotal } from '../../../shared/receiptsApi'
import type { CoreContext } from '../context'
import type { Db } from '../db/Db'
import type { ReceiptRow } from '../db/schema'
import { canonicalJson } from '../util/canonicalJson'
import { invariant } from '../util/invariant'
import { displayNumberOf, parseReceiptNumber } from './receiptNumbers'
import { foldTerm, TERM_RANGE_END } from './searchTerms'

export interface ListReceiptsParameters extends ReceiptFilter {
  cursor?: string
  limit?: number
  /** false: leave the totals out (receiptTotals gives them). */
  totals?: boolean
}

type Assets = Map<string, { code: string; scale: number }>

export async function listReceipts(ctx: CoreContext, p: ListReceiptsParameters): Promise<ReceiptPage> {
  const limit = p.limit ?? RECEIPTS_PAGE_DEFAULT
  // The page's numbers first (from the indexes alone: sorting a month of matches by number never
  // drags their documents along), then those rows.
  let q = filteredReceipts(ctx, p).select('r.number')
  if (p.cursor !== undefined) q = q.where('r.number', '<', Number(p.cursor))
  // A date range: its index gives the numbers, sorted after (a walk down the numbers may pass most
  // of the table before it reaches an old month); the unary + keeps the planner off that walk.
  const byDate = p.from !== undefined || p.to !== undefined
  const ordered = byDate ? q.orderBy(sql`+"r"."number"`, 'desc') : q.orderBy('r.number', 'desc')
  const numbers = (await ctx.db.all(ordered.limit(limit + 1))).map((r) => Number(r.number))
  const wanted = numbers.slice(0, limit)
  const page =
    wanted.length === 0
      ? []
      : await ctx.db.all(ctx.db.k.selectFrom('receipts').selectAll().where('number', 'in', wanted).orderBy('number', 'desc'))
  const assets = await assetsOf(ctx)
  return {
    items: page.map((r) => toSummary(r, assets)),
    nextCursor: numbers.length > limit ? String(wanted.at(-1)!) : null,
    totals: p.cursor === undefined && p.totals !== false ? await totalsOf(ctx, p, assets) : null,
  }
}

/** receipts.totals: the totals of every receipt `f` matches, per asset. */
export async function receiptTotals(ctx: CoreContext, f: ReceiptFilter): Promise<ReceiptTotal[]> {
  return totalsOf(ctx, f, await assetsOf(ctx))
}

/** The receipts a filter matches, as a query to select from (`r` is the receipts table). */
export function filteredReceipts(ctx: CoreContext, f: ReceiptFilter) {
  let q = ctx.db.k.selectFrom('receipts as r')
  const payee = f.payee?.trim()
  if (payee) {
    const spellings = payeeSpellings(payee)
    q = q.where((eb) => eb.or([eb('r.recipient', 'in', spellings), eb('r.payee_name', '=', payee)]))
  }
  if (f.batchId !== undefined) q = q.where('r.batch_id', '=', f.batchId)
  if (f.kind !== undefined) q = q.where('r.kind', '=', f.kind)
  if (f.from !== undefined) q = q.where('r.paid_at', '>=', f.from.length === 10 ? `${f.from}T00:00:00.000Z` : f.from)
  if (f.to !== undefined) q = f.to.length === 10 ? q.where('r.paid_at', '<', nextDay(f.to)) : q.where('r.paid_at', '<=', f.to)
  const text = f.query === undefined ? '' : foldTerm(f.query)
  if (text !== '') {
    const number = parseReceiptNumber(text)
    q = q.where((eb) =>
      eb.or([
        eb(
          'r.number',
          'in',
          eb
            .selectFrom('receipt_search_terms as t')
            .select('t.number')
            .where('t.term', '>=', text)
            .where('t.term', '<', text + TERM_RANGE_END),
        ),
        ...(number !== null ? [eb('r.number', '=', number)] : []),
      ]),
    )
  }
  return q
}

/** A 0x address as typed, checksummed and lower case (payouts keep what the CSV said). */
function payeeSpellings(payee: string): string[] {
  if (!/^0x[0-9a-fA-F]{40}$/.test(payee)) return [payee]
  return [...new Set([payee, payee.toLowerCase(), getAddress(payee.toLowerCase())])]
}

function nextDay(day: string): string {
  const t = new Date(`${day}T00:00:00.000Z`)
  t.setUTCDate(t.getUTCDate() + 1)
  return t.toISOString()
}

export async function assetsOf(ctx: CoreContext): Promise<Assets> {
  return new Map(
    (await ctx.db.all(ctx.db.k.selectFrom('assets').select(['id', 'code', 'scale']))).map((a) => [
      a.id,
      { code: a.code, scale: Number(a.scale) },
    ]),
  )
}

export function toSummary(r: ReceiptRow, assets: Assets): ReceiptSummary {
  const asset = assets.get(r.asset_id) ?? { code: r.asset_id, scale: 0 }
  const number = Number(r.number)
  return {
    number,
    displayNumber: displayNumberOf(number, r.issued_at),
    kind: r.kind as ReceiptSummary['kind'],
    sha256: r.sha256,
    payoutId: r.payout_id,
    batchId: r.batch_id,
    escrowId: r.escrow_id,
    rail: r.rail,
    network: r.network,
    assetId: r.asset_id,
    code: asset.code,
    amount: formatAmount(BigInt(r.amount), asset.scale),
    payeeName: r.payee_name,
    recipient: r.recipient,
    reference: r.reference,
    txHash: r.tx_hash,
    paidAt: r.paid_at,
    issuedAt: r.issued_at,
    previousNumber: r.previous_number === null ? null : Number(r.previous_number),
  }
}

/**
 * Totals over the whole filter. Receipts are only ever appended, numbered in commit order, so the
 * totals of a filter over receipts 1..N never change: they are kept per database (in memory) and
 * the next call adds only receipts after N. Read first, N bounds every query, so what is summed is
 * exactly 1..N whatever is committed meanwhile (a receipt numbered N or lower committed before N).
 *
 * Sums are exact and done by the database where that is exact: PostgreSQL's numeric sum is;
 * SQLite sums 64-bit integers exactly and raises an error rather than overflow, so amounts of up to
 * 18 digits are summed there (read back as text, never as a JS number) and longer ones (wei) here
 * in BigInt. An overflowing SQLite sum falls back to summing every row here.
 */
async function totalsOf(ctx: CoreContext, f: ReceiptFilter, assets: Assets): Promise<ReceiptTotal[]> {
  const top = Number((await ctx.db.first(ctx.db.k.selectFrom('receipts').select((eb) => eb.fn.max('number').as('n'))))?.n ?? 0)
  let cache = totalsCache.get(ctx.db)
  if (!cache) totalsCache.set(ctx.db, (cache = new Map()))
  // The filter alone (a list call's page size and cursor are no part of it).
  const key = canonicalJson({
    query: f.query === undefined ? undefined : foldTerm(f.query),
    payee: f.payee?.trim(),
    batchId: f.batchId,
    kind: f.kind,
    from: f.from,
    to: f.to,
  })
  const known = cache.get(key)
  // A database with fewer receipts than remembered was replaced (a restore): start again.
  const start = known !== undefined && known.upTo <= top ? known : { upTo: 0, sums: new Sums() }
  const sums = start.sums.copy()
  if (top > start.upTo) await addTotals(ctx, f, start.upTo, top, sums)
  cache.delete(key)
  cache.set(key, { upTo: top, sums })
  if (cache.size > TOTALS_CACHED_FILTERS_MAX) cache.delete(cache.keys().next().value!)
  return sums.totals(assets)
}

/** Filters whose totals are kept per database (most recently used). */
const TOTALS_CACHED_FILTERS_MAX = 64
const totalsCache = new WeakMap<Db, Map<string, { upTo: number; sums: Sums }>>()

async function addTotals(ctx: CoreContext, f: ReceiptFilter, after: number, upTo: number, sums: Sums): Promise<void> {
  const within = () => filteredReceipts(ctx, f).where('r.number', '>', after).where('r.number', '<=', upTo)
  const grouped = (total: RawBuilder<string>) =>
    within()
      .select(['r.asset_id', 'r.kind', total.as('total'), (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy(['r.asset_id', 'r.kind'])
  if (ctx.db.backend === 'postgres') {
    for (const g of await ctx.db.all(grouped(sql<string>`CAST(SUM(CAST(r.amount AS numeric)) AS text)`)))
      sums.add(g.asset_id, g.kind, Number(g.n), BigInt(g.total))
    return
  }
  const part = new Sums()
  try {
    const small = grouped(sql<string>`CAST(SUM(CAST(r.amount AS INTEGER)) AS TEXT)`).where(sql`length(r.amount)`, '<=', INT64_DIGITS_SAFE)
    for (const g of await ctx.db.all(onAmountsIndex(f, small.compile()))) part.add(g.asset_id, g.kind, Number(g.n), BigInt(g.total))
  } catch {
    // A sum past 2^63: every amount of the range is summed here instead.
    for (const r of await ctx.db.all(within().select(['r.asset_id', 'r.kind', 'r.amount'])))
      sums.add(r.asset_id, r.kind, 1, BigInt(r.amount))
    return
  }
  const large = within()
    .select(['r.asset_id', 'r.kind', 'r.amount'])
    .where(sql`length(r.amount)`, '>', INT64_DIGITS_SAFE)
  for (const r of await ctx.db.all(onAmountsIndex(f, large.compile()))) part.add(r.asset_id, r.kind, 1, BigInt(r.amount))
  sums.merge(part)
}

/**
 * SQLite: read the matches' amounts from a covering index — by number for a text search or no
 * filter, by day for a date range — instead of the wide rows: with the number bounds of the
 * totals its planner prefers the rowid, which reads every match's document. A payee or a batch
 * has an index of its own and few matches; those are left to the planner.
 */
function onAmountsIndex<R>(f: ReceiptFilter, q: CompiledQuery<R>): CompiledQuery<R> {
  if (f.payee !== undefined || f.batchId !== undefined) return q
  const index = f.from !== undefined || f.to !== undefined ? 'receipts_paid_at' : 'receipts_amounts'
  const from = 'from "receipts" as "r"'
  invariant(q.sql.includes(from), 'the receipts query changed shape')
  return CompiledQuery.raw(q.sql.replace(from, `${from} indexed by "${index}"`), [...q.parameters]) as CompiledQuery<R>
}

/** Digits every 64-bit signed integer holds (2^63 − 1 has 19). */
const INT64_DIGITS_SAFE = 18

export interface AmountRow {
  asset_id: string
  kind: string
  amount: string
}

class Sums {
  private readonly byAsset = new Map<string, { count: number; paid: bigint; reversed: bigint; refunded: bigint }>()

  copy(): Sums {
    const out = new Sums()
    out.merge(this)
    return out
  }

  merge(other: Sums): void {
    for (const [assetId, s] of other.byAsset) {
      const mine = this.byAsset.get(assetId) ?? { count: 0, paid: 0n, reversed: 0n, refunded: 0n }
      this.byAsset.set(assetId, {
        count: mine.count + s.count,
        paid: mine.paid + s.paid,
        reversed: mine.reversed + s.reversed,
        refunded: mine.refunded + s.refunded,
      })
    }
  }

  add(assetId: string, kind: string, count: number, minor: bigint): void {
    const s = this.byAsset.get(assetId) ?? { count: 0, paid: 0n, reversed: 0n, refunded: 0n }
    s.count += count
    if (kind === 'reversal') s.reversed += minor
    else if (kind === 'escrow_refund') s.refunded += minor
    else s.paid += minor
    this.byAsset.set(assetId, s)
  }

  totals(assets: Assets): ReceiptTotal[] {
    return [...this.byAsset.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([assetId, s]) => {
        const asset = assets.get(assetId) ?? { code: assetId, scale: 0 }
        return {
          assetId,
          code: asset.code,
          count: s.count,
          paid: formatAmount(s.paid, asset.scale),
          reversed: formatAmount(s.reversed, asset.scale),
          refunded: formatAmount(s.refunded, asset.scale),
          net: formatAmount(s.paid - s.reversed, asset.scale),
        }
      })
  }
}

/** Totals per asset, exact: paid (payouts, escrow releases), reversed, refunded to the payer. */
export function sumByAsset(rows: readonly AmountRow[], assets: Assets): ReceiptTotal[] {
  const sums = new Sums()
  for (const r of rows) sums.add(r.asset_id, r.kind, 1, BigInt(r.amount))
  return sums.totals(assets)
}
