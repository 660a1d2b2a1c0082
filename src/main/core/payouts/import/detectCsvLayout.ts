/**
 * The header row -> which layout the file is in (ours or Safe's CSV airdrop) and where each column
 * is, with every header problem listed. Header names are read in any case, with spaces around them.
 *
 * Decisions: a missing required column makes every row unreadable, so it is one issue and no rows;
 * a first row that holds data (an address, a number) is not a header at all, and only that is
 * said. Unknown and repeated columns are listed, and the import refuses the file as a whole.
 */
import type { RowIssue } from '../../../../shared/payoutImport'
import { PAYOUT_FIELDS, REQUIRED_FIELDS, SAFE_COLUMNS, SAFE_REQUIRED, type CsvLayout, type PayoutField } from './payoutCsvLayouts'
import { rowIssue } from './rowIssues'
import type { CsvRecord } from './tokenizeCsv'

export interface CsvHeader {
  row: number
  layout: CsvLayout
  /** Column names trimmed and lower-cased, '' for a column without a name. */
  names: readonly string[]
  /** Values the header row holds, named or not: a data row may not hold more that are not empty. */
  cellsCount: number
  /** Cell index of each named column (its first occurrence). */
  columnIndex: ReadonlyMap<string, number>
}

export function detectCsvLayout(rec: CsvRecord): CsvHeader {
  const names = rec.cells.map((c) => c.trim().toLowerCase())
  const layout: CsvLayout = names.includes('token_type') && names.includes('receiver') ? 'safe-airdrop' : 'countersign'
  const columnIndex = new Map<string, number>()
  names.forEach((name, i) => {
    if (name !== '' && !columnIndex.has(name)) columnIndex.set(name, i)
  })
  return { row: rec.row, layout, names, cellsCount: rec.cells.length, columnIndex }
}

/** Lists the header's problems; false when no row can be read under it. */
export function checkCsvHeader(header: CsvHeader, rec: CsvRecord, issues: RowIssue[]): boolean {
  const safe = header.layout === 'safe-airdrop'
  const known: readonly string[] = safe ? SAFE_COLUMNS : PAYOUT_FIELDS
  const required: readonly string[] = safe ? SAFE_REQUIRED : REQUIRED_FIELDS
  const missing = required.filter((r) => !header.columnIndex.has(r))
  if (missing.length > 0 && header.names.some(looksLikeData)) {
    const sentence = `the first row is not a header — add a header row naming the columns (${required.join(', ')}) above the payouts.`
    issues.push(rowIssue(header.row, null, 'HEADER_MISSING_COLUMNS', sentence))
    return false
  }
  checkColumnNames(header, rec, known, issues)
  if (missing.length > 0) {
    const many = missing.length > 1
    const sentence = `the header lacks the column${many ? 's' : ''} ${missing.join(', ')} — add ${many ? 'them' : 'it'} (the header must name ${required.join(', ')}).`
    issues.push(rowIssue(header.row, null, 'HEADER_MISSING_COLUMNS', sentence))
    return false
  }
  return true
}

/** Where each payout field is read from in this header's layout (-1: no such column). */
export function fieldCellIndex(header: CsvHeader, column: string): number {
  return header.columnIndex.get(column) ?? -1
}

/** Our layout's field -> cell index, in PAYOUT_FIELDS order. */
export function countersignCellIndexes(header: CsvHeader): Readonly<Record<PayoutField, number>> {
  const out = {} as Record<PayoutField, number>
  for (const field of PAYOUT_FIELDS) out[field] = fieldCellIndex(header, field)
  return out
}

function looksLikeData(name: string): boolean {
  return /^0x[0-9a-f]{40}$/.test(name) || /^g[a-z2-7]{55}$/.test(name) || /^\d+(\.\d+)?$/.test(name)
}

function checkColumnNames(header: CsvHeader, rec: CsvRecord, known: readonly string[], issues: RowIssue[]): void {
  const seen = new Set<string>()
  header.names.forEach((name, i) => {
    const shown = rec.cells[i]!.trim()
    if (name === '') return // Trailing empty columns (",,,") are common in exports; values under them are checked per row.
    if (seen.has(name)) {
      issues.push(rowIssue(header.row, shown, 'HEADER_DUPLICATE_COLUMN', 'the column appears twice in the header — delete one of them.'))
      return
    }
    seen.add(name)
    if (!known.includes(name)) {
      const sentence = `"${shown}" is not a column Countersign knows — the columns are ${known.join(', ')}; rename or delete it.`
      issues.push(rowIssue(header.row, shown, 'HEADER_UNKNOWN_COLUMN', sentence))
    }
  })
}
