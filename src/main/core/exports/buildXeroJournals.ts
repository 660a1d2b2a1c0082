/**
 * Xero manual-journal import files (Xero help, "Import manual journals": columns Narration, Date,
 * Description, AccountCode, TaxRate, Amount; Narration and Date repeat on every line of one journal
 * and group its lines; Amount positive = debit, negative = credit; up to 300 lines per file).
 *
 * - One ledger entry becomes one journal; its Narration carries the entry id, so two entries with
 *   the same description on the same day never merge into one journal.
 * - Xero journals are in one currency: files are per asset, named after it
 *   ("xero-journal-USDC-evm-8453-2026-03-01_2026-03-31-1of3.csv").
 * - Journals are packed whole into files of at most XERO_LINES_PER_FILE_MAX lines, so each file
 *   balances on its own; a journal longer than a file is refused (Xero could not import it).
 * - Amounts keep 2 decimals (Xero's); one that needs more is refused, never rounded.
 * - Every ledger account needs a code (./accountCodes.ts); the missing ones are listed at once.
 */
import { csvNumber, toCsv, type CsvCell } from '../../../shared/csvSafety'
import type { ExportDateFormat } from '../../../shared/exportsApi'
import { CsError } from '../../../shared/errors'
import { EXPORT_PREVIEW_ROWS_MAX, XERO_LINES_PER_FILE_MAX } from '../../../shared/limits'
import { parseAmount } from '../../../shared/money'
import { invariant } from '../util/invariant'
import type { AccountCodeBook } from './accountCodes'
import { CSV_MIME, fileSlug, type BuiltFile } from './exportFiles'
import { fiatDecimal, formatExportDate } from './journalChecks'
import type { JournalEntry, JournalLine } from './readJournal'

export const XERO_COLUMNS = ['Narration', 'Date', 'Description', 'AccountCode', 'TaxRate', 'Amount'] as const
/** Xero keeps 2 decimals on a journal line. */
export const XERO_AMOUNT_DECIMALS_MAX = 2

interface XeroJournal {
  entryId: string
  rows: string[][]
}

function missingCodes(entries: readonly JournalEntry[], book: AccountCodeBook): void {
  const missing = new Map<string, string>()
  for (const e of entries)
    for (const l of e.lines)
      if (book.codeOf(l.accountId, l.accountKind) === null) missing.set(l.accountId, `${l.accountId} (${l.accountKind})`)
  if (missing.size === 0) return
  const list = [...missing.values()].sort()
  throw new CsError(
    'EXPORT_ACCOUNT_CODE_MISSING',
    `${list.length} ledger account${list.length > 1 ? 's have' : ' has'} no Xero account code: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''} — add them to the account codes (Settings, or --account-codes FILE) and export again.`,
    { details: { accounts: [...missing.keys()].sort() } },
  )
}

function journalOf(e: JournalEntry, lines: readonly JournalLine[], book: AccountCodeBook, dateFormat: ExportDateFormat): XeroJournal {
  if (lines.length > XERO_LINES_PER_FILE_MAX)
    throw new CsError(
      'EXPORT_TOO_LARGE',
      `Entry ${e.id} has ${lines.length} lines in ${lines[0]!.assetId} — Xero imports at most ${XERO_LINES_PER_FILE_MAX} lines per file and a journal is never split; post it as smaller entries, or export it as CSV or JSON.`,
    )
  const narration = `${e.description} (${e.id})`
  const date = formatExportDate(e.date, dateFormat)
  const rows = lines.map((l) => [
    narration,
    date,
    l.accountName,
    book.codeOf(l.accountId, l.accountKind)!,
    book.taxRate,
    fiatDecimal(l.amount, l.scale, XERO_AMOUNT_DECIMALS_MAX, 'Xero', `Entry ${e.id}, ${l.accountId}`),
  ])
  return { entryId: e.id, rows }
}

/** Whole journals, in order, into files of at most XERO_LINES_PER_FILE_MAX lines. */
function pack(journals: readonly XeroJournal[]): XeroJournal[][] {
  const files: XeroJournal[][] = []
  let current: XeroJournal[] = []
  let lines = 0
  for (const j of journals) {
    if (lines + j.rows.length > XERO_LINES_PER_FILE_MAX) {
      files.push(current)
      current = []
      lines = 0
    }
    current.push(j)
    lines += j.rows.length
  }
  if (current.length > 0) files.push(current)
  return files
}

function fileOf(name: string, journals: readonly XeroJournal[], scale: number): BuiltFile {
  const rows = journals.flatMap((j) => j.rows)
  // Asserted before writing: the file balances on its own (Xero refuses a journal that does not).
  const sum = rows.reduce((s, r) => s + parseAmount(r[5]!, scale, { allowNegative: true, allowZero: true }), 0n)
  invariant(sum === 0n && rows.length <= XERO_LINES_PER_FILE_MAX, () => `Xero file ${name} sums to ${sum} over ${rows.length} lines`)
  const cells = rows.map((r): CsvCell[] => [r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, csvNumber(r[5]!)])
  return {
    name,
    mime: CSV_MIME,
    text: toCsv(XERO_COLUMNS, cells),
    rows: rows.length,
    columns: [...XERO_COLUMNS],
    sample: rows.slice(0, EXPORT_PREVIEW_ROWS_MAX),
  }
}

/** The Xero files of `entries` (already balanced), per asset in asset id order. */
export function buildXeroJournals(
  entries: readonly JournalEntry[],
  book: AccountCodeBook,
  dateFormat: ExportDateFormat,
  range: string,
): BuiltFile[] {
  missingCodes(entries, book)
  const byAsset = new Map<string, { scale: number; journals: XeroJournal[] }>()
  for (const e of entries) {
    const assets = [...new Set(e.lines.map((l) => l.assetId))].sort()
    for (const assetId of assets) {
      const lines = e.lines.filter((l) => l.assetId === assetId)
      const slot = byAsset.get(assetId) ?? { scale: lines[0]!.scale, journals: [] }
      slot.journals.push(journalOf(e, lines, book, dateFormat))
      byAsset.set(assetId, slot)
    }
  }
  const out: BuiltFile[] = []
  for (const assetId of [...byAsset.keys()].sort()) {
    const { scale, journals } = byAsset.get(assetId)!
    const files = pack(journals)
    files.forEach((f, i) => out.push(fileOf(`xero-journal-${fileSlug(assetId)}-${range}-${i + 1}of${files.length}.csv`, f, scale)))
  }
  return out
}
