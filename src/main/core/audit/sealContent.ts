/**
 * What a row seal commits to: the hash of a row's canonical content, computed the same way by the
 * writers (when the row is written), by the one-time seal of old rows and by `audit verify` (from
 * the row as it is stored now). One function per sealed table, so the three can never disagree.
 * The hash is sha256, base64url (43 characters).
 *
 * What is sealed, and what is not:
 * - entries with their postings: everything (the journal is append-only). One seal per entry
 *   covers the entry and all its postings — one hash per entry on the hot path of posting, over
 *   the canonical line the journal writer builds anyway for its digest (./journalSeal.ts);
 * - holds: every column, state included — a hold changes only through resolveHold, which
 *   re-seals it, so the pending amounts `audit verify` recomputes rest on sealed rows;
 * - payouts: the fields that say who is paid what (id, batch_id, row_no, rail, network, asset_id,
 *   recipient, amount, memo, reference, name). The execution state (state, attempt,
 *   submission_id, entry_id, failure_*, updated_at) changes many times per payout without an
 *   audit row of its own; it is not sealed. What was approved is protected by the approvals'
 *   signatures over the batch digest.
 * Row content is a JSON array of strings, integers and nulls under a table tag: JSON.stringify of
 * such an array is already canonical (no keys to order, no floats).
 */
import { hash } from 'node:crypto'
import type { HoldRow, PayoutRow } from '../db/schema'
import { assertNever } from '../util/invariant'

/** The tables whose rows are sealed in row_seals (the journal seals itself, in its own columns). */
export const ROW_SEALED_TABLES = ['holds', 'payouts'] as const
export type RowSealedTable = (typeof ROW_SEALED_TABLES)[number]

export function sealOf(content: string): string {
  return hash('sha256', content, 'base64url')
}

export type HoldSealContent = Pick<
  HoldRow,
  | 'id'
  | 'seq'
  | 'debit_account_id'
  | 'credit_account_id'
  | 'asset_id'
  | 'amount'
  | 'posted_amount'
  | 'state'
  | 'description'
  | 'expires_at'
  | 'created_at'
  | 'created_by'
  | 'resolved_at'
>

export function holdSeal(h: HoldSealContent): string {
  return sealOf(
    JSON.stringify([
      'hold',
      h.id,
      h.seq === null ? null : Number(h.seq),
      h.debit_account_id,
      h.credit_account_id,
      h.asset_id,
      h.amount,
      h.posted_amount,
      h.state,
      h.description,
      h.expires_at,
      h.created_at,
      h.created_by,
      h.resolved_at,
    ]),
  )
}

/** The payout columns a seal covers (see above for the ones it does not). */
export const PAYOUT_SEALED_COLUMNS = [
  'id',
  'batch_id',
  'row_no',
  'rail',
  'network',
  'asset_id',
  'recipient',
  'amount',
  'memo',
  'reference',
  'name',
] as const satisfies readonly (keyof PayoutRow)[]
export type PayoutSealContent = Pick<PayoutRow, (typeof PAYOUT_SEALED_COLUMNS)[number]>

export function payoutSeal(p: PayoutSealContent): string {
  return sealOf(
    JSON.stringify([
      'payout',
      p.id,
      p.batch_id,
      Number(p.row_no),
      p.rail,
      p.network,
      p.asset_id,
      p.recipient,
      p.amount,
      p.memo,
      p.reference,
      p.name,
    ]),
  )
}

/** The hold columns a seal covers: all of them. */
export const HOLD_SEALED_COLUMNS = [
  'id',
  'seq',
  'debit_account_id',
  'credit_account_id',
  'asset_id',
  'amount',
  'posted_amount',
  'state',
  'description',
  'expires_at',
  'created_at',
  'created_by',
  'resolved_at',
] as const satisfies readonly (keyof HoldRow)[]

/** The columns a seal covers, per row-sealed table (each keyed by its `id`). */
export const SEALED_COLUMNS = { holds: HOLD_SEALED_COLUMNS, payouts: PAYOUT_SEALED_COLUMNS } as const satisfies Record<
  RowSealedTable,
  readonly string[]
>

/** Seal of one row of a row-sealed table, as it is read from the database. */
export function rowSealOf(table: RowSealedTable, row: Record<string, unknown>): string {
  switch (table) {
    case 'holds':
      return holdSeal(row as unknown as HoldSealContent)
    case 'payouts':
      return payoutSeal(row as unknown as PayoutSealContent)
    default:
      return assertNever(table)
  }
}
