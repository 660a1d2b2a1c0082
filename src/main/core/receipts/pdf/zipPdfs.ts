/**
 * A ZIP of receipt PDFs (a batch's receipts in one download), written as the PDFs arrive.
 *
 * Streamed: one entry is taken from the iterable only when yazl has read the previous one and its
 * bytes are on their way into `out` (we wait for `drain` whenever the destination is behind), so
 * memory holds about one PDF whatever the count — plus yazl's ~200 bytes of central-directory
 * record per entry, which a ZIP can only write at its end. `out` is not ended: the caller owns it.
 *
 * Deterministic: entries in the order given, stored (PDFs are compressed already), modes fixed,
 * and DOS timestamps that read as the given moment in UTC: yazl writes local time, so the date is
 * shifted to a local time whose fields are the UTC ones, and the extended (Unix) timestamp field,
 * which would differ between time zones, is left out. Names are made file-name-safe and unique.
 */
import { once } from 'node:events'
import { type PassThrough, Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ZipFile } from 'yazl'
import { fileNameSafe } from './receiptWording'

export interface ZipEntry {
  name: string
  pdf: Uint8Array
  mtime: Date
}

/** Characters an entry name keeps (before ".pdf"); longer names are cut there. */
const ENTRY_NAME_CHARS_MAX = 120
/** Entries one ZIP holds: past 65,535 a ZIP needs ZIP64, which some unzip tools still refuse. */
export const ZIP_ENTRIES_MAX = 65_535
const ENTRY_MODE = 0o100644

export async function writeReceiptZip(
  entries: AsyncIterable<ZipEntry>,
  out: NodeJS.WritableStream,
): Promise<{ files: number; bytes: number }> {
  const zip = new ZipFile()
  let bytes = 0
  const counter = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      if (out.write(chunk)) done()
      else out.once('drain', () => done())
    },
  })
  // One signal for every failure (yazl's or the pipe's): each wait below listens to it and lets go
  // when it ends, so nothing piles up per entry on promises that live as long as the ZIP.
  const failed = new AbortController()
  zip.once('error', (error: unknown) => failed.abort(error))
  const outFailed = (error: unknown) => failed.abort(error)
  out.once('error', outFailed)
  // yazl writes into its PassThrough without waiting (typed as a plain ReadableStream): we wait on its writable side.
  const buffered = zip.outputStream as unknown as PassThrough
  const piping = pipeline(buffered, counter, { signal: failed.signal })
  piping.catch((error: unknown) => failed.abort(error))
  const used = new Set<string>()
  let files = 0
  try {
    for await (const entry of entries) {
      if (files >= ZIP_ENTRIES_MAX) throw new Error(`invariant: a receipt ZIP holds at most ${ZIP_ENTRIES_MAX} files`)
      await addPdf(zip, uniqueName(entry.name, used), entry, failed.signal)
      files++
      if (buffered.writableNeedDrain) await once(buffered, 'drain', { signal: failed.signal })
    }
    zip.end()
    await piping
  } catch (error) {
    throw failed.signal.aborted ? (failed.signal.reason as Error) : error
  } finally {
    out.removeListener('error', outFailed)
    failed.abort()
  }
  return { files, bytes }
}

/**
 * Adds one stored entry and resolves once yazl has read all of it. yazl keeps every entry's pump
 * function until the ZIP ends (for the central directory); with `addBuffer` that closure would hold
 * every PDF of the batch. Here it holds a reference we drop as soon as yazl opens the stream.
 */
function addPdf(zip: ZipFile, name: string, entry: ZipEntry, signal: AbortSignal): Promise<void> {
  return addStored(
    zip,
    name,
    Buffer.from(entry.pdf.buffer, entry.pdf.byteOffset, entry.pdf.byteLength),
    utcFieldsAsLocal(entry.mtime),
    signal,
  )
}

/** No closure here may see `entry` or `data`: V8 would keep them alive with the closure yazl keeps. */
function addStored(zip: ZipFile, name: string, data: Buffer, mtime: Date, signal: AbortSignal): Promise<void> {
  let held: Buffer | null = data
  const options = { size: data.length, mtime, mode: ENTRY_MODE, compress: false, forceDosTimestamp: true }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    zip.addReadStreamLazy(name, options, (open) => {
      const stream = Readable.from([held!], { objectMode: false })
      held = null
      stream.once('end', () => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      })
      open(null, stream)
    })
  })
}

/** "receipt-CS-2026-000042.pdf": safe characters, ".pdf", and "-2", "-3"… when taken. */
export function uniqueName(name: string, used: Set<string>): string {
  const stem = fileNameSafe(name.replace(/\.pdf$/i, '')).slice(0, ENTRY_NAME_CHARS_MAX)
  let candidate = `${stem}.pdf`
  for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}.pdf`
  used.add(candidate.toLowerCase())
  return candidate
}

/** A Date whose local-time fields are `at`'s UTC fields (yazl encodes local time). */
function utcFieldsAsLocal(at: Date): Date {
  return new Date(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds())
}
