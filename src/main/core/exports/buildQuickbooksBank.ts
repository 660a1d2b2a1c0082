/**
 * A QuickBooks Online bank-transactions CSV for one ledger account: each posting on the account is
 * one bank line, seen from the account (money in = a debit of it, money out = a credit).
 *
 * The two layouts QuickBooks reads, as Intuit's own help page describes them ("Format CSV files in
 * Excel to get bank transactions into QuickBooks", quickbooks.intuit.com/learn-support, help
 * article "format-csv-files-excel-get-bank-transactions"):
 * - 3 columns: Date, Description, Amount — one signed amount: money out negative, money in positive;
 * - 4 columns: Date, Description, Credit, Debit — "Credit (money out), and Debit (money in)", both
 *   positive, one of the two filled per line. (Some third-party guides say the opposite; Intuit's
 *   page is the source here, and it matches the books: money into an asset account is a debit.)
 * Dates as MM/DD/YYYY (QuickBooks' default) or DD/MM/YYYY, chosen at import. Amounts keep 2
 * decimals; one that needs more is refused, never rounded.
 */
import { csvNumber, toCsv, type CsvCell } from '../../../shared/csvSafety'
import type { ExportDateFormat } from '../../../shared/exportsApi'
import { CsError } from '../../../shared/errors'
import type { Account } from '../../../shared/ledgerApi'
import { EXPORT_PREVIEW_ROWS_MAX } from '../../../shared/limits'
import { CSV_MIME, type BuiltFile } from './exportFiles'
import { fiatDecimal, formatExportDate } from './journalChecks'
import type { JournalEntry } from './readJournal'

export const QUICKBOOKS_3_COLUMNS = ['Date', 'Description', 'Amount'] as const
export const QUICKBOOKS_4_COLUMNS = ['Date', 'Description', 'Credit', 'Debit'] as const
export const QUICKBOOKS_AMOUNT_DECIMALS_MAX = 2
/** Accounts that hold money, whose postings read as a bank statement. */
const BANK_LIKE_KINDS: readonly Account['kind'][] = ['treasury', 'escrow', 'clearing']

export interface QuickbooksBankFile {
  file: BuiltFile
  /** The sign convention in one sentence, for the preview and the CLI. */
  note: string
}

export function quickbooksNote(account: Account, columns: 3 | 4): string {
  return columns === 3
    ? `Money out of ${account.name} is shown as negative amounts, money in as positive (QuickBooks 3-column layout: Date, Description, Amount).`
    : `Money out of ${account.name} is in the Credit column and money in is in the Debit column, both as positive amounts (QuickBooks 4-column layout: Date, Description, Credit, Debit).`
}

export function buildQuickbooksBank(
  entries: readonly JournalEntry[],
  account: Account,
  columns: 3 | 4,
  dateFormat: ExportDateFormat,
  range: string,
): QuickbooksBankFile {
  if (!BANK_LIKE_KINDS.includes(account.kind))
    throw new CsError(
      'EXPORT_INVALID',
      `${account.name} is a ${account.kind} account — a QuickBooks bank file is the history of an account that holds money (${BANK_LIKE_KINDS.join(', ')}); pick the treasury account of the asset.`,
    )
  const rows: string[][] = []
  for (const e of entries) {
    for (const l of e.lines) {
      if (l.accountId !== account.id) continue
      const magnitude = fiatDecimal(
        l.amount < 0n ? -l.amount : l.amount,
        l.scale,
        QUICKBOOKS_AMOUNT_DECIMALS_MAX,
        'QuickBooks',
        `Entry ${e.id}`,
      )
      const date = formatExportDate(e.date, dateFormat)
      const description = `${e.description} (${e.id})`
      if (columns === 3) rows.push([date, description, l.amount < 0n ? `-${magnitude}` : magnitude])
      else rows.push([date, description, l.amount < 0n ? magnitude : '', l.amount < 0n ? '' : magnitude])
    }
  }
  const header = columns === 3 ? QUICKBOOKS_3_COLUMNS : QUICKBOOKS_4_COLUMNS
  const cells = rows.map((r): CsvCell[] => r.map((v, i) => (i < 2 ? v : v === '' ? null : csvNumber(v))))
  const file: BuiltFile = {
    name: `quickbooks-${columns}col-${range}.csv`,
    mime: CSV_MIME,
    text: toCsv(header, cells),
    rows: rows.length,
    columns: [...header],
    sample: rows.slice(0, EXPORT_PREVIEW_ROWS_MAX),
  }
  return { file, note: quickbooksNote(account, columns) }
}
