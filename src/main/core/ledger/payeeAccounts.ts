/**
 * Which ledger account a booking uses for a payee and for a fee — the one place that decides it,
 * so payouts, escrow, Stripe reversals and the payees view can never disagree.
 *
 * A payee is ONE account per asset, found by its address on the asset's rail:
 *   - EVM addresses are a hex number: compared case-insensitively (EIP-55 is only a spelling);
 *     a new account keeps the checksum form for display, its id the lower-case form.
 *   - Stellar G… keys and Stripe acct_… ids are case-sensitive: compared and stored exactly.
 * An account the operator opened (the address book) wins over one the engine opened itself
 * ("payee:<asset>:<address>"), then the oldest; only when none exists is one opened.
 *
 * Fees go to the workspace's fees account for the asset (the one an admin opened, e.g. the
 * sandbox's "Fees ETH (Anvil)"); "fees:<asset>" is opened only when there is none.
 *
 * Accounts opened before this rule (ids with a lower-cased Stellar key or Stripe id) keep their
 * postings: history is never moved. A reversal books against the accounts of the entry it
 * reverses (reversedPostings), never against a fresh resolution, so it always undoes exactly.
 */
import { toChecksumAddress } from '../signing/evmCrypto'
import type { PostingInput } from '../../../shared/ledgerApi'
import { formatAmount, parseMinor } from '../../../shared/money'
import type { CoreContext } from '../context'
import type { AccountRow } from '../db/schema'
import { invariant, unreachable } from '../util/invariant'
import { ensureAccount } from './ensureAccount'
import { REF_CHARS_MAX } from './ids'

/** Prefix of the payee accounts the engine opens itself (not from the address book). */
export const AUTO_PAYEE_ID_PREFIX = 'payee:'
/** Prefix of the fees account the engine opens when the workspace has none for an asset. */
export const AUTO_FEES_ID_PREFIX = 'fees:'
/**
 * Fees accounts other rooms open for their own bookings (recon's "bankfees:<asset>", bank charges
 * and differences): never the network-fee account, even when they are the asset's only one.
 */
const OTHER_FEES_ID_PREFIXES: readonly string[] = ['bankfees:']
/** Ids tried when an engine id is taken by an account of another address (never in practice). */
const AUTO_ID_ATTEMPTS_MAX = 16
const ACCOUNT_NAME_CHARS_MAX = 120

interface AssetRail {
  id: string
  code: string
  rail: string
}

async function assetRail(ctx: CoreContext, assetId: string): Promise<AssetRail> {
  const a = await ctx.db.first(ctx.db.k.selectFrom('assets').select(['id', 'code', 'rail']).where('id', '=', assetId))
  invariant(a, () => `asset ${assetId} vanished`)
  return a
}

/** Does the rail compare addresses case-insensitively? Only EVM (hex). */
export function isCaseInsensitiveRail(rail: string): boolean {
  return rail === 'evm'
}

/** The form an address is compared in on its rail. */
export function addressKey(rail: string, address: string): string {
  return isCaseInsensitiveRail(rail) ? address.toLowerCase() : address
}

/** viem's isAddress(…, { strict: false }): 0x and 40 hex digits, any case. */
const EVM_ADDRESS_RE = /^0x[a-fA-F0-9]{40}$/

/**
 * The form an address is shown and stored in: EIP-55 on EVM, exactly as given elsewhere. (As
 * viem's getAddress, without loading viem: payeeAccounts.test.ts compares the two.)
 */
export function displayAddress(rail: string, address: string): string {
  return rail === 'evm' && EVM_ADDRESS_RE.test(address) ? toChecksumAddress(address) : address
}

/** Address-book accounts before engine-opened ones, then the oldest, then by id: deterministic. */
function preferred(a: AccountRow, b: AccountRow, autoPrefix: string): number {
  const autoA = a.id.startsWith(autoPrefix) ? 1 : 0
  const autoB = b.id.startsWith(autoPrefix) ? 1 : 0
  if (autoA !== autoB) return autoA - autoB
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** The payee account of `address` in `assetId`, or undefined when the workspace has none yet. */
export async function findPayeeAccount(ctx: CoreContext, assetId: string, address: string): Promise<AccountRow | undefined> {
  const asset = await assetRail(ctx, assetId)
  const key = addressKey(asset.rail, address)
  // accounts_asset (asset_id, kind) narrows to this asset's payees; the address test is exact
  // (SQLite's and PostgreSQL's text '=' are both case-sensitive) or on lower() for EVM.
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('accounts')
      .selectAll()
      .where('asset_id', '=', assetId)
      .where('kind', '=', 'payee')
      .where((eb) => (isCaseInsensitiveRail(asset.rail) ? eb(eb.fn('lower', ['address']), '=', key) : eb('address', '=', key))),
  )
  return [...rows].sort((a, b) => preferred(a, b, AUTO_PAYEE_ID_PREFIX))[0]
}

export interface EnsurePayeeAccountParameters {
  assetId: string
  address: string
  /** The payee's name from the payout or escrow, when it has one. */
  name: string | null
}

/** The payee account of an address in an asset: found (address book first), else opened once. */
export async function ensurePayeeAccount(ctx: CoreContext, p: EnsurePayeeAccountParameters): Promise<string> {
  const found = await findPayeeAccount(ctx, p.assetId, p.address)
  if (found) return found.id
  const asset = await assetRail(ctx, p.assetId)
  const base = `${AUTO_PAYEE_ID_PREFIX}${p.assetId}:${addressKey(asset.rail, p.address)}`
  invariant(base.length + 3 <= REF_CHARS_MAX, () => `payee account id ${base} is longer than an account id may be`)
  for (let attempt = 1; attempt <= AUTO_ID_ATTEMPTS_MAX; attempt++) {
    const id = attempt === 1 ? base : `${base}:${attempt}`
    // Taken by an account whose address is another spelling that does not match on this rail
    // (a lower-cased Stellar key written before the rule above): leave it, take the next id.
    if (await ctx.db.first(ctx.db.k.selectFrom('accounts').select('id').where('id', '=', id))) continue
    const shown = displayAddress(asset.rail, p.address)
    return await ensureAccount(ctx, {
      id,
      kind: 'payee',
      assetId: p.assetId,
      name: `${p.name?.trim() || shown} ${asset.code}`.slice(0, ACCOUNT_NAME_CHARS_MAX),
      address: shown,
    })
  }
  return unreachable(`no free payee account id for ${base}`)
}

/** The workspace's fees account for an asset (the one an admin opened), else "fees:<asset>" opened once. */
export async function feesAccountFor(ctx: CoreContext, assetId: string): Promise<string> {
  const rows = await ctx.db.all(ctx.db.k.selectFrom('accounts').selectAll().where('asset_id', '=', assetId).where('kind', '=', 'fees'))
  const configured = rows
    .filter((r) => !OTHER_FEES_ID_PREFIXES.some((x) => r.id.startsWith(x)))
    .sort((a, b) => preferred(a, b, AUTO_FEES_ID_PREFIX))[0]
  if (configured) return configured.id
  return await ensureAccount(ctx, {
    id: `${AUTO_FEES_ID_PREFIX}${assetId}`,
    kind: 'fees',
    assetId,
    name: `Network fees (${assetId})`.slice(0, ACCOUNT_NAME_CHARS_MAX),
  })
}

/** Does a journal entry with this id exist? A booking that finds its own id was already made. */
export async function entryExists(ctx: CoreContext, entryId: string): Promise<boolean> {
  return (await ctx.db.first(ctx.db.k.selectFrom('entries').select('id').where('id', '=', entryId))) !== undefined
}

/**
 * The postings that undo entry `entryId` exactly: same accounts, sides swapped. Null when the
 * entry does not exist. A reversal must hit the accounts the money went to, whatever the
 * resolution above would pick today.
 */
export async function reversedPostings(ctx: CoreContext, entryId: string): Promise<PostingInput[] | null> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('entries')
      .innerJoin('postings', 'postings.entry_seq', 'entries.seq')
      .innerJoin('assets', 'assets.id', 'postings.asset_id')
      .select(['postings.account_id', 'postings.amount', 'assets.scale'])
      .where('entries.id', '=', entryId)
      .orderBy('postings.idx'),
  )
  if (rows.length === 0) return null
  return rows.map((r) => {
    const minor = parseMinor(r.amount)
    invariant(minor !== 0n, () => `entry ${entryId} has a zero posting on ${r.account_id}`)
    const amount = formatAmount(minor < 0n ? -minor : minor, r.scale)
    return minor > 0n ? { account: r.account_id, credit: amount } : { account: r.account_id, debit: amount }
  })
}

/** The payee account an entry debited (the account a payout's booking paid), or null. */
export async function payeeAccountOfEntry(ctx: CoreContext, entryId: string): Promise<string | null> {
  const row = await ctx.db.first(
    ctx.db.k
      .selectFrom('entries')
      .innerJoin('postings', 'postings.entry_seq', 'entries.seq')
      .innerJoin('accounts', 'accounts.id', 'postings.account_id')
      .select('postings.account_id')
      .where('entries.id', '=', entryId)
      .where('accounts.kind', '=', 'payee')
      .orderBy('postings.idx')
      .limit(1),
  )
  return row?.account_id ?? null
}
