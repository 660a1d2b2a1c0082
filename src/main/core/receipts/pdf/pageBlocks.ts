/**
 * The blocks both receipt PDFs are built from: text in a box, a flow that turns the page when a
 * block would not fit, the organisation header, label/value rows, section headings and the footer.
 * Every block is measured before it is drawn, so nothing overflows the page or its column.
 */
import { CsError } from '../../../../shared/errors'
import type { ReceiptPayer } from '../../../../shared/receiptTypes'
import { A4_HEIGHT_PT, COLORS, CONTENT_WIDTH_PT, drawLines, fillRect, hrule, lineHeight, MARGIN_PT } from './receiptDocument'
import { layoutText, singleLineWidth, type Line, type TextStyle } from './textLayout'

/** Where content stops and the footer starts. */
export const CONTENT_BOTTOM_PT = A4_HEIGHT_PT - MARGIN_PT - 6
const FOOTER_TOP_PT = A4_HEIGHT_PT - MARGIN_PT + 8
/** The logo sits in this box, left of the organisation's name. */
const LOGO_WIDTH_MAX_PT = 96
const LOGO_HEIGHT_MAX_PT = 48
const LOGO_GAP_PT = 12
const HEADER_RIGHT_WIDTH_PT = 215
/** The amount is set this big when it fits on one line, smaller down to the minimum, then wrapped. */
const AMOUNT_SIZE_MAX_PT = 24
const AMOUNT_SIZE_MIN_PT = 10
const AMOUNT_SIZE_STEP_PT = 1

export const STYLE = {
  title: { face: 'sansBold', size: 19 },
  heading: { face: 'sansBold', size: 7.5 },
  strong: { face: 'sansBold', size: 10 },
  name: { face: 'sansBold', size: 11.5 },
  body: { face: 'sans', size: 8.3 },
  small: { face: 'sans', size: 7.5 },
  mono: { face: 'mono', size: 7.6 },
  monoSmall: { face: 'mono', size: 6.6 },
  footer: { face: 'sans', size: 6.8 },
} as const satisfies Record<string, TextStyle>

export interface TextBlock {
  lines: Line[]
  style: TextStyle
  height: number
}

export function measure(raw: string, style: TextStyle, width: number): TextBlock {
  const lines = layoutText(raw, style, width)
  return { lines, style, height: lines.length * lineHeight(style) }
}

export function draw(
  doc: PDFKit.PDFDocument,
  block: TextBlock,
  x: number,
  y: number,
  color: string = COLORS.ink,
  align: 'left' | 'right' = 'left',
  width = 0,
): number {
  return drawLines(doc, block.lines, x, y, block.style, color, align, width)
}

/** The amount as big as fits on one line (down to the minimum size, then wrapped): never cut, never re-formatted. */
export function measureAmount(text: string, width: number): TextBlock {
  for (let size = AMOUNT_SIZE_MAX_PT; size >= AMOUNT_SIZE_MIN_PT; size -= AMOUNT_SIZE_STEP_PT) {
    const style: TextStyle = { face: 'sansBold', size }
    if (singleLineWidth(text, style) <= width) return measure(text, style, width)
  }
  return measure(text, { face: 'sansBold', size: AMOUNT_SIZE_MIN_PT }, width)
}

/** A vertical cursor that starts a new page (with a "continued" line) when a block would not fit. */
export class Flow {
  y = MARGIN_PT
  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly continued: string,
  ) {}

  /** Makes room for `height` points, turning the page when needed. */
  need(height: number): void {
    if (this.y + height <= CONTENT_BOTTOM_PT) return
    this.doc.addPage()
    this.y = MARGIN_PT
    this.y += draw(this.doc, measure(this.continued, STYLE.small, CONTENT_WIDTH_PT), MARGIN_PT, this.y, COLORS.faint) + 8
  }
}

export interface HeaderInput {
  payer: ReceiptPayer
  logoPng: Uint8Array | null
  title: string
  /** Lines under the title, right-aligned: the number first (bold), then dates. */
  number: string
  details: string[]
}

/** Organisation (logo beside name, address, registration) on the left, title and number on the right. */
export function drawHeader(doc: PDFKit.PDFDocument, flow: Flow, input: HeaderInput): void {
  const top = flow.y
  let textX = MARGIN_PT
  let logoBottom = top
  if (input.logoPng !== null) {
    drawLogo(doc, input.logoPng, MARGIN_PT, top)
    textX += LOGO_WIDTH_MAX_PT + LOGO_GAP_PT
    logoBottom = top + LOGO_HEIGHT_MAX_PT
  }
  const leftWidth = MARGIN_PT + CONTENT_WIDTH_PT - HEADER_RIGHT_WIDTH_PT - 16 - textX
  const payer = input.payer
  let left = top
  const name = payer.name === '' ? 'Organisation name not set' : payer.name
  left += draw(doc, measure(name, { face: 'sansBold', size: 13 }, leftWidth), textX, left)
  if (payer.address !== '') left += draw(doc, measure(payer.address, STYLE.body, leftWidth), textX, left + 2, COLORS.muted) + 2
  if (payer.registrationNumber !== '')
    left += draw(doc, measure(`Registration no. ${payer.registrationNumber}`, STYLE.body, leftWidth), textX, left + 1, COLORS.muted) + 1
  left = Math.max(left, logoBottom)

  const rightX = MARGIN_PT + CONTENT_WIDTH_PT - HEADER_RIGHT_WIDTH_PT
  let right = top
  right += draw(doc, measure(input.title, STYLE.title, HEADER_RIGHT_WIDTH_PT), rightX, right, COLORS.accent, 'right', HEADER_RIGHT_WIDTH_PT)
  right +=
    draw(doc, measure(input.number, STYLE.strong, HEADER_RIGHT_WIDTH_PT), rightX, right + 2, COLORS.ink, 'right', HEADER_RIGHT_WIDTH_PT) + 2
  for (const detail of input.details)
    right +=
      draw(doc, measure(detail, STYLE.body, HEADER_RIGHT_WIDTH_PT), rightX, right + 1, COLORS.muted, 'right', HEADER_RIGHT_WIDTH_PT) + 1
  flow.y = Math.max(left, right) + 12
  hrule(doc, MARGIN_PT, flow.y, CONTENT_WIDTH_PT, COLORS.accent, 1.2)
  flow.y += 14
}

/** The logo fitted into its box; a PNG pdfkit cannot read is the organisation's to fix, said so. */
function drawLogo(doc: PDFKit.PDFDocument, png: Uint8Array, x: number, y: number): void {
  try {
    doc.image(Buffer.from(png), x, y, { fit: [LOGO_WIDTH_MAX_PT, LOGO_HEIGHT_MAX_PT] })
  } catch (cause) {
    throw new CsError(
      'ORGANISATION_INVALID',
      'The organisation logo cannot be drawn (a damaged PNG) — choose the PNG file again in Settings → Organisation.',
      {
        cause,
        details: { field: 'logoPng' },
      },
    )
  }
}

/** A small upper-case heading with a rule under it. */
export function drawHeading(doc: PDFKit.PDFDocument, flow: Flow, text: string, keepWith: number): void {
  const block = measure(text.toUpperCase(), STYLE.heading, CONTENT_WIDTH_PT)
  flow.need(block.height + 6 + keepWith)
  flow.y += draw(doc, block, MARGIN_PT, flow.y, COLORS.accent)
  hrule(doc, MARGIN_PT, flow.y + 1, CONTENT_WIDTH_PT)
  flow.y += 6
}

export interface Row {
  label: string
  value: string
  style?: TextStyle
  color?: string
}

export const LABEL_WIDTH_PT = 112

/** Label / value rows; each row moves to the next page whole if it does not fit. */
export function drawRows(doc: PDFKit.PDFDocument, flow: Flow, rows: readonly Row[], x = MARGIN_PT, width = CONTENT_WIDTH_PT): void {
  const valueWidth = width - LABEL_WIDTH_PT
  for (const row of rows) {
    const label = measure(row.label, STYLE.body, LABEL_WIDTH_PT - 8)
    const value = measure(row.value, row.style ?? STYLE.body, valueWidth)
    const height = Math.max(label.height, value.height)
    flow.need(height)
    draw(doc, label, x, flow.y, COLORS.muted)
    // Monospaced values sit a little lower so their baseline meets the label's.
    draw(doc, value, x + LABEL_WIDTH_PT, flow.y + (value.style.face === 'mono' ? 0.6 : 0), row.color ?? COLORS.ink)
    flow.y += height + 1.5
  }
}

/** A tinted box around a block of text (notes). Returns nothing; moves the flow below it. */
export function drawNote(doc: PDFKit.PDFDocument, flow: Flow, text: string, band: string, ink: string): void {
  const padding = 8
  const block = measure(text, STYLE.body, CONTENT_WIDTH_PT - 2 * padding)
  flow.need(block.height + 2 * padding)
  fillRect(doc, MARGIN_PT, flow.y, CONTENT_WIDTH_PT, block.height + 2 * padding, band)
  draw(doc, block, MARGIN_PT + padding, flow.y + padding, ink)
  flow.y += block.height + 2 * padding + 12
}

/** "Countersign · <left> · Page n of N" on every page (pages are buffered until the end). */
export function drawFooters(doc: PDFKit.PDFDocument, left: string): void {
  const range = doc.bufferedPageRange()
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i)
    hrule(doc, MARGIN_PT, FOOTER_TOP_PT - 4, CONTENT_WIDTH_PT)
    draw(doc, measure(left, STYLE.footer, CONTENT_WIDTH_PT - 80), MARGIN_PT, FOOTER_TOP_PT, COLORS.faint)
    const page = measure(`Page ${i + 1} of ${range.count}`, STYLE.footer, 80)
    draw(doc, page, MARGIN_PT + CONTENT_WIDTH_PT - 80, FOOTER_TOP_PT, COLORS.faint, 'right', 80)
  }
}
