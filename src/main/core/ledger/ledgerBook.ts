/**
 * The in-transaction view of the accounts one write touches: the accounts (with their asset's
 * scale and their four balance columns) are loaded once — all of a call's accounts in one query —
 * changed in memory, and written back with one bulk update of the touched accounts when the
 * caller flushes. Every write path (entries, holds) goes through one book per transaction, so the
 * overdraft rule sees earlier changes of the same transaction, and the write-side invariants are
 * asserted in one place.
 *
 * `load` reads from the database (async); `account`, `post`, `pend` and `available` work on what
 * is loaded (sync, the hot path of bulk posting).
 */
import type { AccountKind } from '../../../shared/blocks'
import { parseMinor } from '../../../shared/money'
import type { CoreContext } from '../context'
import { invariant, unreachable } from '../util/invariant'
import { availableOnNormalSide, isAccountKind, normalSideOf, type BalanceAmounts, type NormalSide } from './accountRules'
import { isOutOfRange } from './entryGuards'

export interface BookAccount extends BalanceAmounts {
  readonly id: string
  readonly name: string
  readonly kind: AccountKind
  readonly side: NormalSide
  readonly allowNegative: boolean
  readonly assetId: string
  readonly assetCode: string
  readonly scale: number
  /** The four columns as read: the flush assertions compare against them. */
  readonly atLoad: Readonly<BalanceAmounts>
  readonly availableAtLoad: bigint
  dirty: boolean
}

interface AccountBalanceRow {
  id: string
  name: string
  kind: string
  allow_negative: number
  asset_id: string
  asset_code: string
  scale: number
  debits_posted: string | null
  credits_posted: string | null
  debits_pending: string | null
  credits_pending: string | null
}

const BALANCE_COLUMNS = ['debits_posted', 'credits_posted', 'debits_pending', 'credits_pending', 'updated_at'] as const
/** Account ids per load query (bound parameters stay far below both backends' limits). */
const LOAD_CHUNK_IDS = 5_000

export class LedgerBook {
  private readonly accounts = new Map<string, BookAccount | null>()

  constructor(private readonly ctx: CoreContext) {
    invariant(ctx.db.inTransaction(), 'a LedgerBook must be opened inside the write transaction')
  }

  /** Read the accounts not yet in the book (ids that do not exist are remembered as missing). */
  async load(ids: Iterable<string>): Promise<void> {
    const wanted = [...new Set(ids)].filter((id) => !this.accounts.has(id))
    for (let i = 0; i < wanted.length; i += LOAD_CHUNK_IDS) {
      const chunk = wanted.slice(i, i + LOAD_CHUNK_IDS)
      const rows: AccountBalanceRow[] = await this.ctx.db.all(
        this.ctx.db.k
          .selectFrom('accounts as a')
          .innerJoin('assets as s', 's.id', 'a.asset_id')
          .leftJoin('balances as b', 'b.account_id', 'a.id')
          .select([
            'a.id',
            'a.name',
            'a.kind',
            'a.allow_negative',
            'a.asset_id',
            's.code as asset_code',
            's.scale',
            'b.debits_posted',
            'b.credits_posted',
            'b.debits_pending',
            'b.credits_pending',
          ])
          .where('a.id', 'in', chunk),
      )
      for (const id of chunk) this.accounts.set(id, null)
      for (const row of rows) this.accounts.set(row.id, fromRow(row))
    }
  }

  /** A loaded account; undefined if it does not exist. */
  account(id: string): BookAccount | undefined {
    const acc = this.accounts.get(id)
    if (acc === undefined) unreachable(`account ${id} was not loaded into the book before use`)
    return acc ?? undefined
  }

  /** Load (if needed) and return one account; undefined if it does not exist. */
  async get(id: string): Promise<BookAccount | undefined> {
    await this.load([id])
    return this.account(id)
  }

  /** Apply one posting: + debit, − credit. */
  post(acc: BookAccount, amount: bigint): void {
    if (amount > 0n) acc.debitsPosted += amount
    else acc.creditsPosted -= amount
    acc.dirty = true
  }

  /** Add (delta > 0) or release (delta < 0) a hold's pending amount on both of its accounts. */
  pend(debit: BookAccount, credit: BookAccount, delta: bigint): void {
    if (debit.assetId !== credit.assetId) unreachable('a hold moves one asset')
    debit.debitsPending += delta
    credit.creditsPending += delta
    if (debit.debitsPending < 0n || credit.creditsPending < 0n)
      unreachable(`releasing more pending than is held on ${debit.id} / ${credit.id}`)
    debit.dirty = true
    credit.dirty = true
  }

  available(acc: BookAccount): bigint {
    return availableOnNormalSide(acc.side, acc)
  }

  /**
   * Write every touched account back (one bulk update) after asserting the write-side
   * invariants. Returns the touched account ids, sorted.
   */
  async flush(nowIso: string): Promise<string[]> {
    // Double entry, asserted from the end state alone (independent of the per-entry checks):
    // per asset, what this transaction added to debits equals what it added to credits, both
    // posted and pending.
    const postedNet = new Map<string, bigint>()
    const pendingNet = new Map<string, bigint>()
    for (const acc of this.accounts.values()) {
      if (!acc || !acc.dirty) continue
      const posted = acc.debitsPosted - acc.atLoad.debitsPosted - (acc.creditsPosted - acc.atLoad.creditsPosted)
      const pending = acc.debitsPending - acc.atLoad.debitsPending - (acc.creditsPending - acc.atLoad.creditsPending)
      postedNet.set(acc.assetId, (postedNet.get(acc.assetId) ?? 0n) + posted)
      pendingNet.set(acc.assetId, (pendingNet.get(acc.assetId) ?? 0n) + pending)
    }
    for (const [assetId, net] of postedNet) {
      if (net !== 0n) unreachable(`postings of this transaction sum to ${net} in ${assetId}, not zero`)
    }
    for (const [assetId, net] of pendingNet) {
      if (net !== 0n) unreachable(`pending changes of this transaction sum to ${net} in ${assetId}, not zero`)
    }
    const touched: string[] = []
    const rows: string[][] = []
    for (const acc of this.accounts.values()) {
      if (!acc || !acc.dirty) continue
      const available = this.available(acc)
      // The overdraft rule is checked per entry and per hold; this catches a path that forgot it.
      if (!acc.allowNegative && available < 0n && available < acc.availableAtLoad) {
        unreachable(`account ${acc.id} may not go negative but this transaction takes it to ${available}`)
      }
      // BALANCE_RANGE is checked per entry and per hold; this catches a path that forgot it.
      if (isOutOfRange(acc)) unreachable(`account ${acc.id} would hold more than uint256 after this transaction`)
      rows.push([
        acc.id,
        acc.debitsPosted.toString(),
        acc.creditsPosted.toString(),
        acc.debitsPending.toString(),
        acc.creditsPending.toString(),
        nowIso,
      ])
      touched.push(acc.id)
    }
    const matched = await this.ctx.db.updateRows('balances', 'account_id', BALANCE_COLUMNS, rows)
    if (matched !== rows.length) unreachable(`${rows.length - matched} touched account(s) have no balances row`)
    // A book is flushed once, at the end of its transaction.
    this.accounts.clear()
    return touched.sort()
  }
}

function fromRow(row: AccountBalanceRow): BookAccount {
  if (!isAccountKind(row.kind)) unreachable(`account ${row.id} has unknown kind "${row.kind}"`)
  if (row.debits_posted === null || row.credits_posted === null || row.debits_pending === null || row.credits_pending === null) {
    unreachable(`account ${row.id} has no balances row`)
  }
  const side = normalSideOf(row.kind)
  const amounts: BalanceAmounts = {
    debitsPosted: parseMinor(row.debits_posted),
    creditsPosted: parseMinor(row.credits_posted),
    debitsPending: parseMinor(row.debits_pending),
    creditsPending: parseMinor(row.credits_pending),
  }
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    side,
    allowNegative: row.allow_negative === 1,
    assetId: row.asset_id,
    assetCode: row.asset_code,
    scale: row.scale,
    ...amounts,
    atLoad: amounts,
    availableAtLoad: availableOnNormalSide(side, amounts),
    dirty: false,
  }
}
