/**
 * The address book: payee accounts of the ledger that carry an address, on one rail and network.
 * Used to tell a known payee from a new one and to spot look-alike (poisoned) addresses.
 */
import type { CoreContext } from '../../context'

export interface KnownPayee {
  accountId: string
  name: string
  /** As stored on the account. */
  address: string
}

export async function addressBookKnownPayees(ctx: CoreContext, rail: string, network: string): Promise<KnownPayee[]> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('accounts')
      .innerJoin('assets', 'assets.id', 'accounts.asset_id')
      .select(['accounts.id as accountId', 'accounts.name as name', 'accounts.address as address'])
      .where('accounts.kind', '=', 'payee')
      .where('accounts.address', 'is not', null)
      .where('assets.rail', '=', rail)
      .where('assets.network', '=', network)
      .orderBy('accounts.id'),
  )
  // One payee may hold several accounts (one per asset) with the same address: list it once.
  const seen = new Set<string>()
  const out: KnownPayee[] = []
  for (const r of rows) {
    const key = rail === 'evm' ? r.address!.toLowerCase() : r.address!
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ accountId: r.accountId, name: r.name, address: r.address! })
  }
  return out
}
