/**
 * Handlers of the receipt downloads (src/shared/receiptsPdfApi.ts): a receipt as PDF or JSON, a
 * remittance advice for one payee, a batch's receipts as PDFs in one ZIP read a part at a time.
 * Every operator may download (a payee's proof is everyone's to hand out); nothing is stored.
 *
 * The PDFs carry the organisation's logo as Settings has it now; everything else they print comes
 * from the signed receipt, as it was issued.
 */
import { createHash } from 'node:crypto'
import { CsError } from '../../../shared/errors'
import { REMITTANCE_PAYMENTS_MAX } from '../../../shared/limits'
import type { DownloadFile, receiptPdfCalls } from '../../../shared/receiptsPdfApi'
import type { ReceiptFile } from '../../../shared/receiptTypes'
import type { Handler } from '../api/createApi'
import type { CoreContext } from '../context'
import { getBatchRow } from '../payouts/batches/readBatch'
import { canonicalJson } from '../util/canonicalJson'
import { filteredReceipts } from './listReceipts'
import { readOrganisationLogo } from './organisation'
import { attachmentName, fileNameSafe } from './pdf/receiptWording'
import { PreparedDownloads } from './preparedDownloads'
import { loadReceiptFile, loadReceiptFiles } from './receiptFiles'

export type ReceiptPdfHandlers = { [K in keyof typeof receiptPdfCalls]: Handler<K> }

/** What a remittance advice lists: money that reached the payee (not reversals or refunds to the payer). */
const PAYMENT_KINDS = ['payout', 'escrow_release'] as const
/** A file name keeps this much of a payee's or batch's name. */
const NAME_IN_FILE_CHARS_MAX = 60

/**
 * The PDF renderer (pdfkit, fontkit, the fonts) and the ZIP writer, loaded the first time a PDF is
 * asked for: every command that opens a workspace creates these handlers, few of them render.
 */
const pdfModules = () => Promise.all([import('./pdf/renderReceiptPdf'), import('./pdf/zipPdfs')])

export function createReceiptPdfHandlers(downloads: PreparedDownloads = new PreparedDownloads()): ReceiptPdfHandlers {
  return {
    'receipts.pdf': async ({ core }, { number }) => {
      const file = await loadReceiptFile(core, number)
      const [{ renderReceiptPdf }] = await pdfModules()
      const pdf = await renderReceiptPdf(file, { logoPng: await readOrganisationLogo(core) })
      return downloadFile(`receipt-${fileNameSafe(file.receipt.displayNumber)}.pdf`, 'application/pdf', pdf)
    },
    'receipts.json': async ({ core }, { number }) => {
      const file = await loadReceiptFile(core, number)
      return downloadFile(attachmentName(file.receipt.displayNumber), 'application/json', Buffer.from(canonicalJson(file), 'utf8'))
    },
    'receipts.remittance': async ({ core }, input) => {
      const files = await remittanceFiles(core, input.payee, input.numbers)
      const [{ renderRemittanceAdvicePdf }] = await pdfModules()
      const pdf = await renderRemittanceAdvicePdf(files, { logoPng: await readOrganisationLogo(core) })
      const who = files[0]!.receipt.payee.name || input.payee
      return downloadFile(`remittance-advice-${fileNameSafe(who.slice(0, NAME_IN_FILE_CHARS_MAX))}.pdf`, 'application/pdf', pdf)
    },
    'receipts.zip': async ({ core, channel }, { batchId }) => {
      const batch = await getBatchRow(core, batchId)
      const count = await receiptCount(core, batchId)
      if (count === 0)
        throw new CsError(
          'RECEIPT_NOT_FOUND',
          `Batch "${batch.name}" has no receipts yet — they are issued once its payouts confirm; press "Issue due receipts" if some are due.`,
        )
      const logoPng = await readOrganisationLogo(core)
      const name = `receipts-${fileNameSafe(batch.name.slice(0, NAME_IN_FILE_CHARS_MAX))}-${fileNameSafe(batchId.slice(0, 8))}.zip`
      const [, { writeReceiptZip }] = await pdfModules()
      return await downloads.prepare(channel.id, name, (out) => writeReceiptZip(pdfEntries(core, batchId, logoPng), out))
    },
    'receipts.zip.chunk': ({ channel }, { downloadId, index }) => downloads.chunk(channel.id, downloadId, index),
  }
}

function downloadFile(name: string, mime: string, bytes: Uint8Array): DownloadFile {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { name, mime, bytes: buffer.length, sha256: createHash('sha256').update(buffer).digest('hex'), base64: buffer.toString('base64') }
}

async function receiptCount(ctx: CoreContext, batchId: string): Promise<number> {
  const row = await ctx.db.first(filteredReceipts(ctx, { batchId }).select((eb) => eb.fn.countAll<number>().as('n')))
  return Number(row?.n ?? 0)
}

/** The batch's receipts, oldest first, rendered one at a time as the ZIP asks for them (memory stays flat). */
async function* pdfEntries(ctx: CoreContext, batchId: string, logoPng: Uint8Array | null) {
  const [{ renderReceiptPdf }] = await pdfModules()
  for await (const file of loadReceiptFiles(ctx, { batchId })) {
    yield {
      name: `receipt-${fileNameSafe(file.receipt.displayNumber)}.pdf`,
      pdf: await renderReceiptPdf(file, { logoPng }),
      mtime: new Date(file.receipt.paidAt),
    }
  }
}

/** The payments a remittance advice lists: those asked for, each checked to be a payment to `payee`; else all of theirs. */
async function remittanceFiles(ctx: CoreContext, payee: string, numbers: readonly number[] | undefined): Promise<ReceiptFile[]> {
  let q = filteredReceipts(ctx, { payee }).select(['r.number', 'r.kind'])
  q = numbers !== undefined ? q.where('r.number', 'in', [...new Set(numbers)]) : q.where('r.kind', 'in', [...PAYMENT_KINDS])
  const rows = await ctx.db.all(q.orderBy('r.number', 'asc').limit(REMITTANCE_PAYMENTS_MAX + 1))
  if (numbers !== undefined) {
    const found = new Map(rows.map((r) => [Number(r.number), r.kind]))
    for (const n of numbers) {
      const kind = found.get(n)
      if (kind === undefined)
        throw new CsError('RECEIPT_INVALID', `Receipt ${n} is not a payment to ${payee} — choose receipts from this payee's history.`)
      if (!(PAYMENT_KINDS as readonly string[]).includes(kind))
        throw new CsError(
          'RECEIPT_INVALID',
          `Receipt ${n} records money coming back (${kind.replace('_', ' ')}), not a payment — leave it out of the remittance advice.`,
        )
    }
  }
  const payments = rows
  if (payments.length === 0)
    throw new CsError(
      'RECEIPT_NOT_FOUND',
      `There are no payments to ${payee} with receipts yet — a remittance advice lists receipted payments.`,
    )
  if (payments.length > REMITTANCE_PAYMENTS_MAX)
    throw new CsError(
      'RECEIPT_INVALID',
      `${payee} has more than ${REMITTANCE_PAYMENTS_MAX} payments — a remittance advice lists at most ${REMITTANCE_PAYMENTS_MAX}; choose the payments to list.`,
    )
  const files: ReceiptFile[] = []
  for (const r of payments) files.push(await loadReceiptFile(ctx, Number(r.number)))
  return files
}
