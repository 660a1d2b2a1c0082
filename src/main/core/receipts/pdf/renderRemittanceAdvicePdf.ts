/**
 * A remittance advice: several payments to one payee on one document, as a bank sends it — date,
 * receipt number, reference (invoices), amount and transaction reference per payment, totals per
 * asset — paging onto as many pages as it needs, the table head repeated on each. Every payment's
 * receipt file is attached (receipt-<number>.json), so each one verifies on its own.
 *
 * Totals are summed from the receipts' minor units in bigint; each row's printed value is checked
 * to be the same amount, so the rows and the totals cannot disagree.
 */
import { createHash } from 'node:crypto'
import { CsError } from '../../../../shared/errors'
import { REMITTANCE_PAYMENTS_MAX } from '../../../../shared/limits'
import { formatAmount, parseMinor } from '../../../../shared/money'
import { networkNameOfAsset } from '../../../../shared/networkNames'
import type { ReceiptFile } from '../../../../shared/receiptTypes'
import { canonicalJson } from '../../util/canonicalJson'
import { invariant } from '../../util/invariant'
import { draw, drawFooters, drawHeader, drawHeading, drawNote, drawRows, Flow, measure, STYLE, type TextBlock } from './pageBlocks'
import { COLORS, CONTENT_WIDTH_PT, createReceiptDocument, hrule, MARGIN_PT } from './receiptDocument'
import { amountText, attachmentName, shortDate, txReference } from './receiptWording'
import type { RenderReceiptOptions } from './renderReceiptPdf'

/** Date, receipt, reference, amount (right-aligned); the transaction reference takes the rest. */
const COLUMNS_PT = [52, 78, 104, 100] as const
const CELL_GAP_PT = 8

export async function renderRemittanceAdvicePdf(files: readonly ReceiptFile[], options: RenderReceiptOptions = {}): Promise<Uint8Array> {
  checkFiles(files)
  const sorted = [...files].sort((a, b) => a.receipt.paidAt.localeCompare(b.receipt.paidAt) || a.receipt.number - b.receipt.number)
  const first = sorted[0]!.receipt
  const last = sorted.at(-1)!.receipt
  const id = createHash('sha256')
    .update(canonicalJson(sorted.map((f) => f.sha256)))
    .digest('hex')
  const number = `RA-${id.slice(0, 12).toUpperCase()}`
  const pdf = createReceiptDocument({
    title: `Remittance advice ${number}`,
    author: first.payer.name,
    subject: `${sorted.length} payments to ${first.payee.name}`,
    at: new Date(last.paidAt),
    idHex: id,
    attachments: sorted.map((f) => ({
      name: attachmentName(f.receipt.displayNumber),
      text: canonicalJson(f),
      description: `Receipt ${f.receipt.displayNumber}; SHA-256 of its receipt: ${f.sha256}`,
    })),
  })
  const doc = pdf.doc
  doc.addPage()
  const flow = new Flow(doc, `Remittance advice ${number} (continued)`)
  drawHeader(doc, flow, {
    payer: first.payer,
    logoPng: options.logoPng ?? null,
    title: 'Remittance advice',
    number: `No. ${number}`,
    details: [
      `Payments of ${shortDate(first.paidAt)} to ${shortDate(last.paidAt)}`,
      `${sorted.length} ${sorted.length === 1 ? 'payment' : 'payments'}`,
    ],
  })
  const recipients = [...new Set(sorted.map((f) => f.receipt.payee.recipient))]
  drawRows(doc, flow, [
    { label: 'Paid to', value: first.payee.name === '' ? '(no name given)' : first.payee.name, style: STYLE.name },
    { label: recipients.length === 1 ? 'Recipient' : 'Recipients', value: recipients.join('\n'), style: STYLE.mono },
  ])
  flow.y += 8
  drawHeading(doc, flow, 'Payments', 30)
  drawTableHead(doc, flow)
  for (const file of sorted) drawPaymentRow(doc, flow, file)
  drawTotals(doc, flow, sorted)
  drawNote(
    doc,
    flow,
    `Each payment's signed receipt is attached to this PDF as receipt-<number>.json. Check any of them offline with: countersign receipts verify <receipt file>.`,
    COLORS.band,
    COLORS.ink,
  )
  drawFooters(doc, `Countersign remittance advice ${number} · ${sorted.length} receipts`)
  return await pdf.finish()
}

function checkFiles(files: readonly ReceiptFile[]): void {
  if (files.length === 0)
    throw new CsError('RECEIPT_INVALID', 'A remittance advice needs at least one receipt — choose the payments to list.')
  if (files.length > REMITTANCE_PAYMENTS_MAX)
    throw new CsError(
      'RECEIPT_INVALID',
      `A remittance advice lists at most ${REMITTANCE_PAYMENTS_MAX} payments — split these ${files.length} by date.`,
    )
  const payees = new Set(files.map((f) => f.receipt.payee.name.normalize('NFC')))
  if (payees.size > 1)
    throw new CsError(
      'RECEIPT_INVALID',
      `A remittance advice is for one payee — these receipts name ${payees.size} payees; choose one payee's receipts.`,
    )
  const workspaces = new Set(files.map((f) => f.receipt.workspaceId))
  if (workspaces.size > 1)
    throw new CsError('RECEIPT_INVALID', 'These receipts come from different workspaces — a remittance advice lists one payer.')
}

function columnXs(): number[] {
  const xs = [MARGIN_PT]
  for (const width of COLUMNS_PT) xs.push(xs.at(-1)! + width + CELL_GAP_PT)
  return xs
}

const TX_WIDTH_PT = CONTENT_WIDTH_PT - COLUMNS_PT.reduce((a, b) => a + b, 0) - COLUMNS_PT.length * CELL_GAP_PT

function drawTableHead(doc: PDFKit.PDFDocument, flow: Flow): void {
  const heads = ['DATE', 'RECEIPT', 'REFERENCE', 'AMOUNT', 'TRANSACTION']
  const xs = columnXs()
  const widths = [...COLUMNS_PT, TX_WIDTH_PT]
  const blocks = heads.map((h, i) => measure(h, STYLE.heading, widths[i]!))
  flow.need(blocks[0]!.height + 4)
  blocks.forEach((block, i) => draw(doc, block, xs[i]!, flow.y, COLORS.muted, i === 3 ? 'right' : 'left', widths[i]!))
  flow.y += blocks[0]!.height + 2
  hrule(doc, MARGIN_PT, flow.y, CONTENT_WIDTH_PT)
  flow.y += 4
}

function drawPaymentRow(doc: PDFKit.PDFDocument, flow: Flow, file: ReceiptFile): void {
  const r = file.receipt
  const cells: TextBlock[] = [
    measure(shortDate(r.paidAt), STYLE.body, COLUMNS_PT[0]),
    measure(r.displayNumber, STYLE.body, COLUMNS_PT[1]),
    measure(r.subject.reference === '' ? '—' : r.subject.reference, STYLE.body, COLUMNS_PT[2]),
    measure(amountText(r.amount), { face: 'sansBold', size: 8.5 }, COLUMNS_PT[3]),
    measure(txReference(r.evidence), STYLE.monoSmall, TX_WIDTH_PT),
  ]
  const height = Math.max(...cells.map((c) => c.height))
  const pageBefore = doc.bufferedPageRange().count
  flow.need(height + 4)
  if (doc.bufferedPageRange().count !== pageBefore) drawTableHead(doc, flow)
  const xs = columnXs()
  cells.forEach((cell, i) =>
    draw(doc, cell, xs[i]!, flow.y, i === 4 ? COLORS.muted : COLORS.ink, i === 3 ? 'right' : 'left', COLUMNS_PT[3]),
  )
  flow.y += height + 2
  hrule(doc, MARGIN_PT, flow.y, CONTENT_WIDTH_PT, COLORS.band, 0.5)
  flow.y += 2
}

interface Total {
  code: string
  assetId: string
  scale: number
  minor: bigint
  count: number
}

/** Per asset, in order of first appearance; each row's value must be its minor units at its scale. */
export function remittanceTotals(files: readonly ReceiptFile[]): Total[] {
  const totals = new Map<string, Total>()
  for (const file of files) {
    const a = file.receipt.amount
    const minor = parseMinor(a.minor)
    invariant(
      formatAmount(minor, a.scale) === a.value,
      () => `receipt ${file.receipt.displayNumber}: value ${a.value} is not ${a.minor} at scale ${a.scale}`,
    )
    const total = totals.get(a.assetId) ?? { code: a.code, assetId: a.assetId, scale: a.scale, minor: 0n, count: 0 }
    invariant(total.scale === a.scale, () => `asset ${a.assetId} appears with scales ${total.scale} and ${a.scale}`)
    total.minor += minor
    total.count += 1
    totals.set(a.assetId, total)
  }
  return [...totals.values()]
}

function drawTotals(doc: PDFKit.PDFDocument, flow: Flow, files: readonly ReceiptFile[]): void {
  flow.y += 6
  drawHeading(doc, flow, 'Totals', 16)
  drawRows(
    doc,
    flow,
    remittanceTotals(files).map((t) => ({
      label: `${t.code} · ${t.count} ${t.count === 1 ? 'payment' : 'payments'}`,
      value: `${formatAmount(t.minor, t.scale)} ${t.code} on ${networkNameOfAsset(t.assetId)}`,
      style: STYLE.strong,
    })),
  )
  flow.y += 10
}
