/**
 * The harness's read side of claimable balances, in Horizon's shapes and paging:
 * GET /claimable_balances[?claimant=|sponsor=|asset=], /claimable_balances/:id and
 * /claimable_balances/:id/operations (which operation created it and which claimed it — kept
 * after the claim, as Horizon's history is). Apart from stellarHarness.ts, which holds the state.
 */
import { claimableBalanceJson, type ClaimableBalanceEntry } from './claimableBalances'

/** Horizon's default and largest page. */
const PAGE_LIMIT_DEFAULT = 10
const PAGE_LIMIT_MAX = 200
const FILTERS = ['claimant', 'sponsor', 'asset'] as const

/** One operation in Horizon's JSON, with its paging token. */
export interface OperationRecord {
  pagingToken: string
  body: Record<string, unknown>
}

/** The JSON to answer with, or null for Horizon's 404. */
export function claimableBalancesRoute(
  parts: readonly string[],
  q: URLSearchParams,
  balances: ReadonlyMap<string, ClaimableBalanceEntry>,
  operations: ReadonlyMap<string, readonly OperationRecord[]>,
): Record<string, unknown> | null {
  const id = parts[1]?.toLowerCase()
  if (id && parts[2] === 'operations' && parts.length === 3) {
    const ops = operations.get(id)
    return ops ? page(ops, `/claimable_balances/${id}/operations`, q) : null
  }
  if (id) {
    const e = balances.get(id)
    return e && parts.length === 2 ? claimableBalanceJson(e) : null
  }
  const [claimant, sponsor, asset] = FILTERS.map((k) => q.get(k))
  const list = [...balances.values()]
    .sort((a, b) => a.order - b.order)
    .map((e) => ({ e, json: claimableBalanceJson(e) }))
    .filter(
      ({ e, json }) =>
        (!claimant || e.claimants.some((c) => c.destination === claimant)) &&
        (!sponsor || e.sponsor === sponsor) &&
        (!asset || json['asset'] === asset),
    )
    .map(({ json }) => ({ pagingToken: String(json['paging_token']), body: json }))
  const filters = [...q].filter(([k]) => (FILTERS as readonly string[]).includes(k)).map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
  return page(list, `/claimable_balances${filters.length > 0 ? `?${filters.join('&')}` : ''}`, q)
}

/** A page of records in creation order, after a cursor (a paging token), either way. */
function page(all: readonly OperationRecord[], base: string, q: URLSearchParams): Record<string, unknown> {
  const order = q.get('order') === 'desc' ? 'desc' : 'asc'
  const limit = Math.min(Math.max(Number(q.get('limit') ?? PAGE_LIMIT_DEFAULT) || PAGE_LIMIT_DEFAULT, 1), PAGE_LIMIT_MAX)
  const cursor = q.get('cursor')
  let list = order === 'desc' ? all.slice().reverse() : all.slice()
  if (cursor) {
    const at = list.findIndex((r) => r.pagingToken === cursor)
    list = at >= 0 ? list.slice(at + 1) : list
  }
  const records = list.slice(0, limit)
  const last = records.at(-1)?.pagingToken ?? cursor ?? ''
  const sep = base.includes('?') ? '&' : '?'
  return {
    _links: {
      self: { href: `${base}${sep}cursor=${cursor ?? ''}&limit=${limit}&order=${order}` },
      next: { href: `${base}${sep}cursor=${last}&limit=${limit}&order=${order}` },
      prev: { href: `${base}${sep}cursor=${records[0]?.pagingToken ?? ''}&limit=${limit}&order=${order === 'asc' ? 'desc' : 'asc'}` },
    },
    _embedded: { records: records.map((r) => r.body) },
  }
}
