/**
 * The receipt downloads through the contract, on a desk whose batch was paid (receiptTestKit) and
 * receipted: a PDF and a JSON file that verify, a remittance advice for one payee (and the
 * receipts it refuses), and a batch's ZIP read part by part, whole and once.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALICE, DANA, failure, type Desk } from '../payouts/batches/testKit'
import { openReceiptDesk, payBatch, payeeAddress } from './receiptTestKit'

let desk: Desk
let batchId: string

const ROWS = [
  { amount: '1250.500001', name: 'Ada Contractor', reference: 'INV-1001' },
  { amount: '0.000001', name: 'Ben Contractor', reference: 'INV-1002' },
  { amount: '98765.432109', name: 'Ada Contractor', reference: 'INV-1003', recipient: payeeAddress(0) },
] as const

function bytesOf(base64: string): Buffer {
  return Buffer.from(base64, 'base64')
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

beforeAll(async () => {
  desk = await openReceiptDesk()
  ;({ batchId } = await payBatch(desk, ROWS, { name: 'March contractors' }))
  const issued = await desk.as(DANA, 'receipts.issue', {})
  expect(issued.issued).toBe(3)
}, 60_000)

afterAll(async () => {
  await desk.close()
})

describe('one receipt', () => {
  it('comes as a PDF with its size and SHA-256, named by its number', async () => {
    const file = await desk.as(DANA, 'receipts.pdf', { number: 1 })
    const bytes = bytesOf(file.base64)
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(file).toMatchObject({ mime: 'application/pdf', bytes: bytes.length, sha256: sha256(bytes) })
    expect(file.name).toMatch(/^receipt-[A-Za-z0-9._-]+\.pdf$/)
    const verified = await desk.as(DANA, 'receipts.verify', { content: file.base64, encoding: 'base64', online: false })
    expect(verified.ok).toBe(true)
    expect(verified.receipt?.number).toBe(1)
  })

  it('comes as the JSON file it carries, which verifies, and fails once one byte of it changes', async () => {
    const file = await desk.as(DANA, 'receipts.json', { number: 2 })
    const text = bytesOf(file.base64).toString('utf8')
    const parsed = JSON.parse(text) as { sha256: string; receipt: { number: number; amount: { value: string } } }
    expect(parsed.receipt.number).toBe(2)
    expect(parsed.receipt.amount.value).toBe('0.000001')
    expect(file.name).toMatch(/^receipt-.+\.json$/)
    expect((await desk.as(DANA, 'receipts.verify', { content: text, encoding: 'text', online: false })).ok).toBe(true)
    const tampered = text.replace('"0.000001"', '"0.000002"')
    expect(tampered).not.toBe(text)
    const refused = await desk.as(DANA, 'receipts.verify', { content: tampered, encoding: 'text', online: false })
    expect(refused.ok).toBe(false)
    expect(refused.checks.find((c) => c.name === 'hash')?.status).toBe('fail')
  })

  it('is refused by number when there is no such receipt', async () => {
    expect((await failure(desk.as(DANA, 'receipts.pdf', { number: 99 }))).code).toBe('RECEIPT_NOT_FOUND')
  })
})

describe('a remittance advice', () => {
  it("lists all of one payee's payments in one PDF", async () => {
    const file = await desk.as(DANA, 'receipts.remittance', { payee: payeeAddress(0) })
    const bytes = bytesOf(file.base64)
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(file.name).toBe('remittance-advice-Ada_Contractor.pdf')
    expect(file.sha256).toBe(sha256(bytes))
  })

  it("refuses a receipt that is not the payee's", async () => {
    const refused = await failure(desk.as(DANA, 'receipts.remittance', { payee: payeeAddress(0), numbers: [1, 2] }))
    expect(refused.code).toBe('RECEIPT_INVALID')
    expect(refused.message).toContain('Receipt 2 is not a payment to')
  })

  it('says so when the payee has no receipted payment', async () => {
    expect((await failure(desk.as(DANA, 'receipts.remittance', { payee: 'Nobody Known' }))).code).toBe('RECEIPT_NOT_FOUND')
  })
})

describe("a batch's receipts as one ZIP", () => {
  it('is prepared, read part by part to the same SHA-256, and gone after its last part', async () => {
    const zip = await desk.as(DANA, 'receipts.zip', { batchId })
    expect(zip.files).toBe(3)
    expect(zip.name).toMatch(/^receipts-March_contractors-.+\.zip$/)
    const parts: Buffer[] = []
    for (let index = 0; index < zip.chunks; index++) {
      const part = await desk.as(DANA, 'receipts.zip.chunk', { downloadId: zip.downloadId, index })
      expect(part.last).toBe(index === zip.chunks - 1)
      parts.push(bytesOf(part.base64))
    }
    const whole = Buffer.concat(parts)
    expect(whole.length).toBe(zip.bytes)
    expect(sha256(whole)).toBe(zip.sha256)
    expect(whole.subarray(0, 2).toString('latin1')).toBe('PK')
    const { items } = await desk.as(DANA, 'receipts.list', { batchId })
    expect(items).toHaveLength(3)
    for (const r of items) expect(whole.includes(Buffer.from(`receipt-${r.displayNumber}.pdf`)), r.displayNumber).toBe(true)
    const again = await failure(desk.as(DANA, 'receipts.zip.chunk', { downloadId: zip.downloadId, index: 0 }))
    expect(again.code).toBe('DOWNLOAD_EXPIRED')
  }, 60_000)

  it('is refused for a batch without receipts, and for one that does not exist', async () => {
    const draft = await desk.as(ALICE, 'batches.create', { name: 'Not paid yet' })
    const none = await failure(desk.as(DANA, 'receipts.zip', { batchId: draft.id }))
    expect(none.code).toBe('RECEIPT_NOT_FOUND')
    expect(none.message).toContain('Not paid yet')
    expect((await failure(desk.as(DANA, 'receipts.zip', { batchId: 'no-such-batch' }))).code).toBe('BATCH_NOT_FOUND')
  })
})
