/**
 * readEmbeddedReceiptJson: the attached JSON comes back exactly, and a change to any single byte
 * of it inside the PDF comes back changed (or as null) — never as the original text. The verifier
 * relies on that.
 */
import PDFDocument from 'pdfkit'
import { describe, expect, it } from 'vitest'
import { sampleReceiptFile } from '../../../../../test/receipts/sampleReceiptFile'
import { canonicalJson } from '../../util/canonicalJson'
import { readEmbeddedReceiptJson, readEmbeddedReceiptJsons } from './readReceiptPdf'
import { renderReceiptPdf, renderRemittanceAdvicePdf } from './renderReceiptPdf'

describe('readEmbeddedReceiptJson', () => {
  it('returns the attached receipt file exactly, and notices a change to any byte of it', async () => {
    const file = sampleReceiptFile({ number: 51, payeeName: 'Дмитрий Соколов' })
    const json = canonicalJson(file)
    const pdf = await renderReceiptPdf(file)
    expect(readEmbeddedReceiptJson(pdf)).toBe(json)

    const jsonBytes = Buffer.from(json, 'utf8')
    const at = Buffer.from(pdf).indexOf(jsonBytes)
    expect(at).toBeGreaterThan(0)
    let changed = 0
    let unreadable = 0
    for (let i = 0; i < jsonBytes.length; i++) {
      const copy = Buffer.from(pdf)
      copy[at + i] = copy[at + i]! ^ (i % 2 === 0 ? 0x01 : 0x80)
      const read = readEmbeddedReceiptJson(copy)
      expect(read, `byte ${i}`).not.toBe(json)
      if (read === null) unreadable++
      else changed++
    }
    // Both outcomes occur: an ASCII byte flipped stays text, a high bit makes it invalid UTF-8.
    expect(changed).toBeGreaterThan(0)
    expect(unreadable).toBeGreaterThan(0)
  })

  it('gives null for no attachment, a truncated file, or an incremental update', async () => {
    const pdf = Buffer.from(await renderReceiptPdf(sampleReceiptFile({ number: 52 })))
    expect(readEmbeddedReceiptJson(pdf.subarray(0, pdf.length - 200))).toBeNull()
    const update = Buffer.concat([
      pdf,
      Buffer.from(
        `1 0 obj\n<< >>\nendobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n<<\n/Size 2\n/Prev ${pdf.length - 20}\n>>\nstartxref\n${pdf.length + 22}\n%%EOF\n`,
      ),
    ])
    expect(readEmbeddedReceiptJson(update)).toBeNull()
    expect(readEmbeddedReceiptJson(Buffer.from('%PDF-1.7\nnot really\n'))).toBeNull()
  })

  it('lists every receipt of a remittance advice, and refuses to pick one', async () => {
    const files = [53, 54, 55].map((n) => sampleReceiptFile({ number: n, payeeName: 'Jane Doe' }))
    const pdf = await renderRemittanceAdvicePdf(files)
    expect(readEmbeddedReceiptJson(pdf)).toBeNull()
    const all = readEmbeddedReceiptJsons(pdf)
    expect(all?.map((a) => a.json).sort()).toEqual(files.map((f) => canonicalJson(f)).sort())
    expect(all?.map((a) => a.name).sort()).toEqual(files.map((f) => `receipt-${f.receipt.displayNumber}.json`).sort())
  })

  it('reads a Flate-compressed attachment too', async () => {
    const json = canonicalJson(sampleReceiptFile({ number: 56 }))
    const doc = new PDFDocument({ pdfVersion: '1.7' })
    const chunks: Buffer[] = []
    doc.on('data', (c: Buffer) => chunks.push(c))
    const ended = new Promise((resolve) => doc.on('end', resolve))
    doc.file(Buffer.from(json, 'utf8'), { name: 'receipt-CS-2026-000056.json', type: 'application/json' })
    doc.end()
    await ended
    const pdf = Buffer.concat(chunks)
    expect(pdf.includes(Buffer.from(json))).toBe(false)
    expect(pdf.toString('latin1')).toContain('/Filter /FlateDecode')
    expect(readEmbeddedReceiptJson(pdf)).toBe(json)
  })
})
