/**
 * Shape checks of one data row before its values are read: no more values than the header has
 * columns, no broken UTF-8, no value of absurd length, nothing under a column without a name — and
 * no amount cut in two by an unquoted thousands separator.
 *
 * Why the last one: `…,1,000.00` in a comma-separated file is two values, `1` and `000.00`. When the
 * row still fits the header (the next column is reference, memo or name, or the row is short), it
 * would import as an amount of 1 with a reference of 000.00 — a payout a thousand times too small,
 * without a word. The file is ambiguous by nature, so such a row is refused with a sentence that
 * says how to write it. A value the person put in quotes is taken as written.
 */
import type { RowIssue } from '../../../../shared/payoutImport'
import type { CsvHeader } from './detectCsvLayout'
import { rowIssue } from './rowIssues'
import { cellAt, cellQuoted, type CsvRecord, type CsvSeparator } from './tokenizeCsv'

/** Longest single value, in characters: no payout field is anywhere near this; longer is a broken file. */
export const cellCharsMax = 1_000

const REPLACEMENT_CHAR = '\uFFFD'
/** An amount that may be the first group of a grouped number: 1 to 3 digits ("1" of "1,000.00"). */
const LEADING_GROUP_RE = /^[+-]?\d{1,3}$/
/** The rest of such a number: a group of 3 digits, maybe more groups or decimals ("000", "000.00", "500,25", "000,000"). */
const REST_OF_NUMBER_RE = /^\d{3}(?:[.,]\d+)*$/
/** An amount grouped with dots, continental style ("1.500" of "1.500,25"), and its decimals after the comma. */
const DOT_GROUPED_RE = /^[+-]?[1-9]\d{0,2}(?:\.\d{3})+$/
const COMMA_DECIMALS_RE = /^\d{1,2}$/

/** False when the row must not be read (each problem is in `issues`). */
export function checkRowShape(
  rec: CsvRecord,
  header: CsvHeader,
  separator: CsvSeparator,
  amountIndex: number,
  issues: RowIssue[],
): boolean {
  if (hasSurplusValues(rec, header.cellsCount)) {
    const sentence = `the row has ${rec.cells.length} values but the header has ${header.cellsCount} columns — a value probably contains an unquoted separator (such as 1,000.00); put quotes around it or remove the separator.`
    issues.push(rowIssue(rec.row, null, 'ROW_MALFORMED', sentence))
    return false
  }
  const cellsOk = checkCells(rec, header.names, issues)
  const amountOk = checkAmountNotSplit(rec, header, separator, amountIndex, issues)
  return cellsOk && amountOk
}

/**
 * More non-empty values than header columns usually means an unquoted separator inside a value
 * (1,000.00): the values are shifted, so the row is dropped rather than misread. Empty values past
 * the header (a trailing "," some exports write) shift nothing and are let through.
 */
function hasSurplusValues(rec: CsvRecord, headerCells: number): boolean {
  for (let i = headerCells; i < rec.cells.length; i++) if (rec.cells[i]!.trim() !== '') return true
  return false
}

function checkCells(rec: CsvRecord, names: readonly string[], issues: RowIssue[]): boolean {
  let ok = true
  for (let i = 0; i < rec.cells.length; i++) {
    const value = rec.cells[i]!
    const named = i < names.length && names[i] !== ''
    if (value.includes(REPLACEMENT_CHAR)) {
      const sentence =
        'the value contains characters that are not valid UTF-8 (shown as �) — the file was probably saved as Windows-1252 or Latin-1; save it as "CSV UTF-8" and import it again.'
      issues.push(rowIssue(rec.row, columnName(names, i), 'FILE_ENCODING', sentence))
    } else if (value.length > cellCharsMax) {
      const sentence = `the value has ${value.length} characters — no payout field takes more than ${cellCharsMax}.`
      issues.push(rowIssue(rec.row, columnName(names, i), 'CELL_TOO_LONG', sentence))
    } else if (i < names.length && !named && value.trim() !== '') {
      const sentence = 'there is a value under a column with no name — name the column or clear the value.'
      issues.push(rowIssue(rec.row, columnName(names, i), 'ROW_MALFORMED', sentence))
    } else continue
    ok = false
  }
  return ok
}

function columnName(names: readonly string[], i: number): string {
  return i < names.length && names[i] !== '' ? names[i]! : `column ${i + 1}`
}

/**
 * The amount and the value after it read as one number cut at the separator: `1` + `000.00`
 * (1,000.00), `12` + `500,25`, or `1.500` + `25` (1.500,25). Either value in quotes is taken as written.
 */
function checkAmountNotSplit(rec: CsvRecord, header: CsvHeader, separator: CsvSeparator, amountIndex: number, issues: RowIssue[]): boolean {
  const nextIndex = amountIndex + 1
  if (amountIndex < 0 || nextIndex >= rec.cells.length) return true
  const amount = cellAt(rec, amountIndex)
  const next = cellAt(rec, nextIndex)
  const split =
    (LEADING_GROUP_RE.test(amount) && REST_OF_NUMBER_RE.test(next)) || (DOT_GROUPED_RE.test(amount) && COMMA_DECIMALS_RE.test(next))
  if (!split || cellQuoted(rec, amountIndex) || cellQuoted(rec, nextIndex)) return true
  const column = columnName(header.names, nextIndex)
  const joined = separator === '\t' ? `${amount} ${next}` : `${amount}${separator}${next}`
  const sentence = `"${amount}" followed by "${next}" under ${column} reads as one amount cut in two by an unquoted separator (${joined}) — put the amount in quotes, or write it without the thousands separator (1000.00, not 1,000.00); if "${next}" really is the ${column}, put it in quotes.`
  issues.push(rowIssue(rec.row, columnName(header.names, amountIndex), 'AMOUNT_INVALID', sentence))
  return false
}
