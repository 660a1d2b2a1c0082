/**
 * Bytes -> text -> records of cells: the only part of the import that knows CSV syntax. It knows
 * nothing of payouts; detectCsvLayout and parsePayoutCsv give the cells their meaning.
 *
 * Accepted: UTF-8 with or without BOM; `,` `;` or tab as separator (detected from the header line,
 * or given by an Excel `sep=;` first line); RFC 4180 quoting (commas, quotes as "", newlines inside
 * quotes); CRLF, LF or lone CR line ends, mixed in one file; blank lines (returned as records of
 * empty cells, so row numbers match the spreadsheet). A quote is special only at the start of a
 * value: `5" pipe` stays literal text.
 *
 * Why hand-written and not the csv-parse package (npm, v7.0.3), measured in one run on the
 * 100,000-row bench file (bench/csv.bench.ts prints both when csv-parse is installed): this
 * tokenizer ~40–60 ms; csv-parse with the options our rules need (CRLF/LF/CR line ends,
 * relax_quotes, relax_column_count, skip_records_with_error, `info` for the row numbers) ~700 ms,
 * ~400 ms without `info` or with its defaults — 10 to 17 times slower, most of the 1 s budget for
 * parse + validate. Nor does it keep our rules: with relax_quotes it reads `"inv"-1` as a value
 * where we refuse the row (text after a closing quote), and without it `5" pipe` is an error.
 */
import { CSV_READER_CHARS_MAX } from '../../../../shared/limits'
import type { RowIssue } from '../../../../shared/payoutImport'
import { rowIssue } from './rowIssues'

export type CsvSeparator = ',' | ';' | '\t'

export interface CsvText {
  /** Decoded, without the BOM. */
  text: string
  /** Where the records start (after an Excel `sep=` line). */
  start: number
  /** Spreadsheet row of the first record (2 after a `sep=` line, which is a row of its own). */
  firstRow: number
  separator: CsvSeparator
}

export interface CsvRecord {
  /** Spreadsheet row (the first line of the record when a quoted value spans lines). */
  row: number
  /** As written, untrimmed; a quoted value without its quotes, its line ends as \n. */
  cells: string[]
  /** Bit k set: cell k was quoted in the file (cells past the 32nd always read as unquoted). */
  quoted: number
}

/** Cells whose quoting is recorded in CsvRecord.quoted (the bits of a 32-bit integer). */
const quotedBitsMax = 32
/** Columns whose last value is remembered to share repeated values (readPlain). */
const previousColumnsMax = 64

const COMMA = 44
const SEMICOLON = 59
const TAB = 9
const QUOTE = 34
const LF = 10
const CR = 13
/** What follows a value (CsvCursor.nextValue). */
const NEXT_VALUE = 0
const LAST_VALUE_EMPTY = 1
const RECORD_END = 2

/** Cell `index` of a record, trimmed; '' when the column is absent (-1) or the row shorter. */
export function cellAt(rec: CsvRecord, index: number): string {
  if (index < 0 || index >= rec.cells.length) return ''
  return rec.cells[index]!.trim()
}

/** Was cell `index` written in quotes? */
export function cellQuoted(rec: CsvRecord, index: number): boolean {
  return index >= 0 && index < quotedBitsMax && (rec.quoted & (1 << index)) !== 0
}

/** Decodes and sizes the input and finds its separator; null (with the issue) when it cannot be read. */
export function readCsvText(input: Buffer | Uint8Array | string, issues: RowIssue[]): CsvText | null {
  let text = decodeCsv(input, issues)
  if (text === null) return null
  if (text.length > CSV_READER_CHARS_MAX) {
    const sentence = `The file has ${text.length} characters — the limit is ${CSV_READER_CHARS_MAX}; split it into smaller files.`
    issues.push(rowIssue(null, null, 'FILE_TOO_LARGE', sentence))
    return null
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  // Excel's "sep=;" hint line: honour it, and count it as a row (it is one in the file).
  const sepLine = /^sep=([,;\t])[ \t]*(\r\n|\n|\r|$)/i.exec(text)
  if (sepLine) return { text, start: sepLine[0].length, firstRow: 2, separator: sepLine[1] as CsvSeparator }
  return { text, start: 0, firstRow: 1, separator: detectSeparator(text, 0) }
}

/** Bytes -> text, refusing anything that is not UTF-8 (a Windows-1252 export would corrupt names and addresses). */
function decodeCsv(input: Buffer | Uint8Array | string, issues: RowIssue[]): string | null {
  if (typeof input === 'string') return input
  if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff)) {
    issues.push(
      rowIssue(null, null, 'FILE_ENCODING', 'The file is saved as UTF-16 — save it as "CSV UTF-8 (comma delimited)" and import it again.'),
    )
    return null
  }
  if (input.length > CSV_READER_CHARS_MAX * 4) {
    issues.push(rowIssue(null, null, 'FILE_TOO_LARGE', `The file is ${input.length} bytes — split it into smaller files.`))
    return null
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input)
  } catch {
    // Decode again leniently so the bad bytes show as U+FFFD and can be pinned to a row and column.
    return new TextDecoder('utf-8').decode(input)
  }
}

/** The separator used most in the header line (outside quotes); ',' when none or tied. */
function detectSeparator(text: string, start: number): CsvSeparator {
  let commas = 0
  let semicolons = 0
  let tabs = 0
  let quoted = false
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) quoted = !quoted
    else if (quoted) continue
    else if (c === LF || c === CR) {
      if (commas + semicolons + tabs > 0) break // else a leading blank line: keep looking
    } else if (c === COMMA) commas++
    else if (c === SEMICOLON) semicolons++
    else if (c === TAB) tabs++
  }
  if (semicolons > commas && semicolons >= tabs) return ';'
  if (tabs > commas && tabs > semicolons) return '\t'
  return ','
}

/**
 * Calls `onRecord` per record, blank ones included (return false to stop). Text after a closing
 * quote is a ROW_MALFORMED issue and that record is skipped; a quote never closed is one too, and
 * ends the reading (everything after it is inside the quotes).
 *
 * The record passed is valid only until `onRecord` returns: the same object and cells array are
 * filled again for the next one (100,000 rows: no array to collect per row). Copy what you keep.
 */
export function tokenizeCsv(csv: CsvText, issues: RowIssue[], onRecord: (rec: CsvRecord) => boolean): void {
  const cursor = new CsvCursor(csv, issues)
  while (cursor.i < csv.text.length) {
    const rec = cursor.readRecord()
    if (rec === 'unclosed') return
    if (rec !== 'broken' && !onRecord(rec)) return
  }
}

/** A position in the text and the row it is on; reads one record at a time. */
class CsvCursor {
  readonly text: string
  readonly n: number
  readonly sep: number
  readonly issues: RowIssue[]
  i: number
  row: number
  /** The last unquoted value read per column (readPlain). */
  readonly previous: string[] = []
  /** The one record handed out, refilled per record (see tokenizeCsv). */
  readonly record: CsvRecord = { row: 0, cells: [], quoted: 0 }

  constructor(csv: CsvText, issues: RowIssue[]) {
    this.text = csv.text
    this.n = csv.text.length
    this.sep = csv.separator.charCodeAt(0)
    this.issues = issues
    this.i = csv.start
    this.row = csv.firstRow - 1
  }

  readRecord(): CsvRecord | 'broken' | 'unclosed' {
    this.row++
    const rec = this.record
    const cells = rec.cells
    let count = 0
    let quoted = 0
    let broken = false
    for (;;) {
      if (this.text.charCodeAt(this.i) === QUOTE) {
        const value = this.readQuoted()
        if (value === null) return 'unclosed'
        if (count < quotedBitsMax) quoted |= 1 << count
        cells[count++] = value
        if (!this.atValueEnd()) {
          if (!broken)
            this.malformed(
              'there is text after a closing quote — a value in quotes must end at the separator; write a quote inside a value as "".',
            )
          broken = true
          while (!this.atValueEnd()) this.i++
        }
      } else {
        cells[count] = this.readPlain(count)
        count++
      }
      const next = this.nextValue()
      if (next === NEXT_VALUE) continue
      if (next === LAST_VALUE_EMPTY) cells[count++] = '' // "a,b," at the very end: the last value is empty
      break
    }
    // Shorter than the record before: drop its surplus cells (in place; the array keeps its room).
    if (cells.length !== count) cells.length = count
    if (broken) return 'broken'
    rec.row = this.row
    rec.quoted = quoted
    return rec
  }

  /** The value between quotes starting at `i` ("" read as "); null when it is never closed. */
  private readQuoted(): string | null {
    let j = this.i + 1
    let buf = ''
    for (;;) {
      const k = this.text.indexOf('"', j)
      if (k === -1) {
        this.malformed('a quoted value is never closed — add the missing " (everything after it was unreadable).')
        return null
      }
      buf += this.text.slice(j, k)
      if (this.text.charCodeAt(k + 1) === QUOTE) {
        buf += '"'
        j = k + 2
        continue
      }
      this.i = k + 1
      // Line ends inside a quoted value become \n whatever the file used (CRLF from Excel).
      return buf.includes('\r') ? buf.replace(/\r\n?/g, '\n') : buf
    }
  }

  /**
   * An unquoted value. When it equals the value read in the same column of the record before (a
   * payout list repeats rail, network and asset on every row), that string is returned again
   * instead of a new copy: 100,000 rows then hold one "evm", not 100,000.
   */
  private readPlain(column: number): string {
    const start = this.i
    while (!this.atValueEnd()) this.i++
    const before = this.previous[column]
    if (before !== undefined && before.length === this.i - start && this.text.startsWith(before, start)) return before
    const value = this.text.slice(start, this.i)
    if (column < previousColumnsMax) this.previous[column] = value
    return value
  }

  /** At the end of the text, a separator or a line end. */
  private atValueEnd(): boolean {
    if (this.i >= this.n) return true
    const c = this.text.charCodeAt(this.i)
    return c === this.sep || c === LF || c === CR
  }

  /** Steps over what ends a value: a separator (another value follows, maybe an empty last one) or a line end. */
  private nextValue(): typeof NEXT_VALUE | typeof LAST_VALUE_EMPTY | typeof RECORD_END {
    if (this.i >= this.n) return RECORD_END
    const c = this.text.charCodeAt(this.i++)
    if (c === this.sep) return this.i < this.n ? NEXT_VALUE : LAST_VALUE_EMPTY
    if (c === CR && this.text.charCodeAt(this.i) === LF) this.i++
    return RECORD_END
  }

  private malformed(sentence: string): void {
    this.issues.push(rowIssue(this.row, null, 'ROW_MALFORMED', sentence))
  }
}
