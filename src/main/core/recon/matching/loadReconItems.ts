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
import { KeyCollector, KeyInterner, type NumberedKeys } from '../match/keyInterner'
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

export interface AccountRow {
  id: string
  currency: string
  ledger_account_id: string | null
}

/** A statement line's row as loadAccountItems reads it (the line and its statement's dates). */
export interface StatementLineRow {
  id: string
  booking_date: string | null
  value_date: string | null
  amount: string
  currency: string
  bank_ref: string | null
  end_to_end_id: string | null
  customer_ref: string | null
  structured_ref: string | null
  counterparty_name: string | null
  counterparty_account: string | null
  remittance: string | null
  type_code: string | null
  details: string
  to_date: string | null
  imported_at: string
}

/** A posting's row as ledgerItems reads it (the posting and its entry). */
export interface PostingRow {
  entry_id: string
  date: string
  description: string
  metadata: string
  idx: number
  amount: string
}

/** What a posting's payout tells: more keys, the counterparty. */
export interface PayoutFacts {
  reference: string | null
  memo: string | null
  recipient: string
  name: string | null
}

/** Lines and postings in a live match or resolved by a person (see settledItems). */
export interface SettledItems {
  statement: ReadonlySet<string>
  ledger: ReadonlySet<string>
}

export async function loadAccountItems(ctx: CoreContext, account: AccountRow, scale: number): Promise<AccountItems> {
  const settled = await settledItems(ctx, account.id)
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
  const postings = account.ledger_account_id === null ? null : await postingRows(ctx, account.ledger_account_id)
  return { ...buildAccountItems(account, lines, postings, settled, new KeyInterner()), scale }
}

/**
 * The items of one statement account built from its rows, keys numbered as each item is built
 * (one KeyCollector per side, one interner for both: statement lines first). Synchronous and
 * without the database: the rows are read before (loadAccountItems). With `interner` null the
 * keys are left as strings (keyNumbers null) — for comparing what the numbering costs.
 */
export function buildAccountItems(
  account: AccountRow,
  lines: readonly StatementLineRow[],
  postings: PostingsRead | null,
  settled: SettledItems,
  interner: KeyInterner,
): Omit<AccountItems, 'scale'>
export function buildAccountItems(
  account: AccountRow,
  lines: readonly StatementLineRow[],
  postings: PostingsRead | null,
  settled: SettledItems,
  interner: KeyInterner | null,
): Omit<AccountItems, 'scale' | 'keyNumbers'> & { keyNumbers: NumberedKeys | null }
export function buildAccountItems(
  account: AccountRow,
  lines: readonly StatementLineRow[],
  postings: PostingsRead | null,
  settled: SettledItems,
  interner: KeyInterner | null,
): Omit<AccountItems, 'scale' | 'keyNumbers'> & { keyNumbers: NumberedKeys | null } {
  const currency = account.currency.toUpperCase()
  const stKeys = new KeyCollector(interner, true)
  const statement: LoadedItem[] = []
  for (const l of lines) {
    if (settled.statement.has(l.id)) continue
    statement.push(statementItem(account.id, l, stKeys))
  }
  const lgKeys = new KeyCollector(interner, false)
  const ledger: LoadedItem[] = []
  const matchedLedgerKeys = new Map<string, string>()
  if (postings !== null) {
    for (let i = 0; i < postings.rows.length; i++) {
      const r = postings.rows[i]!
      const id = `${r.entry_id}/${Number(r.idx)}`
      const open = !settled.ledger.has(id)
      const item = ledgerItem(account.id, currency, id, r, postings.metas[i]!, postings.payouts, lgKeys, open)
      if (open) ledger.push(item)
      else for (const k of item.keys) if (!matchedLedgerKeys.has(k)) matchedLedgerKeys.set(k, item.id)
    }
  }
  return {
    account: account.id,
    currency,
    ledgerAccountId: account.ledger_account_id,
    statement,
    ledger,
    matchedLedgerKeys,
    keyNumbers: interner === null ? null : { count: interner.size, statement: stKeys.column(), ledger: lgKeys.column() },
  }
}

/** One open statement line as an item: keys from its reference fields, its text's reference-like tokens and its batch's references. */
function statementItem(accountId: string, l: StatementLineRow, keys: KeyCollector): LoadedItem {
  addReferenceKeys(keys, l.end_to_end_id, l.bank_ref, l.customer_ref, l.structured_ref)
  textKeys(l.remittance, keys)
  for (const d of parseDetails(l.details)) addReferenceKeys(keys, d.endToEndId, d.bankRef)
  const date = l.booking_date ?? l.value_date ?? l.to_date ?? l.imported_at.slice(0, 10)
  const text = [l.remittance, l.counterparty_name, l.type_code, l.bank_ref].filter((x): x is string => !!x).join(' ')
  return {
    side: 'statement',
    id: l.id,
    account: accountId,
    currency: l.currency.toUpperCase(),
    amount: BigInt(l.amount),
    day: dayNumber(date) ?? 0,
    keys: keys.endItem(true),
    counterparty: counterpartyKey(l.counterparty_account) ?? counterpartyKey(l.counterparty_name),
    text: text.toUpperCase(),
    date,
    display: l.remittance ?? l.counterparty_name ?? l.type_code ?? '',
    reference: l.end_to_end_id ?? l.customer_ref ?? l.bank_ref,
    counterpartyText: l.counterparty_name ?? l.counterparty_account,
  }
}

/** Items in a live (suggested or confirmed) match, or resolved by a person. */
async function settledItems(ctx: CoreContext, accountId: string): Promise<SettledItems> {
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

/** The postings of a ledger account, their metadata read and the payouts they name. */
export interface PostingsRead {
  rows: readonly PostingRow[]
  metas: readonly Record<string, string | undefined>[]
  payouts: ReadonlyMap<string, PayoutFacts>
}

/** Every posting on the ledger account, in entry order, with what its items are built from. */
async function postingRows(ctx: CoreContext, ledgerAccountId: string): Promise<PostingsRead> {
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
  return { rows, metas, payouts: await payoutFacts(ctx, [...payoutIds]) }
}

/**
 * A posting as an item of the statement account: keys from the entry's id and metadata and its
 * payout's reference (numbered by `keys` when `open`: a settled posting's keys only tell duplicates).
 */
function ledgerItem(
  accountId: string,
  currency: string,
  id: string,
  r: PostingRow,
  meta: Record<string, string | undefined>,
  payouts: ReadonlyMap<string, PayoutFacts>,
  keys: KeyCollector,
  open: boolean,
): LoadedItem {
  addReferenceKeys(keys, r.entry_id)
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
    id,
    account: accountId,
    currency,
    amount: BigInt(r.amount),
    day: dayNumber(r.date) ?? 0,
    keys: keys.endItem(open),
    counterparty: counterpartyKey(payout?.recipient),
    text: r.description.toUpperCase(),
    date: r.date,
    display: r.description,
    reference: ledgerReference(meta, r.entry_id),
    counterpartyText: payout?.name ?? payout?.recipient ?? null,
  }
}

async function payoutFacts(ctx: CoreContext, ids: string[]): Promise<Map<string, PayoutFacts>> {
  const out = new Map<string, PayoutFacts>()
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
