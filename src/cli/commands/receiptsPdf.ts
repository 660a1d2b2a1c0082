/**
 * `countersign receipts pdf <number...> [--out DIR] [--remittance]` and
 * `countersign receipts zip --batch ID --out FILE`: receipts as PDF files a payee is handed — one
 * per receipt, one remittance advice for several payments to one payee, or a batch's receipts in
 * one ZIP. Every file is written atomically (a temporary file beside it, fsynced, renamed), so a
 * crash never leaves half a PDF under the final name; --json prints each path with its SHA-256.
 * Offline: everything comes from the workspace database.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { finished } from 'node:stream/promises'
import type { Command } from 'commander'
import { CsError } from '../../shared/errors'
import type { ReceiptFile } from '../../shared/receiptTypes'
import { UsageError } from '../errors'
import type { CliIo } from '../io'
import { examples } from '../options'
import { withSession, type RunState, type Session } from '../session'

/** Receipt numbers one `receipts pdf` takes (each is one file, or one row of the remittance advice). */
const PDF_NUMBERS_MAX = 500

interface WrittenFile {
  path: string
  bytes: number
  sha256: string
  /** The receipts in the file, by display number. */
  receipts: string[]
}

export function registerReceiptsPdf(receipts: Command, io: CliIo, state: RunState): void {
  receipts
    .command('pdf')
    .argument('<number...>', 'receipt numbers (as `receipts list` shows them)')
    .description('Write receipts as PDF/A-3 files with the signed receipt attached — one per receipt, or one remittance advice.')
    .option('--out <dir>', 'folder to write into (created if missing)', '.')
    .option('--remittance', 'one remittance advice listing all the given payments (one payee)')
    .addHelpText(
      'after',
      `
Each receipt becomes receipt-<number>.pdf; with --remittance the payments become one
remittance-advice-<first>-<last>.pdf. Existing files of the same name are replaced.
With --json it prints {"files": [{"path", "bytes", "sha256", "receipts"}]}.
` +
        examples(
          'countersign receipts pdf 42',
          'countersign receipts pdf 42 43 44 --out ./receipts --json',
          'countersign receipts pdf 42 43 44 --remittance --out ./receipts',
        ),
    )
    .action(async (numbers: string[], opts: { out: string; remittance?: boolean }, cmd: Command) => {
      const parsed = parseNumbers(numbers)
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const [{ loadReceiptFile }, { readOrganisationLogo }] = await Promise.all([
          import('../../main/core/receipts/receiptFiles'),
          import('../../main/core/receipts/organisation'),
        ])
        const files: ReceiptFile[] = []
        for (const n of parsed) files.push(await loadReceiptFile(s.core.ctx, n))
        const logoPng = await readOrganisationLogo(s.core.ctx)
        fs.mkdirSync(opts.out, { recursive: true })
        const written =
          opts.remittance === true ? [await writeRemittance(opts.out, files, logoPng)] : await writeReceipts(opts.out, files, logoPng)
        printWritten(s, written)
      })
    })

  receipts
    .command('zip')
    .description("Write a batch's receipts as PDFs in one ZIP file, rendered one at a time (memory stays flat).")
    .requiredOption('--batch <id>', 'the batch')
    .requiredOption('--out <file>', 'the ZIP file to write (replaced if it exists)')
    .addHelpText(
      'after',
      '\nWith --json it prints {"path", "files", "bytes", "sha256"}.\n' +
        examples('countersign receipts zip --batch b_1a2b3c4d5e6f --out december-receipts.zip'),
    )
    .action(async (opts: { batch: string; out: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const zip = await writeBatchZip(s, opts.batch, opts.out)
        if (s.out.json) return s.out.data(zip)
        s.out.line(`Wrote ${zip.files} receipt PDF${zip.files === 1 ? '' : 's'} to ${zip.path} (${zip.bytes} bytes)`)
        s.out.line(`  sha256  ${zip.sha256}`)
      })
    })
}

function parseNumbers(numbers: readonly string[]): number[] {
  if (numbers.length > PDF_NUMBERS_MAX) throw new UsageError(`Give at most ${PDF_NUMBERS_MAX} receipt numbers at a time.`)
  return numbers.map((text) => {
    const n = Number(text)
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
      throw new UsageError(`"${text.slice(0, 40)}" is not a receipt number — give the number as \`receipts list\` shows it (e.g. 42).`)
    return n
  })
}

async function writeReceipts(dir: string, files: readonly ReceiptFile[], logoPng: Uint8Array | null): Promise<WrittenFile[]> {
  const [{ renderReceiptPdf }, { fileNameSafe }] = await Promise.all([
    import('../../main/core/receipts/pdf/renderReceiptPdf'),
    import('../../main/core/receipts/pdf/receiptWording'),
  ])
  const written: WrittenFile[] = []
  for (const file of files) {
    const pdf = await renderReceiptPdf(file, { logoPng })
    written.push(
      await writeAtomically(path.join(dir, `receipt-${fileNameSafe(file.receipt.displayNumber)}.pdf`), pdf, [file.receipt.displayNumber]),
    )
  }
  return written
}

async function writeRemittance(dir: string, files: readonly ReceiptFile[], logoPng: Uint8Array | null): Promise<WrittenFile> {
  const [{ renderRemittanceAdvicePdf }, { fileNameSafe }] = await Promise.all([
    import('../../main/core/receipts/pdf/renderReceiptPdf'),
    import('../../main/core/receipts/pdf/receiptWording'),
  ])
  const pdf = await renderRemittanceAdvicePdf(files, { logoPng })
  const numbers = files.map((f) => f.receipt.displayNumber)
  const sorted = [...files].sort((a, b) => a.receipt.number - b.receipt.number)
  const name = `remittance-advice-${fileNameSafe(sorted[0]!.receipt.displayNumber)}-${fileNameSafe(sorted.at(-1)!.receipt.displayNumber)}.pdf`
  return await writeAtomically(path.join(dir, name), pdf, numbers)
}

async function writeAtomically(file: string, bytes: Uint8Array, receipts: string[]): Promise<WrittenFile> {
  const { writeFileDurably } = await import('../../main/core/util/durableWrite')
  writeFileDurably(file, bytes, 0o644)
  return { path: path.resolve(file), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), receipts }
}

function printWritten(s: Session, written: readonly WrittenFile[]): void {
  if (s.out.json) return s.out.data({ files: written })
  for (const w of written) {
    s.out.line(`${w.path}  (${w.receipts.length === 1 ? `receipt ${w.receipts[0]}` : `${w.receipts.length} receipts`}, ${w.bytes} bytes)`)
    s.out.line(`  sha256  ${w.sha256}`)
  }
}

/** Streams the batch's receipts through the renderer into `<out>.<pid>.tmp`, then renames it into place. */
async function writeBatchZip(
  s: Session,
  batchId: string,
  out: string,
): Promise<{ path: string; files: number; bytes: number; sha256: string }> {
  const [
    { loadReceiptFiles },
    { readOrganisationLogo },
    { renderReceiptPdf },
    { writeReceiptZip },
    { fileNameSafe },
    { fsyncDir, fsyncFile },
  ] = await Promise.all([
    import('../../main/core/receipts/receiptFiles'),
    import('../../main/core/receipts/organisation'),
    import('../../main/core/receipts/pdf/renderReceiptPdf'),
    import('../../main/core/receipts/pdf/zipPdfs'),
    import('../../main/core/receipts/pdf/receiptWording'),
    import('../../main/core/util/durableWrite'),
  ])
  const ctx = s.core.ctx
  const logoPng = await readOrganisationLogo(ctx)
  async function* entries() {
    for await (const file of loadReceiptFiles(ctx, { batchId })) {
      yield {
        name: `receipt-${fileNameSafe(file.receipt.displayNumber)}.pdf`,
        pdf: await renderReceiptPdf(file, { logoPng }),
        mtime: new Date(file.receipt.paidAt),
      }
    }
  }
  const target = path.resolve(out)
  const tmp = `${target}.${process.pid}.tmp`
  const stream = fs.createWriteStream(tmp, { mode: 0o644 })
  const hash = createHash('sha256')
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      done(null, chunk)
    },
  })
  hashing.pipe(stream)
  try {
    const { files, bytes } = await writeReceiptZip(entries(), hashing)
    hashing.end()
    await finished(stream)
    if (files === 0)
      throw new CsError(
        'RECEIPT_NOT_FOUND',
        `Batch ${batchId} has no receipts — they are issued once its payouts confirm (countersign receipts list --batch ${batchId}).`,
      )
    fsyncFile(tmp)
    fs.renameSync(tmp, target)
    fsyncDir(path.dirname(target))
    return { path: target, files, bytes, sha256: hash.digest('hex') }
  } catch (error) {
    stream.destroy()
    fs.rmSync(tmp, { force: true })
    throw error
  }
}
