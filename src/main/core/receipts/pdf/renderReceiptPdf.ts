/**
 * One receipt as a one-page A4 PDF/A-3b, with the receipt file (canonical JSON) attached and a QR
 * code of its hash and signature. Deterministic: the same ReceiptFile gives the same bytes
 * (receiptDocument.ts says how). Everything printed comes from the signed document as it is — the
 * amount is its `value` text, never parsed into a number — and the attached JSON is what
 * `countersign receipts verify` checks.
 */
import { networkName } from '../../../../shared/networkNames'
import type { ReceiptFile } from '../../../../shared/receiptTypes'
import { canonicalJson } from '../../util/canonicalJson'
import { assertNever, invariant } from '../../util/invariant'
import { receiptHash } from '../receiptCrypto'
import { drawQrCode, receiptQrText } from './drawQrCode'
import {
  CONTENT_BOTTOM_PT,
  draw,
  drawFooters,
  drawHeader,
  drawHeading,
  drawNote,
  drawRows,
  Flow,
  measure,
  measureAmount,
  STYLE,
  type Row,
} from './pageBlocks'
import { COLORS, CONTENT_WIDTH_PT, createReceiptDocument, fillRect, MARGIN_PT } from './receiptDocument'
import {
  amountText,
  attachmentName,
  evidenceRows,
  eventLabel,
  isoDateTime,
  longDateTime,
  paidVerb,
  previousNote,
  railName,
  receiptTitle,
} from './receiptWording'

export { renderRemittanceAdvicePdf } from './renderRemittanceAdvicePdf'

export interface RenderReceiptOptions {
  /** The organisation's logo (Settings → Organisation), drawn in the header. */
  logoPng?: Uint8Array | null
}

const AMOUNT_PADDING_PT = 11
const QR_SIZE_PT = 96
const TIMELINE_COLUMNS_PT = [84, 60, 180] as const
/** Space between a block of rows and the next heading. */
const SECTION_GAP_PT = 6

export async function renderReceiptPdf(file: ReceiptFile, options: RenderReceiptOptions = {}): Promise<Uint8Array> {
  const receipt = file.receipt
  invariant(receiptHash(receipt) === file.sha256, () => `receipt ${receipt.displayNumber}: its sha256 is not the hash of its document`)
  const json = canonicalJson(file)
  const title = receiptTitle(receipt.kind)
  const pdf = createReceiptDocument({
    title: `${title} ${receipt.displayNumber}`,
    author: receipt.payer.name,
    subject: `${title} ${receipt.displayNumber}: ${amountText(receipt.amount)}`,
    at: new Date(receipt.paidAt),
    idHex: file.sha256,
    attachments: [
      {
        name: attachmentName(receipt.displayNumber),
        text: json,
        description: `Receipt ${receipt.displayNumber} (${file.schema}); SHA-256 of its receipt: ${file.sha256}`,
      },
    ],
  })
  const doc = pdf.doc
  doc.addPage()
  const flow = new Flow(doc, `${title} ${receipt.displayNumber} (continued)`)
  drawHeader(doc, flow, {
    payer: receipt.payer,
    logoPng: options.logoPng ?? null,
    title,
    number: `No. ${receipt.displayNumber}`,
    details: [`${paidVerb(receipt.kind)} ${longDateTime(receipt.paidAt)}`],
  })
  const note = previousNote(receipt)
  if (note !== null && receipt.previous !== null)
    drawNote(doc, flow, `${note}\nEarlier receipt SHA-256: ${receipt.previous.sha256}`, COLORS.warnBand, COLORS.warn)
  drawAmount(doc, flow, file)
  drawParties(doc, flow, file)
  drawHeading(doc, flow, 'Payment details', 20)
  drawRows(doc, flow, detailRows(file))
  flow.y += SECTION_GAP_PT
  drawHeading(doc, flow, `Evidence — ${railName(receipt.evidence)}`, 20)
  drawRows(doc, flow, [
    ...evidenceRows(receipt.evidence).map((r) => ({ label: r.label, value: r.value, style: r.mono ? STYLE.mono : STYLE.body })),
    {
      label: receipt.ledger.entryIds.length === 1 ? 'Ledger entry' : 'Ledger entries',
      value: receipt.ledger.entryIds.join(', '),
      style: STYLE.mono,
    },
    { label: 'Audit record', value: `row ${receipt.ledger.auditSeq} · ${receipt.ledger.auditHash}`, style: STYLE.mono },
  ])
  flow.y += SECTION_GAP_PT
  drawTimeline(doc, flow, file)
  drawVerification(doc, flow, file)
  drawFooters(doc, `Countersign receipt ${receipt.displayNumber} · SHA-256 ${file.sha256}`)
  return await pdf.finish()
}

function amountLabel(file: ReceiptFile): string {
  switch (file.receipt.kind) {
    case 'payout':
      return 'AMOUNT PAID'
    case 'escrow_release':
      return 'AMOUNT RELEASED'
    case 'escrow_refund':
      return 'AMOUNT REFUNDED'
    case 'reversal':
      return 'AMOUNT REVERSED'
    default:
      return assertNever(file.receipt.kind, 'receipt kind')
  }
}

function drawAmount(doc: PDFKit.PDFDocument, flow: Flow, file: ReceiptFile): void {
  const { amount, fee, net, evidence } = file.receipt
  const inner = CONTENT_WIDTH_PT - 2 * AMOUNT_PADDING_PT
  const label = measure(amountLabel(file), STYLE.heading, inner)
  const value = measureAmount(amountText(amount), inner)
  const network = measure(`${amount.code} on ${networkName(evidence.rail, evidence.network)}`, STYLE.body, inner)
  const extras: string[] = []
  if (fee !== null) extras.push(`Fee charged: ${amountText(fee)}`)
  if (net !== null) extras.push(`Net received by the payee: ${amountText(net)}`)
  const extra = extras.length > 0 ? measure(extras.join('   ·   '), STYLE.body, inner) : null
  const height = 2 * AMOUNT_PADDING_PT + label.height + 3 + value.height + 2 + network.height + (extra ? extra.height + 4 : 0)
  flow.need(height)
  fillRect(doc, MARGIN_PT, flow.y, CONTENT_WIDTH_PT, height, COLORS.band)
  fillRect(doc, MARGIN_PT, flow.y, 3, height, COLORS.accent)
  let y = flow.y + AMOUNT_PADDING_PT
  const x = MARGIN_PT + AMOUNT_PADDING_PT
  y += draw(doc, label, x, y, COLORS.muted) + 3
  y += draw(doc, value, x, y) + 2
  y += draw(doc, network, x, y, COLORS.muted)
  if (extra) draw(doc, extra, x, y + 4)
  flow.y += height + 14
}

function drawParties(doc: PDFKit.PDFDocument, flow: Flow, file: ReceiptFile): void {
  const { payer, payee } = file.receipt
  const gap = 24
  const width = (CONTENT_WIDTH_PT - gap) / 2
  const column = (heading: string, name: string, accountLabel: string, account: string) => [
    measure(heading, STYLE.heading, width),
    measure(name, STYLE.name, width),
    measure(accountLabel, STYLE.small, width),
    measure(account, STYLE.mono, width),
  ]
  const left = column('PAID BY', payer.name === '' ? 'Organisation name not set' : payer.name, 'From account', payer.account)
  const right = column('PAID TO', payee.name === '' ? '(no name given)' : payee.name, 'Recipient', payee.recipient)
  const gaps = [3, 6, 1, 0]
  const heightOf = (blocks: typeof left) => blocks.reduce((sum, b, i) => sum + b.height + gaps[i]!, 0)
  const height = Math.max(heightOf(left), heightOf(right))
  flow.need(height)
  for (const [blocks, x] of [
    [left, MARGIN_PT],
    [right, MARGIN_PT + width + gap],
  ] as const) {
    let y = flow.y
    blocks.forEach((block, i) => {
      y += draw(doc, block, x, y, i === 0 ? COLORS.accent : i === 2 ? COLORS.muted : COLORS.ink) + gaps[i]!
    })
  }
  flow.y += height + 14
}

function detailRows(file: ReceiptFile): Row[] {
  const { subject, kind } = file.receipt
  const rows: Row[] = [
    subject.reference === ''
      ? { label: 'Reference', value: 'none given', color: COLORS.faint }
      : { label: 'Reference', value: subject.reference, style: STYLE.strong },
  ]
  if (subject.memo !== '') rows.push({ label: 'Memo', value: subject.memo })
  if (subject.description !== '') rows.push({ label: 'Description', value: subject.description })
  const id = kind === 'payout' || kind === 'reversal' ? 'Payout' : 'Escrow action'
  rows.push(
    subject.batchId === null
      ? { label: `${id} id`, value: subject.id, style: STYLE.mono }
      : { label: `${id} id · batch`, value: `${subject.id} · ${subject.batchId}`, style: STYLE.mono },
  )
  if (subject.escrowId !== null)
    rows.push({
      label: 'Escrow',
      value: `${subject.escrowId}${subject.milestone === null ? '' : ` · milestone ${subject.milestone}`}`,
      style: STYLE.mono,
    })
  return rows
}

function drawTimeline(doc: PDFKit.PDFDocument, flow: Flow, file: ReceiptFile): void {
  drawHeading(doc, flow, 'Status (times in UTC)', 14)
  const [atWidth, kindWidth, byWidth] = TIMELINE_COLUMNS_PT
  const detailWidth = CONTENT_WIDTH_PT - atWidth - kindWidth - byWidth
  for (const event of file.receipt.timeline) {
    const cells = [
      measure(isoDateTime(event.at), STYLE.small, atWidth - 6),
      measure(eventLabel(event.kind), { face: 'sansBold', size: 7.5 }, kindWidth - 6),
      measure(event.by === '' ? '—' : event.by, STYLE.small, byWidth - 6),
      measure(event.detail, STYLE.small, detailWidth),
    ]
    const height = Math.max(...cells.map((c) => c.height))
    flow.need(height)
    let x = MARGIN_PT
    cells.forEach((cell, i) => {
      draw(doc, cell, x, flow.y, i === 0 || i === 3 ? COLORS.muted : COLORS.ink)
      x += TIMELINE_COLUMNS_PT[i] ?? 0
    })
    flow.y += height + 1
  }
  flow.y += SECTION_GAP_PT
}

/** The QR code and what a payee needs to check the receipt, at the foot of the page when it fits there. */
function drawVerification(doc: PDFKit.PDFDocument, flow: Flow, file: ReceiptFile): void {
  const padding = 8
  const textX = MARGIN_PT + padding + QR_SIZE_PT + 10
  const textWidth = MARGIN_PT + CONTENT_WIDTH_PT - padding - textX
  const sig = file.workspaceSignature
  const blocks = [
    { block: measure('Verify this receipt', STYLE.strong, textWidth), color: COLORS.accent, gap: 3 },
    { block: measure(`SHA-256 ${file.sha256}`, STYLE.mono, textWidth), color: COLORS.ink, gap: 3 },
    { block: measure(`Signed by workspace key ${sig.keyId} (Ed25519). Signature:`, STYLE.small, textWidth), color: COLORS.muted, gap: 0 },
    { block: measure(sig.signature, STYLE.monoSmall, textWidth), color: COLORS.ink, gap: 3 },
  ]
  const attestation = file.batchAttestation
  if (attestation !== null)
    blocks.push({
      block: measure(
        `Batch attested on the treasury device: ${attestation.signer} signed the Merkle root of its ${attestation.leafCount} receipts; this is leaf ${attestation.leafIndex + 1}.`,
        STYLE.small,
        textWidth,
      ),
      color: COLORS.muted,
      gap: 3,
    })
  blocks.push({
    block: measure(
      `How to verify, offline: countersign receipts verify <this file>. The receipt data is attached as ${attachmentName(file.receipt.displayNumber)}.`,
      STYLE.small,
      textWidth,
    ),
    color: COLORS.ink,
    gap: 0,
  })
  const textHeight = blocks.reduce((sum, b) => sum + b.block.height + b.gap, 0)
  const height = Math.max(QR_SIZE_PT, textHeight) + 2 * padding
  flow.need(height)
  const top = Math.max(flow.y, CONTENT_BOTTOM_PT - height)
  doc.save().roundedRect(MARGIN_PT, top, CONTENT_WIDTH_PT, height, 4).lineWidth(0.75).strokeColor(COLORS.rule).stroke().restore()
  drawQrCode(doc, receiptQrText(file), MARGIN_PT + padding, top + (height - QR_SIZE_PT) / 2, QR_SIZE_PT)
  let y = top + (height - textHeight) / 2
  for (const { block, color, gap } of blocks) y += draw(doc, block, textX, y, color) + gap
  flow.y = top + height
}
