/**
 * Both sides of one statement account, read into the engine's plain items (../match/matchTypes.ts)
 * and into the rows the views show:
 *
 * - statement side: the account's booked statement lines (bank files and rail records), amount as
 *   the bank wrote it, keys from its reference fields and the reference-like tokens of its text;
 * - ledger side: the postings on the ledger account the statement account is linked to, amount
 *   signed from the account (+ debit = money in, as on a statement), keys from the entry's id and
 *   metadata (payout, transaction hash + log index, Stripe ids, escrow) and the payout's reference.
 *
 * Lines and postings already in a live match, or whose exception a person accepted as it is, are
 * `settled`: the engine does not see them, but their keys still tell a duplicate bank line.
 */
import type { CoreContext } from '../../context'
import { numberKeys, type NumberedKeys } from '../match/keyInterner'
import { addReferenceKeys, counterpartyKey, dayNumber, textKeys, txKey } from '../match/matchKeys'
import type { MatchItem } from '../match/matchTypes'

export interface LoadedItem extends MatchItem {
  readonly side: 'statement' | 'ledger'
  readonly date: string | null
  readonly display: string
  readonly reference: string | null
  readonly counterpartyText: string | null
}

export interface AccountItems {
  readonly account: string
  readonly currency: string
  readonly scale: number
  readonly ledgerAccountId: string | null
  /** Open items the engine pairs. */
  readonly statement: LoadedItem[]
  readonly ledger: LoadedItem[]
  /** Keys of ledger postings already matched → that posting's id. */
  readonly matchedLedgerKeys: Map<string, string>
  /** Both sides' keys numbered (the open items', in their order): the engine links by these. */
  readonly keyNumbers: NumberedKeys
}

/** Ledger metadata fields that are references by definition. */
const METADATA_REFERENCE_FIELDS = [
  'payoutId',
  'transferId',
  'stripePayoutId',
  'escrowId',
  'eventId',
  'chargeId',
  'refundId',
  'txId',
  'reference',
] as const

interface AccountRow {
  id: string
  currency: string
  ledger_account_id: string | null
}

export async function loadAccountItems(ctx: CoreContext, account: AccountRow, scale: number): Promise<AccountItems> {
  const settled = await settledItems(ctx, account.id)
  const statement: LoadedItem[] = []
  const lines = await ctx.db.all(
    ctx.db.k
      .selectFrom('statement_lines as l')
      .innerJoin('statements as s', 's.id', 'l.statement_id')
      .select([
        'l.id',
        'l.booking_date',
        'l.value_date',
        'l.amount',
        'l.currency',
        'l.bank_ref',
        'l.end_to_end_id',
        'l.customer_ref',
        'l.structured_ref',
        'l.counterparty_name',
        'l.counterparty_account',
        'l.remittance',
        'l.type_code',
        'l.details',
        's.to_date',
        's.imported_at',
      ])
      .where('l.account_id', '=', account.id)
      .where('l.status', '=', 'booked')
      .orderBy('s.imported_at')
      .orderBy('l.statement_id')
      .orderBy('l.idx'),
  )
  for (const l of lines) {
    if (settled.statement.has(l.id)) continue
    const keys = addReferenceKeys(new Set<string>(), l.end_to_end_id, l.bank_ref, l.customer_ref, l.structured_ref)
    textKeys(l.remittance, keys)
    for (const d of parseDetails(l.details)) addReferenceKeys(keys, d.endToEndId, d.bankRef)
    const date = l.booking_date ?? l.value_date ?? l.to_date ?? l.imported_at.slice(0, 10)
    const text = [l.remittance, l.counterparty_name, l.type_code, l.bank_ref].filter((x): x is string => !!x).join(' ')
    statement.push({
      side: 'statement',
      id: l.id,
      account: account.id,
      currency: l.currency.toUpperCase(),
      amount: BigInt(l.amount),
      day: dayNumber(date) ?? 0,
      keys: [...keys],
      counterparty: counterpartyKey(l.counterparty_account) ?? counterpartyKey(l.counterparty_name),
      text: text.toUpperCase(),
      date,
      display: l.remittance ?? l.counterparty_name ?? l.type_code ?? '',
      reference: l.end_to_end_id ?? l.customer_ref ?? l.bank_ref,
      counterpartyText: l.counterparty_name ?? l.counterparty_account,
    })
  }

  const ledger: LoadedItem[] = []
  const matchedLedgerKeys = new Map<string, string>()
  if (account.ledger_account_id !== null) {
    for (const item of await ledgerItems(ctx, account, account.ledger_account_id)) {
      if (settled.ledger.has(item.id)) {
        for (const k of item.keys) if (!matchedLedgerKeys.has(k)) matchedLedgerKeys.set(k, item.id)
      } else ledger.push(item)
    }
  }
  return {
    account: account.id,
    currency: account.currency.toUpperCase(),
    scale,
    ledgerAccountId: account.ledger_account_id,
    statement,
    ledger,
    matchedLedgerKeys,
    keyNumbers: numberKeys(statement, ledger),
  }
}

/** Items in a live (suggested or confirmed) match, or resolved by a person. */
async function settledItems(ctx: CoreContext, accountId: string): Promise<{ statement: Set<string>; ledger: Set<string> }> {
  const { db } = ctx
  const out = { statement: new Set<string>(), ledger: new Set<string>() }
  const matched = await db.all(
    db.k
      .selectFrom('recon_match_items as i')
      .innerJoin('recon_matches as m', 'm.id', 'i.match_id')
      .select(['i.side', 'i.item_id'])
      .where('m.account_id', '=', accountId),
  )
  for (const r of matched) (r.side === 'ledger' ? out.ledger : out.statement).add(r.item_id)
  const resolved = await db.all(
    db.k
      .selectFrom('recon_exceptions')
      .select(['side', 'item_id'])
      .where('account_id', '=', accountId)
      .where('state', '=', 'resolved')
      .where('resolution', 'like', 'accepted:%'),
  )
  for (const r of resolved) (r.side === 'ledger' ? out.ledger : out.statement).add(r.item_id)
  return out
}

/** Every posting on the ledger account, as items of the statement account. */
export async function ledgerItems(ctx: CoreContext, account: AccountRow, ledgerAccountId: string): Promise<LoadedItem[]> {
  const { db } = ctx
  const rows = await db.all(
    db.k
      .selectFrom('postings as p')
      .innerJoin('entries as e', 'e.seq', 'p.entry_seq')
      .select(['e.id as entry_id', 'e.date', 'e.description', 'e.metadata', 'p.idx', 'p.amount'])
      .where('p.account_id', '=', ledgerAccountId)
      .orderBy('e.seq')
      .orderBy('p.idx'),
  )
  const payoutIds = new Set<string>()
  const metas = rows.map((r) => {
    const meta = parseMetadata(r.metadata)
    if (meta.payoutId) payoutIds.add(meta.payoutId)
    return meta
  })
  const payouts = await payoutFacts(ctx, [...payoutIds])
  return rows.map((r, i) => {
    const meta = metas[i]!
    const keys = addReferenceKeys(new Set<string>(), r.entry_id)
    for (const f of METADATA_REFERENCE_FIELDS) addReferenceKeys(keys, meta[f])
    if (meta.txHash) {
      keys.add(txKey(meta.txHash, meta.logIndex ?? null))
      // A fee entry (no payout) names the whole transaction: its gas line carries the bare hash.
      if (!meta.payoutId && !meta.logIndex) keys.add(txKey(meta.txHash))
    }
    const payout = meta.payoutId ? payouts.get(meta.payoutId) : undefined
    if (payout) addReferenceKeys(keys, payout.reference, payout.memo)
    return {
      side: 'ledger' as const,
      id: `${r.entry_id}/${Number(r.idx)}`,
      account: account.id,
      currency: account.currency.toUpperCase(),
      amount: BigInt(r.amount),
      day: dayNumber(r.date) ?? 0,
      keys: [...keys],
      counterparty: counterpartyKey(payout?.recipient),
      text: r.description.toUpperCase(),
      date: r.date,
      display: r.description,
      reference: ledgerReference(meta, r.entry_id),
      counterpartyText: payout?.name ?? payout?.recipient ?? null,
    }
  })
}

async function payoutFacts(
  ctx: CoreContext,
  ids: string[],
): Promise<Map<string, { reference: string | null; memo: string | null; recipient: string; name: string | null }>> {
  const out = new Map<string, { reference: string | null; memo: string | null; recipient: string; name: string | null }>()
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await ctx.db.all(
      ctx.db.k
        .selectFrom('payouts')
        .select(['id', 'reference', 'memo', 'recipient', 'name'])
        .where('id', 'in', ids.slice(i, i + 500)),
    )
    for (const r of rows) out.set(r.id, { reference: r.reference, memo: r.memo, recipient: r.recipient, name: r.name })
  }
  return out
}

/** What a person recognises a posting by: our payout, the Stripe object, the transaction, else the entry. */
export function ledgerReference(meta: Record<string, string | undefined>, entryId: string): string {
  return meta['payoutId'] ?? meta['stripePayoutId'] ?? meta['transferId'] ?? meta['txHash'] ?? entryId
}

/** An entry's metadata: its non-empty string values. */
export function parseMetadata(text: string): Record<string, string | undefined> {
  try {
    const v: unknown = JSON.parse(text)
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, string | undefined> = {}
      for (const [k, x] of Object.entries(v)) if (typeof x === 'string' && x.length > 0) out[k] = x
      return out
    }
  } catch {
    // metadata is written by us as JSON; anything else carries no keys
  }
  return {}
}

function parseDetails(text: string): { endToEndId?: string | null; bankRef?: string | null }[] {
  if (text === '[]' || text === '') return []
  try {
    const v: unknown = JSON.parse(text)
    return Array.isArray(v) ? (v as { endToEndId?: string | null; bankRef?: string | null }[]) : []
  } catch {
    return []
  }
}
