/**
 * What the pulls look up in our own books to describe a rail record: the ledger's treasury
 * account a statement account shows, the payout a transaction carried (so a line names the payout
 * the ledger booked it as), and the records not stored yet (an anti-join on external_key, which
 * the unique index answers).
 */
import { sql, type Expression, type RawBuilder } from 'kysely'
import type { CoreContext } from '../../context'
import { treasuryAccount } from '../../payouts/execute/treasuryAccount'

/** Queries per `in (…)` list. */
const KEYS_PER_QUERY = 500

/** The ledger's treasury account of `assetId` at `address`, or null. */
export async function treasuryLinkOf(ctx: CoreContext, assetId: string, address: string): Promise<string | null> {
  return (await treasuryAccount(ctx, assetId, address))?.id ?? null
}

/**
 * The payouts a confirmed submission carried, in on-chain order (Paid.index / operation index),
 * keyed by the column that names its transaction: tx_hash (EVM, Stellar) or block_hash (Stripe:
 * the transfer id). Hashes are compared lower-case.
 */
export async function payoutsOfTransactions(
  ctx: CoreContext,
  rail: string,
  network: string,
  by: 'tx_hash' | 'block_hash',
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  const wanted = [...new Set(ids)]
  for (let start = 0; start < wanted.length; start += KEYS_PER_QUERY) {
    const chunk = wanted.slice(start, start + KEYS_PER_QUERY)
    const rows = await ctx.db.all(
      ctx.db.k
        .selectFrom('submissions as s')
        .innerJoin('submission_payouts as sp', 'sp.submission_id', 's.id')
        .select([`s.${by} as ref`, 'sp.payout_id', 'sp.idx'])
        .where('s.rail', '=', rail)
        .where('s.network', '=', network)
        .where('s.state', '=', 'confirmed')
        .where(`s.${by}`, 'in', by === 'tx_hash' ? [...chunk, ...chunk.map((h) => h.toLowerCase())] : chunk)
        .orderBy('sp.idx'),
    )
    for (const r of rows) {
      if (r.ref === null) continue
      const key = by === 'tx_hash' ? r.ref.toLowerCase() : r.ref
      const list = out.get(key) ?? []
      list[Number(r.idx)] = r.payout_id
      out.set(key, list)
    }
  }
  return out
}

/** `NOT EXISTS` a statement line whose external key is `prefix || column || suffix`. */
export function notStoredYet(prefix: string, column: Expression<unknown>, suffix = ''): RawBuilder<boolean> {
  // The text casts make `||` concatenate on PostgreSQL (parameters carry no type) as on SQLite.
  return sql<boolean>`not exists (select 1 from statement_lines where statement_lines.external_key = cast(${prefix} as text) || ${column} || cast(${suffix} as text))`
}

/** "2026-12-04" of a unix time in seconds (books keep UTC dates). */
export function utcDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10)
}
