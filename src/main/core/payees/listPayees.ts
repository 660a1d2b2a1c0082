/** payees.list: one line per payee — name, addresses per rail, totals per asset, payouts. */
import type { Payee } from '../../../shared/payeesApi'
import type { CoreContext } from '../context'
import { placeKey, readPayeeGroups, totalsOf } from './payeeGroups'

export async function listPayees(ctx: CoreContext): Promise<Payee[]> {
  const groups = await readPayeeGroups(ctx)
  const byPlace = new Map<string, string>()
  for (const g of groups) for (const a of g.accounts) if (a.address !== null) byPlace.set(placeKey(a.rail, a.network, a.address), g.key)
  // One row per recipient spelling: a handful per payee, whatever the number of payouts.
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('payouts')
      .select((eb) => [
        'rail',
        'network',
        'recipient',
        eb.fn.countAll<number | string>().as('n'),
        eb.fn.max(eb.case().when('state', '=', 'confirmed').then(eb.ref('updated_at')).end()).as('last_paid_at'),
      ])
      .groupBy(['rail', 'network', 'recipient']),
  )
  const stats = new Map<string, { payouts: number; lastPaidAt: string | null }>()
  for (const r of rows) {
    const key = byPlace.get(placeKey(r.rail, r.network, r.recipient))
    if (key === undefined) continue
    const s = stats.get(key) ?? { payouts: 0, lastPaidAt: null }
    s.payouts += Number(r.n)
    const last = r.last_paid_at as string | null
    if (last !== null && (s.lastPaidAt === null || last > s.lastPaidAt)) s.lastPaidAt = last
    stats.set(key, s)
  }
  return groups.map((g) => ({
    key: g.key,
    name: g.name,
    inAddressBook: g.inAddressBook,
    addresses: g.addresses,
    totals: totalsOf(g),
    accountIds: g.accounts.map((a) => a.id),
    payouts: stats.get(g.key)?.payouts ?? 0,
    lastPaidAt: stats.get(g.key)?.lastPaidAt ?? null,
  }))
}
