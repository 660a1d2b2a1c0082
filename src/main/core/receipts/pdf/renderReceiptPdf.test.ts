/**
 * The receipt PDF: byte-identical on every render (in this process, in two other processes, one of
 * them in another time zone), what pdftotext reads from it, the PDF/A-3b markers, and the
 * attached receipt file.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { networkName } from '../../../../shared/networkNames'
import { pdfText } from '../../../../../test/receipts/pdfTools'
import {
  SAMPLE_PAYEE_NAMES,
  sampleReceiptDocument,
  sampleReceiptFile,
  signReceiptDocument,
} from '../../../../../test/receipts/sampleReceiptFile'
import { canonicalJson } from '../../util/canonicalJson'
import { receiptQrText } from './drawQrCode'
import { readEmbeddedReceiptJson } from './readReceiptPdf'
import { renderReceiptPdf } from './renderReceiptPdf'

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url))
const CHILD = path.join(REPO_ROOT, 'test', 'receipts', 'renderSampleReceipt.ts')
const ETH_LIKE = { value: '123456789012345678901234567890.123456789012345678', scale: 18, code: 'DAI' }

function latin1(pdf: Uint8Array): string {
  return Buffer.from(pdf).toString('latin1')
}

function renderInChild(out: string, number: number, tz: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, out, String(number)], {
      cwd: REPO_ROOT,
      env: { ...process.env, TZ: tz },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`))))
  })
}

describe('renderReceiptPdf', () => {
  it('renders the same receipt to the same bytes, and another receipt to other bytes', async () => {
    const file = sampleReceiptFile({ number: 42, withFee: true })
    const first = await renderReceiptPdf(file)
    // A different receipt in between: nothing carried over from one document to the next.
    const other = await renderReceiptPdf(sampleReceiptFile({ number: 43, payeeName: '王小明' }))
    const second = await renderReceiptPdf(file)
    expect(Buffer.compare(first, second)).toBe(0)
    expect(Buffer.compare(first, other)).not.toBe(0)
  })

  it('renders byte-identical PDFs in two separate processes, whatever their time zone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-pdf-twice-'))
    try {
      const a = path.join(dir, 'a.pdf')
      const b = path.join(dir, 'b.pdf')
      await Promise.all([renderInChild(a, 7, 'UTC'), renderInChild(b, 7, 'Pacific/Chatham')])
      const here = await renderReceiptPdf(sampleReceiptFile({ number: 7, withFee: true }))
      const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
      expect(digest(fs.readFileSync(a))).toBe(digest(here))
      expect(digest(fs.readFileSync(b))).toBe(digest(here))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('shows the payee, the exact amount, the reference and the transaction hash as text', async () => {
    const file = sampleReceiptFile({
      number: 5,
      payeeName: 'Maria Fernández Łukasiewicz',
      reference: 'INV-2026-0042, INV-2026-0043',
      ...ETH_LIKE,
    })
    const text = pdfText(await renderReceiptPdf(file))
    const evidence = file.receipt.evidence
    if (evidence.rail !== 'evm') throw new Error('the sample is an EVM receipt')
    expect(text).toContain('Maria Fernández Łukasiewicz')
    expect(text).toContain(`${ETH_LIKE.value} DAI`)
    // The asset as people name it — its code and the network's name — not the engine's asset id.
    expect(text).toContain(`DAI on ${networkName('evm', evidence.network)}`)
    expect(text).not.toContain(file.receipt.amount.assetId)
    expect(text).toContain('INV-2026-0042, INV-2026-0043')
    expect(text).toContain(evidence.txHash)
    expect(text).toContain(file.receipt.payee.recipient)
    expect(text).toContain(file.sha256)
    expect(text).toContain(file.receipt.displayNumber)
    expect(text).toContain('countersign receipts verify')
    // One page: no form feed between pages.
    expect(text.replace(/\f$/, '')).not.toContain('\f')
  })

  it('prints Stellar and Stripe evidence in full', async () => {
    const stellar = sampleReceiptFile({ number: 8, rail: 'stellar' })
    const stripe = sampleReceiptFile({ number: 9, rail: 'stripe' })
    const stellarText = pdfText(await renderReceiptPdf(stellar))
    const stripeText = pdfText(await renderReceiptPdf(stripe))
    if (stellar.receipt.evidence.rail !== 'stellar' || stripe.receipt.evidence.rail !== 'stripe') throw new Error('sample rails')
    expect(stellarText).toContain(stellar.receipt.evidence.txHash)
    expect(stellarText).toContain(stellar.receipt.evidence.ledger)
    expect(stripeText).toContain(stripe.receipt.evidence.transferId)
    expect(stripeText).toContain(stripe.receipt.evidence.balanceTransactionId!)
  })

  it('links a reversal to the receipt it reverses', async () => {
    const original = sampleReceiptFile({ number: 10 })
    const reversal = sampleReceiptFile({
      number: 11,
      kind: 'reversal',
      rail: 'stripe',
      previous: { number: 10, displayNumber: original.receipt.displayNumber, sha256: original.sha256 },
    })
    const text = pdfText(await renderReceiptPdf(reversal))
    expect(text).toContain('Reversal')
    expect(text).toContain(`reverses receipt ${original.receipt.displayNumber}`)
    expect(text).toContain(original.sha256)
  })

  it('is PDF/A-3b: identification, output intent, embedded fonts, dated metadata and the attachment', async () => {
    const file = sampleReceiptFile({ number: 12, payeeName: '山田 太郎' })
    const pdf = await renderReceiptPdf(file)
    const raw = latin1(pdf)
    expect(raw.startsWith('%PDF-1.7\n')).toBe(true)
    expect(raw).toContain('<pdfaid:part>3</pdfaid:part>')
    expect(raw).toContain('<pdfaid:conformance>B</pdfaid:conformance>')
    expect(raw).toMatch(/\/OutputIntents \[\d+ 0 R\]/)
    expect(raw).toContain('/S /GTS_PDFA1')
    expect(raw).toMatch(/\/AF \[\d+ 0 R\]/)
    expect(raw).toContain('/AFRelationship /Source')
    expect(raw).toContain('/Subtype /application#2Fjson')
    expect(raw).toContain(`/UF (receipt-${file.receipt.displayNumber}.json)`)
    // Dates are the payment's, in Info, XMP and the attachment.
    const paid = file.receipt.paidAt.replace(/\.\d{3}Z$/, 'Z')
    expect(raw).toContain(`<xmp:CreateDate>${paid}</xmp:CreateDate>`)
    expect(raw).toContain(`<xmp:ModifyDate>${paid}</xmp:ModifyDate>`)
    const pdfDate = `(D:${paid.replace(/[-:T]/g, '').replace('Z', '')}Z)`
    expect(raw.split(pdfDate).length - 1).toBeGreaterThanOrEqual(4)
    // The document id is the receipt's hash.
    const id = file.sha256.slice(0, 32)
    expect(raw).toContain(`/ID [<${id}> <${id}>]`)
    // Every font embedded (no standard 14 font), with no random subset tag.
    expect(raw).not.toMatch(/\/BaseFont \/(Helvetica|Times|Courier)/)
    const descriptors = raw.match(/\/Type \/FontDescriptor[\s\S]*?>>/g) ?? []
    expect(descriptors.length).toBeGreaterThanOrEqual(3)
    for (const d of descriptors) expect(d).toMatch(/\/FontFile[23] \d+ 0 R/)
  })

  it('attaches the receipt file as its canonical JSON, exactly', async () => {
    const file = sampleReceiptFile({ number: 13, ...ETH_LIKE })
    const pdf = await renderReceiptPdf(file)
    expect(readEmbeddedReceiptJson(pdf)).toBe(canonicalJson(file))
    // Stored uncompressed: the JSON is there to read in the file itself.
    expect(latin1(pdf)).toContain(Buffer.from(canonicalJson(file), 'utf8').toString('latin1'))
  })

  it('carries the hash and the signature in the QR text', () => {
    const file = sampleReceiptFile({ number: 14 })
    expect(receiptQrText(file)).toBe(
      `countersign:receipt:${file.receipt.displayNumber}:${file.sha256}:${file.workspaceSignature.keyId}:${file.workspaceSignature.signature}`,
    )
  })

  it('fits the fullest receipt on one page: logo, correction note, fee and net, a long name, a batch attestation', async () => {
    const receipt = sampleReceiptDocument({
      number: 16,
      rail: 'stellar',
      kind: 'reversal',
      withFee: true,
      payeeName: SAMPLE_PAYEE_NAMES.reduce((a, b) => (a.length > b.length ? a : b)),
      previous: { number: 3, displayNumber: 'CS-2026-000003', sha256: 'ef'.repeat(32) },
    })
    receipt.net = { ...receipt.amount }
    const file = signReceiptDocument(receipt)
    file.batchAttestation = {
      chain: 'stellar',
      batchId: receipt.subject.batchId!,
      signer: receipt.payer.account,
      root: 'ab'.repeat(32),
      leafCount: 120,
      message: 'Countersign batch attestation',
      signature: 'cd'.repeat(64),
      leafIndex: 7,
      proof: [],
    }
    const text = pdfText(await renderReceiptPdf(file, { logoPng: onePixelPng() }))
    expect(text.replace(/\f$/, '')).not.toContain('\f')
    expect(text).toContain('Page 1 of 1')
    expect(text).toContain('Batch attested on the treasury device')
  })

  it('draws the logo from Settings', async () => {
    const file = sampleReceiptFile({ number: 15 })
    const without = await renderReceiptPdf(file)
    const withLogo = await renderReceiptPdf(file, { logoPng: onePixelPng() })
    expect(latin1(without)).not.toContain('/Subtype /Image')
    expect(latin1(withLogo)).toContain('/Subtype /Image')
    expect(Buffer.compare(withLogo, await renderReceiptPdf(file, { logoPng: onePixelPng() }))).toBe(0)
    // A PNG cut after its header (what Settings checks): a sentence about the logo, not a crash deep in pdfkit.
    const damaged = Buffer.from(onePixelPng()).subarray(0, 33)
    await expect(renderReceiptPdf(file, { logoPng: damaged })).rejects.toMatchObject({ code: 'ORGANISATION_INVALID' })
  })
})

/** A 1×1 blue PNG, built here so the test needs no image file. */
function onePixelPng(): Uint8Array {
  return Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPg92kEAAFKAN3209tnAAAAAElFTkSuQmCC', 'base64')
}
