/**
 * Writing CSV that is safe to open in a spreadsheet — the one writer every CSV Countersign hands
 * out goes through (accounting exports, and any later one), and the one test of what a spreadsheet
 * would run as a formula (the payout import warns on it too).
 *
 * Formula injection (CSV injection): Excel, LibreOffice and Google Sheets run a cell that starts
 * with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK("http://x")`, `=cmd|' /C calc'!A0`), and a
 * leading tab or carriage return can hide such a start. A payee's name or a reference is typed by
 * someone outside the finance team, so every *text* cell is neutralised the way OWASP describes:
 * a single quote is put in front (the spreadsheet then shows the text as text) and the cell is
 * written quoted.
 *
 * Amounts are the exception, on purpose: Xero's Amount and QuickBooks' signed Amount must be
 * numbers, and a credit or money out is written "-12.50". Those cells are never text here: they
 * are `csvNumber(…)` cells, which Countersign formats itself from bigint minor units, and which
 * are checked to be a plain decimal (an optional "-", digits, an optional "." and digits) — a
 * value no spreadsheet runs as a formula. Anything else is a text cell and is neutralised.
 *
 * Lines end in CRLF (RFC 4180); a cell is quoted when it holds a comma, a quote or a line end, or
 * when it was neutralised. No BOM: Xero and QuickBooks read UTF-8 without one.
 */

/** What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"): = + - @, tab, CR. */
const FORMULA_TRIGGERS: ReadonlySet<string> = new Set(['=', '+', '-', '@', '\t', '\r'])
const PLAIN_DECIMAL_RE = /^-?\d+(\.\d+)?$/
const NEEDS_QUOTES_RE = /[",\r\n]/

/** The character that would make a spreadsheet run `text` as a formula, or null when none would. */
export function formulaTrigger(text: string): string | null {
  const first = text.charAt(0)
  return FORMULA_TRIGGERS.has(first) ? first : null
}

/** `text` as a spreadsheet shows it as text: a leading `'` when it would otherwise be run as a formula. */
export function neutraliseFormula(text: string): string {
  return formulaTrigger(text) === null ? text : `'${text}`
}

/** A number cell: a decimal Countersign formatted itself (never text someone typed). Written bare. */
export interface CsvNumber {
  readonly decimal: string
}

/** A cell: text (neutralised, quoted when needed), a number we formatted, or null for an empty cell. */
export type CsvCell = string | CsvNumber | null

/** Marks a decimal as a number cell; a programmer error if it is not a plain decimal. */
export function csvNumber(decimal: string): CsvNumber {
  if (!PLAIN_DECIMAL_RE.test(decimal)) throw new Error(`invariant: "${decimal.slice(0, 40)}" is not a plain decimal for a number cell`)
  return { decimal }
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`
}

/** One cell as it is written between the commas. */
export function csvCellText(cell: CsvCell): string {
  if (cell === null) return ''
  if (typeof cell !== 'string') return cell.decimal
  if (formulaTrigger(cell) !== null) return quote(neutraliseFormula(cell))
  return NEEDS_QUOTES_RE.test(cell) ? quote(cell) : cell
}

/** One line, without its line end. */
export function csvLine(cells: readonly CsvCell[]): string {
  return cells.map(csvCellText).join(',')
}

/** A whole file: the header, then the rows, every line ended by CRLF. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [csvLine(header)]
  for (const row of rows) {
    if (row.length !== header.length) throw new Error(`invariant: a CSV row has ${row.length} cells for ${header.length} columns`)
    lines.push(csvLine(row))
  }
  return lines.join('\r\n') + '\r\n'
}
