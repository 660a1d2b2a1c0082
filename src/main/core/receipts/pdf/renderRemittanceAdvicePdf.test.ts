/**
 * A remittance advice of 60 payments in two assets: it pages (the table head on every page),
 * lists each payment once, totals each asset exactly, and refuses receipts of two payees.
 */
import { describe, expect, it } from 'vitest'
import { networkNameOfAsset } from '../../../../shared/networkNames'
import { pdfText } from '../../../../../test/receipts/pdfTools'
import { sampleReceiptFile } from '../../../../../test/receipts/sampleReceiptFile'
import { renderRemittanceAdvicePdf } from './renderReceiptPdf'

const PAYEE = 'Γεώργιος Παπαδόπουλος'
const PAYMENTS = 60

function payments() {
  return Array.from({ length: PAYMENTS }, (_, i) =>
    sampleReceiptFile({
      number: 300 + i,
      payeeName: PAYEE,
      rail: i % 3 === 0 ? 'stellar' : 'evm',
      recipient: i % 3 === 0 ? 'GPAYEESTELLARACCOUNT' : '0x00000000000000000000000000000000000000aa',
      // Amounts with every digit position used, so a carry or a lost digit shows.
      value: `${(i + 1) * 1234567}.${String((i * 987654) % 1_000_000).padStart(6, '0')}`,
    }),
  )
}

/** Sum of the minor units per asset, as decimal text at scale 6 — independent of the renderer's code. */
function expectedTotal(files: ReturnType<typeof payments>, assetId: string): string {
  const minor = files.filter((f) => f.receipt.amount.assetId === assetId).reduce((sum, f) => sum + BigInt(f.receipt.amount.minor), 0n)
  const digits = minor.toString().padStart(7, '0')
  return `${digits.slice(0, -6)}.${digits.slice(-6)}`
}

describe('renderRemittanceAdvicePdf', () => {
  it('pages 60 payments and totals each asset exactly', async () => {
    const files = payments()
    // Given out of order: the advice lists them by payment date.
    const text = pdfText(await renderRemittanceAdvicePdf([...files].reverse()))
    const pages = text.split('\f').filter((p) => p.trim() !== '')
    expect(pages.length).toBeGreaterThanOrEqual(2)
    for (const page of pages) expect(page).toContain('TRANSACTION')
    expect(pages.at(-1)).toContain(`Page ${pages.length} of ${pages.length}`)
    for (const f of files) expect(text.split(f.receipt.displayNumber).length - 1, f.receipt.displayNumber).toBe(1)
    const order = files.map((f) => text.indexOf(f.receipt.displayNumber))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    for (const assetId of ['USDC@evm:8453', 'USDC@stellar:public']) {
      const count = files.filter((f) => f.receipt.amount.assetId === assetId).length
      expect(text.replace(/ +/g, ' ')).toContain(`${expectedTotal(files, assetId)} USDC on ${networkNameOfAsset(assetId)}`)
      expect(text).toContain(`USDC · ${count} payments`)
    }
    expect(text).toContain(PAYEE)
  })

  it('refuses receipts of two payees', async () => {
    const a = sampleReceiptFile({ number: 1, payeeName: 'Jane Doe' })
    const b = sampleReceiptFile({ number: 2, payeeName: 'John Roe' })
    await expect(renderRemittanceAdvicePdf([a, b])).rejects.toMatchObject({ code: 'RECEIPT_INVALID' })
    await expect(renderRemittanceAdvicePdf([])).rejects.toMatchObject({ code: 'RECEIPT_INVALID' })
  })
})
