/**
 * The payees of a workspace, read from its payee accounts: accounts are one payee when they
 * share a name (the address book's "Acme Supplies USDC" and "Acme Supplies ETH", or an account
 * the engine opened as "Payee Acme Supplies (USDC@evm:8453)" before) or an address on the same
 * rail and network (compared as the rail compares them: ledger/payeeAccounts.ts). Read-only:
 * nothing here changes an account or moves a posting.
 */
import type { Rail } from '../../../shared/blocks'
import type { Payee, PayeeAddress } from '../../../shared/payeesApi'
import { formatAmount, parseMinor } from '../../../shared/money'
import type { CoreContext } from '../context'
import { addressKey, AUTO_PAYEE_ID_PREFIX, displayAddress, isCaseInsensitiveRail } from '../ledger/payeeAccounts'
import { unreachable } from '../util/invariant'

export interface PayeeAccountFacts {
  id: string
  name: string
  assetId: string
  assetCode: string
  scale: number
  rail: Rail
  network: string
  address: string | null
  createdAt: string
  /** Posted, debit-normal: what was booked to the payee, net. */
  balance: bigint
  /** Pending debits: held for the payee in escrow, not released yet. */
  pending: bigint
  auto: boolean
}

export interface PayeeGroup {
  key: string
  name: string
  inAddressBook: boolean
  accounts: PayeeAccountFacts[]
  addresses: PayeeAddress[]
}

const ENGINE_NAME_PREFIX = 'Payee '

/** "Acme Supplies USDC" -> "Acme Supplies"; "Payee Acme (USDC@evm:8453)" -> "Acme". */
export function payeeNameOf(a: Pick<PayeeAccountFacts, 'name' | 'assetId' | 'assetCode' | 'auto'>): string {
  let name = a.name.trim()
  if (a.auto && name.startsWith(ENGINE_NAME_PREFIX)) name = name.slice(ENGINE_NAME_PREFIX.length)
  for (const suffix of [` (${a.assetId})`, ` ${a.assetCode}`]) {
    if (name.endsWith(suffix) && name.length > suffix.length) name = name.slice(0, -suffix.length).trimEnd()
  }
  return name
}

function nameKey(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ')
}

/** Where an address lives: rail, network and the address as the rail compares it. */
export function placeKey(rail: string, network: string, address: string): string {
  return `${rail}|${network}|${addressKey(rail, address)}`
}

async function readPayeeAccounts(ctx: CoreContext): Promise<PayeeAccountFacts[]> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('accounts as a')
      .innerJoin('balances as b', 'b.account_id', 'a.id')
      .innerJoin('assets as s', 's.id', 'a.asset_id')
      .select([
        'a.id',
        'a.name',
        'a.asset_id',
        'a.address',
        'a.created_at',
        's.code',
        's.scale',
        's.rail',
        's.network',
        'b.debits_posted',
        'b.credits_posted',
        'b.debits_pending',
      ])
      .where('a.kind', '=', 'payee')
      .orderBy('a.created_at')
      .orderBy('a.id'),
  )
  return rows.map((r) => {
    if (r.rail !== 'evm' && r.rail !== 'stellar' && r.rail !== 'stripe') unreachable(`asset ${r.asset_id} has unknown rail ${r.rail}`)
    return {
      id: r.id,
      name: r.name,
      assetId: r.asset_id,
      assetCode: r.code,
      scale: r.scale,
      rail: r.rail,
      network: r.network,
      address: r.address,
      createdAt: r.created_at,
      balance: parseMinor(r.debits_posted) - parseMinor(r.credits_posted),
      pending: parseMinor(r.debits_pending),
      auto: r.id.startsWith(AUTO_PAYEE_ID_PREFIX),
    }
  })
}

/** An engine-opened account on a case-sensitive rail whose address is all lower case (written before the rule). */
function isLegacyLowered(a: PayeeAccountFacts): boolean {
  return a.auto && !isCaseInsensitiveRail(a.rail) && a.address !== null && a.address === a.address.toLowerCase()
}

/** Union-find over account indexes. */
function groupsOf(accounts: readonly PayeeAccountFacts[]): number[][] {
  const parent = accounts.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!
      i = parent[i]!
    }
    return i
  }
  const firstBy = new Map<string, number>()
  const join = (key: string, i: number) => {
    const j = firstBy.get(key)
    if (j === undefined) firstBy.set(key, i)
    else parent[find(i)] = find(j)
  }
  accounts.forEach((a, i) => {
    const name = payeeNameOf(a)
    if (name.length > 0) join(`name|${nameKey(name)}`, i)
    if (a.address !== null) join(`place|${placeKey(a.rail, a.network, a.address)}`, i)
  })
  // An account the engine opened before addresses kept their case (ledger/payeeAccounts.ts) holds
  // a lower-cased acct_ id or G… key: it belongs to the payee whose address it lower-cases. Only
  // those old accounts are joined this way; two exact addresses are never joined by case.
  const lowered = new Map<string, number>()
  accounts.forEach((a, i) => {
    if (a.address !== null && !isLegacyLowered(a)) {
      const key = placeKey(a.rail, a.network, a.address.toLowerCase())
      if (!lowered.has(key)) lowered.set(key, i)
    }
  })
  accounts.forEach((a, i) => {
    if (a.address === null || !isLegacyLowered(a)) return
    const j = lowered.get(placeKey(a.rail, a.network, a.address))
    if (j !== undefined) parent[find(i)] = find(j)
  })
  const out = new Map<number, number[]>()
  accounts.forEach((_, i) => {
    const root = find(i)
    out.set(root, [...(out.get(root) ?? []), i])
  })
  return [...out.values()]
}

/** Every payee of the workspace, address-book payees first, then by name. */
export async function readPayeeGroups(ctx: CoreContext): Promise<PayeeGroup[]> {
  const accounts = await readPayeeAccounts(ctx)
  const groups: PayeeGroup[] = groupsOf(accounts).map((idx) => {
    const members = idx.map((i) => accounts[i]!)
    // Accounts are read oldest first: the first address-book account names the payee and keys it.
    const lead = members.find((a) => !a.auto) ?? members[0]!
    const addresses = new Map<string, PayeeAddress>()
    const exactLower = new Set(members.filter((a) => a.address !== null && !isLegacyLowered(a)).map((a) => a.address!.toLowerCase()))
    for (const a of [lead, ...members]) {
      if (a.address === null) continue
      // The lower-cased spelling of an address the payee has exactly is not a second address.
      if (isLegacyLowered(a) && exactLower.has(a.address)) continue
      const place = placeKey(a.rail, a.network, a.address)
      if (!addresses.has(place)) addresses.set(place, { rail: a.rail, network: a.network, address: displayAddress(a.rail, a.address) })
    }
    return {
      key: lead.id,
      name: payeeNameOf(lead) || lead.name,
      inAddressBook: members.some((a) => !a.auto),
      accounts: members,
      addresses: [...addresses.values()],
    }
  })
  return groups.sort((a, b) =>
    a.inAddressBook !== b.inAddressBook
      ? a.inAddressBook
        ? -1
        : 1
      : a.name.localeCompare(b.name, 'en') || a.key.localeCompare(b.key, 'en'),
  )
}

/** Totals per asset of a group, exact. */
export function totalsOf(g: PayeeGroup): Payee['totals'] {
  const byAsset = new Map<string, { a: PayeeAccountFacts; paid: bigint; pending: bigint }>()
  for (const a of g.accounts) {
    const t = byAsset.get(a.assetId) ?? { a, paid: 0n, pending: 0n }
    t.paid += a.balance
    t.pending += a.pending
    byAsset.set(a.assetId, t)
  }
  return [...byAsset.values()]
    .sort((x, y) => x.a.assetId.localeCompare(y.a.assetId, 'en'))
    .map(({ a, paid, pending }) => ({
      assetId: a.assetId,
      assetCode: a.assetCode,
      rail: a.rail,
      network: a.network,
      scale: a.scale,
      paidOut: formatAmount(paid, a.scale),
      pending: formatAmount(pending, a.scale),
    }))
}
