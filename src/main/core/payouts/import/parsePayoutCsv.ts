/**
 * CSV text (or bytes) -> raw payout rows, with every structural problem listed at once.
 * No database, no asset registry: this is only about the file's shape. Values stay strings
 * (trimmed); validatePayoutRows decides what they mean.
 *
 * The steps, one file each: tokenizeCsv (encoding, separator, quoting, line ends), detectCsvLayout
 * (the header: our layout or Safe's, where each column is), checkRowShape (a row's values fit the
 * header), readSafeAirdropRow (the Safe layout's mapping and derived ids), flagFormulaText (a warning
 * on free text that starts like a spreadsheet formula).
 *
 * Row numbers: see src/shared/payoutImport.ts — the spreadsheet row, header = row 1.
 */
import type { RowIssue, RowWarning } from '../../../../shared/payoutImport'
import { checkRowShape } from './checkRowShape'
import { flagFormulaText } from './flagFormulaText'
import { checkCsvHeader, countersignCellIndexes, detectCsvLayout, fieldCellIndex, type CsvHeader } from './detectCsvLayout'
import type { CsvLayout, PayoutField, RawRow } from './payoutCsvLayouts'
import { openSafeRowReader, readSafeAirdropRow, safeDerivedIdsWarning, type SafeRowReader } from './readSafeAirdropRow'
import { rowIssue } from './rowIssues'
import { cellAt, readCsvText, tokenizeCsv, type CsvRecord, type CsvSeparator } from './tokenizeCsv'

export { cellCharsMax } from './checkRowShape'
export { deriveSafeId } from './readSafeAirdropRow'
export { FIELD_LABELS, NATIVE_ASSET, PAYOUT_FIELDS, type CsvLayout, type PayoutField, type RawRow } from './payoutCsvLayouts'

/**
 * Data rows parsed at most. A batch holds 10,000 (checked in validatePayoutRows, where every row is
 * still validated so the user sees all problems); past this we stop reading: it is not a payout list.
 */
export const rowsParsedMax = 200_000

export interface ParsePayoutCsvOptions {
  fileName?: string | undefined
  /** Chain id for the Safe airdrop layout, which carries none ("8453"). Ignored for our layout. */
  network?: string | undefined
}

export interface ParsePayoutCsvReturnType {
  rows: RawRow[]
  issues: RowIssue[]
  warnings: RowWarning[]
  layout: CsvLayout | null
  /** Data rows found (blank lines not counted), including rows too broken to return. */
  rowsTotal: number
  separator: CsvSeparator | null
}

export function parsePayoutCsv(input: Buffer | Uint8Array | string, options: ParsePayoutCsvOptions = {}): ParsePayoutCsvReturnType {
  const issues: RowIssue[] = []
  const csv = readCsvText(input, issues)
  if (csv === null) return { rows: [], issues, warnings: [], layout: null, rowsTotal: 0, separator: null }
  // Rows are read as the tokenizer yields them, so no record outlives its row (100,000 rows: less to collect).
  const reader = new RowReader(csv.separator, options.network)
  tokenizeCsv(csv, issues, (rec) => reader.add(rec))
  if (reader.stopped) {
    const sentence = `The file has more than ${rowsParsedMax} rows — it is not a payout list Countersign can read; a batch holds at most 10,000 payouts.`
    issues.push(rowIssue(null, null, 'ROWS_TOO_MANY', sentence))
    return { rows: [], issues, warnings: [], layout: null, rowsTotal: reader.rowsTotal, separator: null }
  }
  if (reader.header === null) {
    issues.push(rowIssue(null, null, 'FILE_EMPTY', 'The file has no rows — export the payout list again, with its header row.'))
    return { rows: [], issues, warnings: [], layout: null, rowsTotal: 0, separator: null }
  }
  const warnings: RowWarning[] = []
  const derived = reader.safe === null ? null : safeDerivedIdsWarning(reader.safe)
  if (derived !== null) warnings.push(derived)
  flagFormulaText(reader.rows, warnings)
  // Structural problems first, then the header's, then the rows' (the import sorts them by row).
  for (const list of [reader.headerIssues, reader.rowIssues]) for (const issue of list) issues.push(issue)
  return { rows: reader.rows, issues, warnings, layout: reader.header.layout, rowsTotal: reader.rowsTotal, separator: csv.separator }
}

/** Takes the records in file order: the first non-blank one is the header, the others payouts. */
class RowReader {
  readonly separator: CsvSeparator
  readonly network: string | undefined
  header: CsvHeader | null = null
  /** The header can be read: its rows are (the file's rows are still counted when not). */
  readable = false
  /** Cell index of each payout field, in our layout. */
  at: Readonly<Record<PayoutField, number>> | null = null
  amountIndex = -1
  safe: SafeRowReader | null = null
  rows: RawRow[] = []
  rowsTotal = 0
  stopped = false
  headerIssues: RowIssue[] = []
  rowIssues: RowIssue[] = []

  constructor(separator: CsvSeparator, network: string | undefined) {
    this.separator = separator
    this.network = network
  }

  /** False to stop reading: more than rowsParsedMax rows. */
  add(rec: CsvRecord): boolean {
    if (isBlank(rec.cells)) return true
    if (this.header === null) {
      this.readHeader(rec)
      return true
    }
    if (++this.rowsTotal > rowsParsedMax) {
      this.stopped = true
      return false
    }
    if (!this.readable || !checkRowShape(rec, this.header, this.separator, this.amountIndex, this.rowIssues)) return true
    const row = this.safe !== null ? readSafeAirdropRow(this.safe, rec, this.rowIssues) : readCountersignRow(rec, this.at!)
    if (row !== null) this.rows.push(row)
    return true
  }

  private readHeader(rec: CsvRecord): void {
    const header = detectCsvLayout(rec)
    this.header = header
    this.amountIndex = fieldCellIndex(header, 'amount')
    if (!checkCsvHeader(header, rec, this.headerIssues)) return
    if (header.layout === 'countersign') {
      this.at = countersignCellIndexes(header)
      this.readable = true
      return
    }
    this.safe = openSafeRowReader(header, this.network, this.headerIssues)
    this.readable = this.safe !== null
  }
}

function isBlank(cells: readonly string[]): boolean {
  for (const c of cells) if (c.trim() !== '') return false
  return true
}

function readCountersignRow(rec: CsvRecord, at: Readonly<Record<PayoutField, number>>): RawRow {
  return {
    row: rec.row,
    layout: 'countersign',
    id: cellAt(rec, at.id),
    rail: cellAt(rec, at.rail),
    network: cellAt(rec, at.network),
    asset: cellAt(rec, at.asset),
    recipient: cellAt(rec, at.recipient),
    amount: cellAt(rec, at.amount),
    memo: textAt(rec, at.memo),
    reference: textAt(rec, at.reference),
    name: textAt(rec, at.name),
    idDerived: false,
  }
}

/** A free-text cell, normalised to NFC as the contract normalises typed text (src/shared/safeText.ts). */
function textAt(rec: CsvRecord, index: number): string {
  return cellAt(rec, index).normalize('NFC')
}
