/**
 * A deterministic PDF/A-3b document with pdfkit, and the drawing primitives the receipt and the
 * remittance advice share.
 *
 * Deterministic: pdfkit's only moving parts are the document dates (Info, XMP, attachments: all set
 * here to the payment's time), the trailer /ID (pdfkit hashes the Info dictionary; we replace it —
 * `doc._id`, read only when the trailer is written — with the first 16 bytes of the receipt's
 * SHA-256) and the font subset tags, which pdfkit derives from the font's order of use in the
 * document ("F1" → "BAAAAA+"), not from a random source. Same input, same bytes.
 *
 * PDF/A-3b: pdfkit writes the XMP identification (pdfaid:part 3, conformance B), the sRGB output
 * intent with its ICC profile and the catalog's /AF array when asked (`subset: 'PDF/A-3b'`, PDF 1.7).
 * We embed every font (no standard 14 font is ever drawn), add xmp:ModifyDate to match the Info
 * ModDate, keep Info strings free of XML markup characters (pdfkit copies them into the XMP
 * unescaped, and PDF/A wants the two to agree), and attach the receipt JSON with a MIME type, dates
 * and an AFRelationship.
 *
 * The attachment is stored uncompressed (pdfkit's `compress` flag is read when an object is created,
 * so it is turned off around `doc.file`): the JSON is readable in the file itself, and a change to
 * any byte of it changes the text `readEmbeddedReceiptJson` returns.
 */
import PDFDocument from 'pdfkit'
import { invariant } from '../../util/invariant'
import { parsedFont, type Face } from './fonts'
import type { Line, TextStyle } from './textLayout'

export const A4_WIDTH_PT = 595.28
export const A4_HEIGHT_PT = 841.89
export const MARGIN_PT = 48
export const CONTENT_WIDTH_PT = A4_WIDTH_PT - 2 * MARGIN_PT

export const COLORS = {
  ink: '#1a1f2b',
  muted: '#5b6472',
  faint: '#8a93a1',
  rule: '#d5d9e0',
  band: '#f3f5f8',
  accent: '#0f4c81',
  warn: '#9a3412',
  warnBand: '#fff4ec',
} as const

/** Line height and where the baseline sits, as fractions of the font size (Noto's ascent ~1.07). */
const LINE_HEIGHT_EM = 1.28
const BASELINE_EM = 1.0
/** Stroke width of faux-bold text, as a fraction of the font size. */
const FAUX_BOLD_STROKE_EM = 0.035
/** The document /ID is this many bytes of the receipt's SHA-256 (a PDF ID is conventionally 16). */
const DOCUMENT_ID_BYTES = 16

export interface Attachment {
  name: string
  /** The exact text embedded (UTF-8). */
  text: string
  description: string
}

export interface DocumentMeta {
  /** Title, author and subject of the Info dictionary and the XMP (markup characters are replaced). */
  title: string
  author: string
  subject: string
  /** The document's dates: CreationDate, ModDate, XMP dates and the attachments' dates. */
  at: Date
  /** Hex of at least 16 bytes; the first 16 become the trailer /ID. */
  idHex: string
  attachments: readonly Attachment[]
}

export interface ReceiptPdf {
  doc: PDFKit.PDFDocument
  /** Ends the document (attachments added, pages flushed) and returns its bytes. */
  finish(): Promise<Uint8Array>
}

export function createReceiptDocument(meta: DocumentMeta): ReceiptPdf {
  invariant(/^[0-9a-f]+$/.test(meta.idHex) && meta.idHex.length >= DOCUMENT_ID_BYTES * 2, 'document id must be hex of at least 16 bytes')
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    bufferPages: true,
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    lang: 'en',
    displayTitle: true,
    info: {
      Title: metadataText(meta.title),
      Author: metadataText(meta.author),
      Subject: metadataText(meta.subject),
      Creator: 'Countersign',
      Producer: 'Countersign (pdfkit)',
      CreationDate: meta.at,
      ModDate: meta.at,
    },
  })
  ;(doc as unknown as { _id: Uint8Array })._id = Buffer.from(meta.idHex.slice(0, DOCUMENT_ID_BYTES * 2), 'hex')
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve)
    doc.on('error', reject)
  })
  return {
    doc,
    async finish() {
      for (const attachment of meta.attachments) attach(doc, attachment, meta.at)
      doc.appendXML(xmpModifyDate(meta.at))
      doc.end()
      await ended
      return new Uint8Array(Buffer.concat(chunks))
    },
  }
}

function attach(doc: PDFKit.PDFDocument, attachment: Attachment, at: Date): void {
  const withFlag = doc as unknown as { compress: boolean }
  const compress = withFlag.compress
  withFlag.compress = false
  try {
    // AFRelationship "Source": the JSON is what this page is rendered from (pdfkit's option; not in @types/pdfkit).
    const options: PDFKit.Mixins.PDFAttachmentOptions & { relationship: string } = {
      name: attachment.name,
      type: 'application/json',
      description: attachment.description,
      creationDate: at,
      modifiedDate: at,
      relationship: 'Source',
    }
    doc.file(Buffer.from(attachment.text, 'utf8'), options)
  } finally {
    withFlag.compress = compress
  }
}

/** "2026-01-02T03:04:05Z": the XMP form of the Info dates (whole seconds, UTC, as pdfkit writes CreateDate). */
function xmpDate(at: Date): string {
  return at.toISOString().split('.')[0] + 'Z'
}

function xmpModifyDate(at: Date): string {
  return `
        <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
            <xmp:ModifyDate>${xmpDate(at)}</xmp:ModifyDate>
            <xmp:MetadataDate>${xmpDate(at)}</xmp:MetadataDate>
        </rdf:Description>
        `
}

/** Info text pdfkit may copy into XML unescaped: no markup characters, no controls. */
function metadataText(text: string): string {
  return text
    .replace(/[<>&"'\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

export function lineHeight(style: TextStyle): number {
  return style.size * LINE_HEIGHT_EM
}

/** Draws laid-out lines from `top`; returns the height used. */
export function drawLines(
  doc: PDFKit.PDFDocument,
  lines: readonly Line[],
  x: number,
  top: number,
  style: TextStyle,
  color: string,
  align: 'left' | 'right' = 'left',
  widthMax = 0,
): number {
  const step = lineHeight(style)
  doc.fillColor(color)
  lines.forEach((line, index) => {
    const baseline = top + index * step + style.size * BASELINE_EM
    let cursor = align === 'right' ? x + widthMax - line.width : x
    for (const segment of line.segments) {
      useFace(doc, segment.face, style.size)
      if (segment.fauxBold)
        doc
          .save()
          .lineWidth(style.size * FAUX_BOLD_STROKE_EM)
          .strokeColor(color)
      doc.text(segment.text, cursor, baseline, {
        lineBreak: false,
        baseline: 'alphabetic',
        features: [],
        fill: true,
        stroke: segment.fauxBold,
      })
      if (segment.fauxBold) doc.restore()
      cursor += segment.width
    }
  })
  return lines.length * step
}

/**
 * Sets a face by its name (pdfkit keeps one embedded font per name and document); the parsed font
 * is handed over as the source, so a face is parsed once per process and only when text needs it.
 */
function useFace(doc: PDFKit.PDFDocument, face: Face, size: number): void {
  doc.font(parsedFont(face) as unknown as string, face, size)
}

export function hrule(doc: PDFKit.PDFDocument, x: number, y: number, width: number, color: string = COLORS.rule, thickness = 0.75): void {
  doc
    .save()
    .moveTo(x, y)
    .lineTo(x + width, y)
    .lineWidth(thickness)
    .strokeColor(color)
    .stroke()
    .restore()
}

export function fillRect(doc: PDFKit.PDFDocument, x: number, y: number, width: number, height: number, color: string): void {
  doc.save().rect(x, y, width, height).fillColor(color).fill().restore()
}
