/**
 * Payouts for an export: one record per payout, with the evidence of its submission (the EVM /
 * Stellar transaction hash; for Stripe the transfer id, tr_…, once confirmed — the submission's
 * own "hash" there is only our idempotency key) and when it was confirmed.
 *
 * A payout's day, for the date range, is the day it was confirmed; a payout not (yet) confirmed
 * counts on the day it was created. Rows come in that order (then batch, then row), sorted here by
 * code unit, not by the database's collation.
 */
import { CsError } from '../../../shared/errors'
import { EXPORT_ROWS_MAX } from '../../../shared/limits'
import { formatAmount, parseMinor } from '../../../shared/money'
import type { CoreContext } from '../context'
import { dayAfter, type ExportFilters } from './checkExportRequest'
import type { ExportColumn, ExportRecord } from './exportFiles'
import { columnIsPayee } from './payeeMatch'

export const PAYOUT_COLUMNS: readonly ExportColumn[] = [
  { key: 'id', header: 'Payout' },
  { key: 'batch', header: 'Batch' },
  { key: 'row', header: 'Row' },
  { key: 'state', header: 'State' },
  { key: 'rail', header: 'Rail' },
  { key: 'network', header: 'Network' },
  { key: 'asset', header: 'Asset' },
  { key: 'amount', header: 'Amount', amount: true },
  { key: 'recipient', header: 'Recipient' },
  { key: 'name', header: 'Name' },
  { key: 'reference', header: 'Reference' },
  { key: 'memo', header: 'Memo' },
  { key: 'txHash', header: 'Tx hash / transfer' },
  { key: 'confirmedAt', header: 'Confirmed at' },
]

const CONFIRMED = 'confirmed'

async function queryPayouts(ctx: CoreContext, f: ExportFilters) {
  let q = ctx.db.k
    .selectFrom('payouts')
    .innerJoin('assets', 'assets.id', 'payouts.asset_id')
    .leftJoin('submissions', 'submissions.id', 'payouts.submission_id')
    .select([
      'payouts.id',
      'payouts.batch_id',
      'payouts.row_no',
      'payouts.state',
      'payouts.rail',
      'payouts.network',
      'payouts.asset_id',
      'payouts.amount',
      'payouts.recipient',
      'payouts.name',
      'payouts.reference',
      'payouts.memo',
      'payouts.created_at',
      'payouts.updated_at',
      'assets.scale',
      'submissions.tx_hash',
      'submissions.block_hash',
    ])
  // The day of a payout: confirmed -> when it was confirmed; otherwise -> when it was created.
  const from = f.from
  const to = f.to
  if (from !== null)
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('payouts.state', '=', CONFIRMED), eb('payouts.updated_at', '>=', from)]),
        eb.and([eb('payouts.state', '<>', CONFIRMED), eb('payouts.created_at', '>=', from)]),
      ]),
    )
  if (to !== null)
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('payouts.state', '=', CONFIRMED), eb('payouts.updated_at', '<', dayAfter(to))]),
        eb.and([eb('payouts.state', '<>', CONFIRMED), eb('payouts.created_at', '<', dayAfter(to))]),
      ]),
    )
  if (f.batch !== null) q = q.where('payouts.batch_id', '=', f.batch)
  if (f.asset !== null) q = q.where('payouts.asset_id', '=', f.asset)
  if (f.payee !== null) {
    const payee = f.payee
    q = q.where((eb) => eb.or([columnIsPayee('payouts.name', payee), columnIsPayee('payouts.recipient', payee)]))
  }
  return await ctx.db.all(q.limit(EXPORT_ROWS_MAX + 1))
}

type PayoutExportRow = Awaited<ReturnType<typeof queryPayouts>>[number]

function evidenceOf(r: PayoutExportRow): string | null {
  if (r.rail !== 'stripe') return r.tx_hash
  return r.state === CONFIRMED && r.block_hash !== null && r.block_hash.startsWith('tr_') ? r.block_hash : null
}

function dayKey(r: PayoutExportRow): string {
  return r.state === CONFIRMED ? r.updated_at : r.created_at
}

function byDayBatchRow(a: PayoutExportRow, b: PayoutExportRow): number {
  const [da, db] = [dayKey(a), dayKey(b)]
  if (da !== db) return da < db ? -1 : 1
  if (a.batch_id !== b.batch_id) return a.batch_id < b.batch_id ? -1 : 1
  return a.row_no - b.row_no
}

export async function readPayoutRows(ctx: CoreContext, f: ExportFilters): Promise<ExportRecord[]> {
  const rows = await queryPayouts(ctx, f)
  if (rows.length > EXPORT_ROWS_MAX)
    throw new CsError(
      'EXPORT_TOO_LARGE',
      `More than ${EXPORT_ROWS_MAX} payouts match — export a shorter date range (--from / --to) or one batch at a time.`,
    )
  return rows.sort(byDayBatchRow).map((r) => ({
    id: r.id,
    batch: r.batch_id,
    row: r.row_no,
    state: r.state,
    rail: r.rail,
    network: r.network,
    asset: r.asset_id,
    amount: formatAmount(parseMinor(r.amount), r.scale),
    recipient: r.recipient,
    name: r.name,
    reference: r.reference,
    memo: r.memo,
    txHash: evidenceOf(r),
    confirmedAt: r.state === CONFIRMED ? r.updated_at : null,
  }))
}
