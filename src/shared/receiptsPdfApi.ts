/**
 * Receipt downloads (issue 16): one receipt as its PDF or as its JSON file, a remittance advice
 * listing several payments to one payee, and every receipt of a batch as PDFs in one ZIP.
 *
 * A receipt PDF, its JSON and a remittance advice (at most REMITTANCE_PAYMENTS_MAX payments) each
 * fit in one answer. A batch's ZIP may not — a batch holds up to 10,000 payouts — so it travels
 * the way a large statement comes in (recon.upload), only the other way: `receipts.zip` renders
 * the PDFs into a temporary file beside the core and says how many parts it has, and
 * `receipts.zip.chunk` hands it over one part (DOWNLOAD_CHUNK_BYTES_MAX) at a time to the window
 * that asked. The file is deleted after its last part is read, or when it expires unread.
 *
 * Downloads only read: nothing is stored or audited (receipts.get already hands out the same
 * document). Gathered into `calls` by ./api.ts; imports the building blocks and the limits only.
 */
import { z } from 'zod'
import { Id, IsoTimestamp } from './blocks'
import { call } from './callSpec'
import { DOWNLOAD_CHUNK_BASE64_CHARS_MAX, FILE_NAME_CHARS_MAX, RECEIPT_QUERY_CHARS_MAX, REMITTANCE_PAYMENTS_MAX } from './limits'

const Int = z.number().int()
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 as 64 lower-case hex digits')

/** One file handed to the window whole: its name, type, size, SHA-256 and bytes (base64). */
export const DownloadFile = z.object({
  name: z.string().max(FILE_NAME_CHARS_MAX),
  mime: z.string(),
  bytes: Int.min(0),
  sha256: Sha256Hex,
  base64: z.string(),
})
export type DownloadFile = z.infer<typeof DownloadFile>

/** 32 hex digits (16 random bytes): names one prepared download, for the window that asked only. */
export const DownloadId = z.string().regex(/^[0-9a-f]{32}$/, 'a download id is the downloadId receipts.zip returned')

/** A prepared ZIP: read it with receipts.zip.chunk, index 0 to chunks − 1. */
export const ZipDownload = z.object({
  downloadId: DownloadId,
  name: z.string().max(FILE_NAME_CHARS_MAX),
  /** Receipt PDFs inside. */
  files: Int.min(0),
  bytes: Int.min(0),
  sha256: Sha256Hex,
  chunks: Int.min(1),
  chunkBytes: Int.min(1),
  /** Unread parts are deleted at this time. */
  expiresAt: IsoTimestamp,
})
export type ZipDownload = z.infer<typeof ZipDownload>

export const DownloadChunk = z.object({
  index: Int.min(0),
  base64: z.string().max(DOWNLOAD_CHUNK_BASE64_CHARS_MAX),
  /** The last part: the file is gone from the core's side after it. */
  last: z.boolean(),
})
export type DownloadChunk = z.infer<typeof DownloadChunk>

const ReceiptNumber = Int.min(1)

export const receiptPdfCalls = {
  'receipts.pdf': call({
    summary: 'One receipt as its PDF (PDF/A-3b, the receipt file attached, the organisation logo in the header).',
    mutates: false,
    input: z.object({ number: ReceiptNumber }).strict(),
    output: DownloadFile,
  }),
  'receipts.json': call({
    summary: 'One receipt as the JSON file a payee verifies (canonical JSON, the same bytes the PDF carries).',
    mutates: false,
    input: z.object({ number: ReceiptNumber }).strict(),
    output: DownloadFile,
  }),
  'receipts.remittance': call({
    summary:
      "A remittance advice for one payee: the payments chosen (or all of the payee's payments and escrow releases), each receipt attached.",
    mutates: false,
    input: z
      .object({
        /** The payee as receipts.payee names them: the recipient as paid, or their name exactly. */
        payee: z.string().trim().min(1).max(RECEIPT_QUERY_CHARS_MAX),
        /** These receipts only (each must be a payment to this payee); default: all of the payee's payments. */
        numbers: z.array(ReceiptNumber).min(1).max(REMITTANCE_PAYMENTS_MAX).optional(),
      })
      .strict(),
    output: DownloadFile,
  }),
  'receipts.zip': call({
    summary: 'Every receipt of a batch as a PDF, in one ZIP prepared for this window; read it with receipts.zip.chunk.',
    mutates: false,
    input: z.object({ batchId: Id }).strict(),
    output: ZipDownload,
  }),
  'receipts.zip.chunk': call({
    summary: 'One part of a ZIP receipts.zip prepared for this window; after the last part the file is deleted.',
    mutates: false,
    input: z.object({ downloadId: DownloadId, index: Int.min(0) }).strict(),
    output: DownloadChunk,
  }),
} as const
