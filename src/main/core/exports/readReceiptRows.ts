/**
 * Receipts for an export: one record per receipt, from the receipts table (migration 0013) and the
 * document each row keeps. Amounts come from the row's minor units at the asset's scale, checked
 * against the signed document's own value — a receipt that disagrees with itself is not exported.
 */
import { CsError } from '../../../shared/errors'
import { EXPORT_ROWS_MAX } from '../../../shared/limits'
import { formatAmount, parseAmount, parseMinor } from '../../../shared/money'
import type { ReceiptAmount, ReceiptDocument } from '../../../shared/receiptTypes'
import type { CoreContext } from '../context'
import { invariant } from '../util/invariant'
import { dayAfter, type ExportFilters } from './checkExportRequest'
import type { ExportColumn, ExportRecord } from './exportFiles'
import { columnIsPayee } from './payeeMatch'

export const RECEIPT_COLUMNS: readonly ExportColumn[] = [
  { key: 'number', header: 'Number' },
  { key: 'displayNumber', header: 'Receipt' },
  { key: 'kind', header: 'Kind' },
  { key: 'paidAt', header: 'Paid at' },
  { key: 'payee', header: 'Payee' },
  { key: 'recipient', header: 'Recipient' },
  { key: 'rail', header: 'Rail' },
  { key: 'network', header: 'Network' },
  { key: 'asset', header: 'Asset' },
  { key: 'amount', header: 'Amount', amount: true },
  { key: 'fee', header: 'Fee', amount: true },
  { key: 'feeAsset', header: 'Fee asset' },
  { key: 'net', header: 'Net', amount: true },
  { key: 'reference', header: 'Reference' },
  { key: 'txHash', header: 'Tx hash / transfer' },
  { key: 'batch', header: 'Batch' },
  { key: 'payoutId', header: 'Payout' },
  { key: 'sha256', header: 'SHA-256' },
]

type ReceiptRow = Awaited<ReturnType<typeof queryReceipts>>[number]

async function queryReceipts(ctx: CoreContext, f: ExportFilters) {
  let q = ctx.db.k
    .selectFrom('receipts')
    .innerJoin('assets', 'assets.id', 'receipts.asset_id')
    .select([
      'receipts.number',
      'receipts.sha256',
      'receipts.kind',
      'receipts.payout_id',
      'receipts.batch_id',
      'receipts.rail',
      'receipts.network',
      'receipts.asset_id',
      'receipts.amount',
      'receipts.payee_name',
      'receipts.recipient',
      'receipts.reference',
      'receipts.tx_hash',
      'receipts.paid_at',
      'receipts.document',
      'assets.scale',
    ])
  if (f.from !== null) q = q.where('receipts.paid_at', '>=', f.from)
  if (f.to !== null) q = q.where('receipts.paid_at', '<', dayAfter(f.to))
  if (f.batch !== null) q = q.where('receipts.batch_id', '=', f.batch)
  if (f.asset !== null) q = q.where('receipts.asset_id', '=', f.asset)
  if (f.payee !== null) {
    const payee = f.payee
    q = q.where((eb) => eb.or([columnIsPayee('receipts.payee_name', payee), columnIsPayee('receipts.recipient', payee)]))
  }
  return await ctx.db.all(q.orderBy('receipts.number').limit(EXPORT_ROWS_MAX + 1))
}

/** From the document's minor units and scale, so the cell is always a plain decimal at that scale. */
function amountText(a: ReceiptAmount | null): string | null {
  return a === null ? null : formatAmount(parseMinor(a.minor), a.scale)
}

function toRecord(r: ReceiptRow): ExportRecord {
  const doc = JSON.parse(r.document) as ReceiptDocument
  const minor = parseMinor(r.amount)
  // Asserted on read: the stored columns and the signed document describe the same payment.
  invariant(
    doc.number === r.number && parseAmount(doc.amount.value, r.scale, { allowZero: true }) === minor,
    () => `receipt ${r.number}: its row and its document disagree`,
  )
  const evidence = doc.evidence
  return {
    number: r.number,
    displayNumber: doc.displayNumber,
    kind: r.kind,
    paidAt: r.paid_at,
    payee: r.payee_name,
    recipient: r.recipient,
    rail: r.rail,
    network: r.network,
    asset: r.asset_id,
    amount: formatAmount(minor, r.scale),
    fee: amountText(doc.fee),
    feeAsset: doc.fee === null ? null : doc.fee.assetId,
    net: amountText(doc.net),
    reference: r.reference,
    txHash: r.tx_hash ?? (evidence.rail === 'stripe' ? evidence.transferId : null),
    batch: r.batch_id,
    payoutId: r.payout_id,
    sha256: r.sha256,
  }
}

export async function readReceiptRows(ctx: CoreContext, f: ExportFilters): Promise<ExportRecord[]> {
  const rows = await queryReceipts(ctx, f)
  if (rows.length > EXPORT_ROWS_MAX)
    throw new CsError(
      'EXPORT_TOO_LARGE',
      `More than ${EXPORT_ROWS_MAX} receipts match — export a shorter date range (--from / --to) or one batch at a time.`,
    )
  return rows.map(toRecord)
}
