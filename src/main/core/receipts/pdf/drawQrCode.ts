/**
 * The receipt's QR code: the `qrcode` package builds the matrix (its mask choice is a pure
 * function of the text), and we draw it as vector squares — no raster image, so it stays sharp at
 * any zoom and the bytes are the same on every run.
 *
 * What it carries: "countersign:receipt:<displayNumber>:<sha256>:<keyId>:<signature>" — enough for
 * a phone to show which receipt it is, its hash, and the workspace key's signature over that hash.
 * The display number is percent-encoded (a ":" in it cannot split the fields).
 */
import QRCode from 'qrcode'
import type { ReceiptFile } from '../../../../shared/receiptTypes'

export const RECEIPT_QR_PREFIX = 'countersign:receipt:'
/** Medium error correction (15 %): a printed, folded or photographed receipt still scans. */
const ERROR_CORRECTION = 'M'
/** The quiet zone the QR standard asks for around the symbol, in modules. */
const QUIET_ZONE_MODULES = 4

export function receiptQrText(file: ReceiptFile): string {
  const sig = file.workspaceSignature
  return `${RECEIPT_QR_PREFIX}${encodeURIComponent(file.receipt.displayNumber)}:${file.sha256}:${sig.keyId}:${sig.signature}`
}

/**
 * Draws the code in a `size`-point square at (x, y), quiet zone included (left white). Each dark
 * module is one square; runs of dark modules in a row are merged into one rectangle.
 */
export function drawQrCode(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const matrix = QRCode.create(text, { errorCorrectionLevel: ERROR_CORRECTION }).modules
  const count = matrix.size
  const module = size / (count + 2 * QUIET_ZONE_MODULES)
  const origin = QUIET_ZONE_MODULES * module
  doc.save()
  for (let row = 0; row < count; row++) {
    let col = 0
    while (col < count) {
      if (matrix.get(row, col) === 0) {
        col++
        continue
      }
      const start = col
      while (col < count && matrix.get(row, col) !== 0) col++
      doc.rect(x + origin + start * module, y + origin + row * module, (col - start) * module, module)
    }
  }
  doc.fillColor('#000000').fill()
  doc.restore()
}
