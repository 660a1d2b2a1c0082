/**
 * Child process of the determinism test: renders the sample receipt named on the command line
 * and writes the PDF's bytes to the file given. Run as: node --import tsx renderSampleReceipt.ts <out> <number>
 */
import fs from 'node:fs'
import { renderReceiptPdf } from '../../src/main/core/receipts/pdf/renderReceiptPdf'
import { sampleReceiptFile } from './sampleReceiptFile'

const [out, number] = process.argv.slice(2)
if (out === undefined || number === undefined) throw new Error('usage: renderSampleReceipt.ts <out.pdf> <number>')
const pdf = await renderReceiptPdf(sampleReceiptFile({ number: Number(number), withFee: true }))
fs.writeFileSync(out, pdf)
