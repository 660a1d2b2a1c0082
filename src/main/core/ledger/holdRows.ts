/** Reading and resolving hold rows: shared by createHold, postHold, voidHold and expireHolds. */
import { HOLD_STATES, type HoldState } from '../../../shared/blocks'
import type { Hold } from '../../../shared/ledgerApi'
import { CsError } from '../../../shared/errors'
import { formatAmount, parseMinor } from '../../../shared/money'
import type { RowSeals } from '../audit/rowSeals'
import type { CoreContext } from '../context'
import type { HoldRow } from '../db/schema'
import { unreachable } from '../util/invariant'
import type { LedgerBook } from './ledgerBook'

export interface HoldRowWithScale extends HoldRow {
  scale: number
  asset_code: string
}

export async function loadHoldRow(ctx: CoreContext, holdId: string): Promise<HoldRowWithScale | undefined> {
  return await ctx.db.first(
    ctx.db.k
      .selectFrom('holds as h')
      .innerJoin('assets as s', 's.id', 'h.asset_id')
      .selectAll('h')
      .select(['s.scale', 's.code as asset_code'])
      .where('h.id', '=', holdId),
  )
}

export function toHold(row: HoldRowWithScale): Hold {
  if (!(HOLD_STATES as readonly string[]).includes(row.state)) unreachable(`hold ${row.id} has unknown state "${row.state}"`)
  return {
    id: row.id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    assetId: row.asset_id,
    amount: formatAmount(parseMinor(row.amount), row.scale),
    postedAmount: formatAmount(parseMinor(row.posted_amount), row.scale),
    state: row.state as HoldState,
    description: row.description,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  }
}

/** HOLD_NOT_FOUND, or the row. */
export async function requireHoldRow(ctx: CoreContext, holdId: string): Promise<HoldRowWithScale> {
  const row = await loadHoldRow(ctx, holdId)
  if (!row) throw new CsError('HOLD_NOT_FOUND', `There is no hold "${String(holdId).slice(0, 60)}" — check the id in the holds list.`)
  return row
}

/** HOLD_ALREADY_RESOLVED unless the hold is still pending. */
export function requirePending(row: HoldRowWithScale, verb: 'post' | 'void'): void {
  if (row.state === 'pending') return
  throw new CsError(
    'HOLD_ALREADY_RESOLVED',
    `Hold "${row.id}" is already ${row.state.replace('_', ' ')} — it cannot be ${verb === 'post' ? 'posted' : 'voided'} again; look it up in the holds list.`,
    { details: { holdId: row.id, state: row.state } },
  )
}

/** Has the hold's time run out at `nowIso`? (ISO-8601 UTC strings of one format compare as text.) */
export function isPastExpiry(row: Pick<HoldRow, 'expires_at'>, nowIso: string): boolean {
  return row.expires_at !== null && row.expires_at <= nowIso
}

/**
 * Release the hold's whole pending amount from both accounts and record how it ended, re-sealing
 * the hold in `seals` (the caller's audit row records the change). Posting the part that is
 * posted is the caller's business (postHold writes the journal entry).
 */
export async function resolveHold(
  ctx: CoreContext,
  book: LedgerBook,
  row: HoldRowWithScale,
  state: Exclude<HoldState, 'pending'>,
  postedAmount: bigint,
  nowIso: string,
  seals: RowSeals,
): Promise<HoldRowWithScale> {
  await book.load([row.debit_account_id, row.credit_account_id])
  const debit = book.account(row.debit_account_id)
  const credit = book.account(row.credit_account_id)
  if (!debit || !credit) unreachable(`hold ${row.id} refers to a missing account`)
  book.pend(debit, credit, -parseMinor(row.amount))
  const r = await ctx.db.run(
    ctx.db.k
      .updateTable('holds')
      .set({ state, posted_amount: postedAmount.toString(), resolved_at: nowIso })
      .where('id', '=', row.id)
      .where('state', '=', 'pending'),
  )
  if (r.changes !== 1) unreachable(`hold ${row.id} was not pending when resolved`)
  const resolved = { ...row, state, posted_amount: postedAmount.toString(), resolved_at: nowIso }
  await seals.seal(ctx, 'holds', [resolved])
  return resolved
}

/** Thrown after the transaction that expired the hold has committed. */
export function holdExpiredError(holdId: string, expiresAt: string | null, verb: 'posted' | 'voided'): CsError {
  return new CsError(
    'HOLD_EXPIRED',
    `Hold "${holdId}" expired at ${expiresAt ?? '?'} and cannot be ${verb}; its amount has been released — create a new hold if the transfer is still wanted.`,
    { details: { holdId, expiresAt } },
  )
}
