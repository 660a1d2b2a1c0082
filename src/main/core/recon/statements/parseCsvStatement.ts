/**
 * A bank's CSV export + that bank's saved column mapping → one ParsedStatement.
 *
 * csv-parse reads the cells (quotes, delimiters inside quotes, and a row whose cell count differs
 * from the header's, which is how a description holding an unquoted delimiter shows); each record
 * is turned into an entry as it arrives (`on_record` returns null, so no array of all rows is
 * built). When the mapping names a running-balance column every row is checked against the one
 * before it (previous balance + amount = this balance): that is how a column the mapping points
 * at wrongly, or a shifted row, is caught, and it names the first row where it breaks. Errors
 * name the row (its line in the file) and the column.
 */
import { CsvError, parse } from 'csv-parse/sync'
import { CsError, hasErrorCode } from '../../../../shared/errors'
import { formatAmount } from '../../../../shared/money'
import { createAmountReader, createDateReader, type AmountReader, type DateReader } from './csvCells'
import { CsvStatementMapping, type CsvStatementMappingInput } from './csvStatementMapping'
import { cleanText } from './statementLines'
import { CSV_COLUMN_FIELDS } from '../../../../shared/csvMappingOptions'
import {
  currencyScale,
  decimalToMinor,
  emptyDeclared,
  statementError,
  type ParsedStatementFile,
  type StatementEntry,
} from './statementModel'

export { CSV_MAPPING_EXAMPLES, CsvStatementMapping, type CsvStatementMappingInput } from './csvStatementMapping'

export interface ParseCsvStatementOptions {
  /** Named in error messages, so a person knows which of several files is wrong. */
  fileName?: string
}
export type ParseCsvStatementReturnType = ParsedStatementFile
export type ParseCsvStatementErrorType = CsError

/** Whitespace that cleanText would change (a run, or a tab / line end): most descriptions have none. */
const SPACE_RUN_RE = /\s\s|[\t\n\r\f\u00A0]/
const BLANK_TEXT_RE = /^\uFEFF?\s*$/
/** Header names listed in a "no such column" message. */
const HEADER_NAMES_SHOWN_MAX = 15
const COLUMN_FIELDS = CSV_COLUMN_FIELDS satisfies readonly (keyof CsvStatementMapping['columns'])[]
type ColumnField = (typeof COLUMN_FIELDS)[number]
/** 0-based cell index per mapped field; -1 = not mapped. */
type ColumnPlan = Record<ColumnField, number>

/** Parses `text` (decoded) with a bank's mapping; the mapping is checked again here (defaults filled in). */
export function parseCsvStatement(
  text: string,
  mappingInput: CsvStatementMappingInput,
  options: ParseCsvStatementOptions = {},
): ParseCsvStatementReturnType {
  const mapping = checkMapping(mappingInput)
  const fileName = options.fileName
  const at = (where: string): string => (fileName ? `${fileName}, ${where}` : where)
  const reader = new CsvRowReader(mapping, at)
  // One line end for csv-parse (it picks the first it sees, and files mix them); quoted line ends become "\n".
  const normalized = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text
  if (BLANK_TEXT_RE.test(normalized)) throw statementError(at('row 1'), 'the file is empty — export the statement again.')
  try {
    parse(normalized, {
      delimiter: mapping.delimiter,
      record_delimiter: '\n',
      bom: true,
      from_line: Math.max(1, mapping.headerRows),
      skip_empty_lines: true,
      relax_quotes: true,
      relax_column_count: false,
      on_record: (cells: string[], info: { lines: number }) => {
        reader.read(cells, info.lines)
        return null
      },
    })
  } catch (error) {
    if (hasErrorCode(error, 'STATEMENT_INVALID')) throw error
    throw csvSyntaxError(error, reader, mapping, at)
  }
  return { format: 'csv', statements: [reader.finish()] }
}

function checkMapping(input: CsvStatementMappingInput): CsvStatementMapping {
  const checked = CsvStatementMapping.safeParse(input)
  if (checked.success) return checked.data
  const issues = checked.error.issues.map((issue) => ({ path: issue.path.join('.') || 'mapping', message: issue.message }))
  const first = issues[0]!
  return invalidMapping(
    `the column mapping is not valid: ${first.path} ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''} — fix it and save it again.`,
    issues,
  )
}

function invalidMapping(message: string, issues: { path: string; message: string }[]): never {
  throw new CsError('STATEMENT_MAPPING_INVALID', message, { details: { issues } })
}

/** csv-parse's own errors, said for a person, naming the row. */
function csvSyntaxError(error: unknown, reader: CsvRowReader, mapping: CsvStatementMapping, at: (where: string) => string): CsError {
  if (!(error instanceof CsvError)) throw error
  const line = typeof error.lines === 'number' ? error.lines : reader.lastLine + 1
  const delimiter = mapping.delimiter === '\t' ? 'tab' : `"${mapping.delimiter}"`
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const got = Array.isArray(error.record) ? error.record.length : '?'
      return statementError(
        at(`row ${line}`),
        `the row has ${got} cells but the ${mapping.headerRows > 0 ? 'header has' : 'first row has'} ${reader.columnCount} — a value probably holds the delimiter ${delimiter} without quotes, which shifts the columns; fix the row or export the file again.`,
      )
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return statementError(
        at(`row ${reader.lastLine + 1}`),
        'a quoted value that starts here or below is never closed (a " is missing) — fix the row or export the file again.',
      )
    default:
      return statementError(
        at(`row ${line}`),
        `the row is not valid CSV (${error.message.slice(0, 120)}) — fix the row or export the file again.`,
      )
  }
}

/** Turns records into entries, one at a time, checking the running balance as it goes. */
class CsvRowReader {
  /** The line (in the file) of the last record read. */
  lastLine = 0
  columnCount = 0
  private plan: ColumnPlan | null = null
  private labels: string[] = []
  private readonly entries: StatementEntry[] = []
  private readonly readDate: DateReader
  private readonly readAmount: AmountReader
  private readonly accountScale: number
  private readonly scales = new Map<string, number>()
  private readonly balances: BalanceTracker

  constructor(
    private readonly mapping: CsvStatementMapping,
    private readonly at: (where: string) => string,
  ) {
    const place = (line: number, column: number): string => this.where(line, column)
    this.readDate = createDateReader(mapping.dateFormat, place)
    this.readAmount = createAmountReader(mapping, place)
    this.accountScale = currencyScale(mapping.account.currency, 'mapping')
    const opening = mapping.openingBalance === undefined ? null : openingMinor(mapping.openingBalance, this.accountScale)
    this.balances = new BalanceTracker(mapping.rowOrder, opening, (minor) => formatAmount(minor, this.accountScale))
  }

  read(cells: string[], endLine: number): void {
    // A record ending on the line after the previous one spans one line: no quoted line ends to count.
    const line = endLine - this.lastLine === 1 ? endLine : endLine - newlinesIn(cells)
    this.lastLine = endLine
    if (this.plan === null) {
      this.plan = this.resolveColumns(cells, line)
      if (this.mapping.headerRows > 0) return
    }
    // A row of empty cells is spreadsheet residue (checked only when the date is empty: the usual row pays nothing).
    if (cells[this.plan.date]!.trim() === '' && cells.every((cell) => cell.trim() === '')) return
    this.entries.push(this.entry(this.plan, cells, line))
  }

  finish(): ParsedStatementFile['statements'][number] {
    const { entries, mapping } = this
    if (this.plan === null) {
      throw statementError(
        this.at(`row ${Math.max(1, mapping.headerRows)}`),
        `the file ends before its header row (headerRows is ${mapping.headerRows}) — check the mapping's headerRows, or export the file again.`,
      )
    }
    let fromDate: string | null = null
    let toDate: string | null = null
    for (const entry of entries) {
      const date = entry.bookingDate!
      if (fromDate === null || date < fromDate) fromDate = date
      if (toDate === null || date > toDate) toDate = date
    }
    const { opening, closing } = this.balances.finish(this.at(`row ${this.lastLine}`))
    return {
      format: 'csv',
      statementId: null,
      sequence: null,
      createdAt: null,
      account: { id: mapping.account.id, bic: null, currency: mapping.account.currency, ownerName: null },
      fromDate,
      toDate,
      opening: opening === null ? null : { amount: opening, date: fromDate },
      closing: closing === null ? null : { amount: closing, date: toDate },
      entries,
      declared: emptyDeclared(),
    }
  }

  private where(line: number, column: number): string {
    return this.at(`row ${line}, column ${this.labels[column]}`)
  }

  private text(cells: string[], column: number): string | null {
    if (column < 0) return null
    const value = cells[column]!.trim()
    return value === '' ? null : value
  }

  private entry(plan: ColumnPlan, cells: string[], line: number): StatementEntry {
    const dateText = this.text(cells, plan.date)
    if (dateText === null) throw statementError(this.where(line, plan.date), 'the date is empty — every row needs its booking date.')
    const valueText = this.text(cells, plan.valueDate)
    const { currency, scale } = this.rowCurrency(cells, plan, line)
    const amount = this.rowAmount(cells, plan, line, scale)
    if (plan.balance >= 0) {
      const balance = this.readAmount(cells[plan.balance]!, this.accountScale, line, plan.balance)
      if (balance !== null && currency !== this.mapping.account.currency) {
        throw statementError(
          this.where(line, plan.balance),
          `the row is in ${currency}, not the account's ${this.mapping.account.currency}, so the running balance cannot be checked — export one currency per file.`,
        )
      }
      const mismatch = this.balances.add(amount, balance)
      if (mismatch !== null) throw statementError(this.where(line, plan.balance), mismatch)
    }
    const description = this.text(cells, plan.description)
    return {
      index: this.entries.length,
      where: `row ${line}`,
      bookingDate: this.readDate(dateText, line, plan.date),
      valueDate: valueText === null ? null : this.readDate(valueText, line, plan.valueDate),
      amount,
      currency,
      reversal: false,
      status: 'booked',
      bankRef: this.text(cells, plan.reference),
      endToEndId: this.text(cells, plan.endToEndId),
      customerRef: null,
      counterpartyName: this.text(cells, plan.counterpartyName),
      counterpartyAccount: this.text(cells, plan.counterpartyAccount),
      counterpartyBic: null,
      remittance: description === null || !SPACE_RUN_RE.test(description) ? description : cleanText(description),
      structuredRef: null,
      typeCode: null,
      details: [],
    }
  }

  private rowCurrency(cells: string[], plan: ColumnPlan, line: number): { currency: string; scale: number } {
    const written = this.text(cells, plan.currency)
    if (written === null) return { currency: this.mapping.account.currency, scale: this.accountScale }
    const currency = written.toUpperCase()
    let scale = this.scales.get(currency)
    if (scale === undefined) {
      scale = currencyScale(currency, this.where(line, plan.currency))
      this.scales.set(currency, scale)
    }
    return { currency, scale }
  }

  /** The signed amount: the amount column, or debit (money out, whatever its sign) / credit (money in). */
  private rowAmount(cells: string[], plan: ColumnPlan, line: number, scale: number): bigint {
    if (plan.amount >= 0) {
      const amount = this.readAmount(cells[plan.amount]!, scale, line, plan.amount)
      if (amount === null) throw statementError(this.where(line, plan.amount), 'the amount is empty — every row needs one.')
      return amount
    }
    const debit = this.readAmount(cells[plan.debit]!, scale, line, plan.debit)
    const credit = this.readAmount(cells[plan.credit]!, scale, line, plan.credit)
    if (debit === null && credit === null) {
      throw statementError(
        this.at(`row ${line}`),
        `neither ${this.labels[plan.debit]} nor ${this.labels[plan.credit]} holds an amount — every row needs one of them.`,
      )
    }
    if (debit !== null && credit !== null && debit !== 0n && credit !== 0n) {
      throw statementError(
        this.at(`row ${line}`),
        `both ${this.labels[plan.debit]} and ${this.labels[plan.credit]} hold an amount — a row is money out or money in, not both; check the row or the mapping.`,
      )
    }
    if (credit !== null && credit < 0n) {
      throw statementError(
        this.where(line, plan.credit),
        'a credit is money in but this one is negative — check the row, or map one signed amount column instead.',
      )
    }
    if (debit !== null && debit !== 0n) return debit < 0n ? debit : -debit
    return credit ?? 0n
  }

  /** Header names (or, without a header, the first row's width) → cell indexes for each mapped field. */
  private resolveColumns(cells: string[], line: number): ColumnPlan {
    const where = this.at(this.mapping.headerRows > 0 ? `row ${line} (header)` : `row ${line}`)
    this.columnCount = cells.length
    const header = this.mapping.headerRows > 0 ? cells.map((cell) => cell.replace(/^\uFEFF/, '').trim()) : null
    this.labels = cells.map((_, i) => (header && header[i] !== '' ? `'${header[i]}'` : `${i + 1}`))
    const plan = {} as ColumnPlan
    for (const field of COLUMN_FIELDS) {
      const ref = this.mapping.columns[field]
      plan[field] = ref === undefined ? -1 : columnIndex(ref, field, header, cells.length, where)
    }
    return plan
  }
}

function columnIndex(ref: string | number, field: string, header: string[] | null, width: number, where: string): number {
  if (typeof ref === 'number') {
    if (ref > width)
      throw statementError(
        where,
        `the mapping puts ${field} in column ${ref}, but the rows have ${width} columns — check the mapping's delimiter and column numbers.`,
      )
    return ref - 1
  }
  const wanted = ref.trim().toLowerCase()
  const found: number[] = []
  header?.forEach((name, i) => {
    if (name.toLowerCase() === wanted) found.push(i)
  })
  if (found.length === 1) return found[0]!
  if (found.length > 1) {
    throw statementError(
      where,
      `the header has "${ref}" ${found.length} times (columns ${found.map((i) => i + 1).join(', ')}) — map ${field} by its column number instead.`,
    )
  }
  const names = (header ?? []).slice(0, HEADER_NAMES_SHOWN_MAX).map((name) => `"${name}"`)
  const more = (header?.length ?? 0) > HEADER_NAMES_SHOWN_MAX ? ', …' : ''
  throw statementError(
    where,
    `the header has no column "${ref}" (for ${field}); it has ${names.join(', ')}${more} — check headerRows, the delimiter, or the mapping's column names.`,
  )
}

function newlinesIn(cells: string[]): number {
  let count = 0
  for (const cell of cells) {
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) count++
  }
  return count
}

function openingMinor(text: string, scale: number): bigint {
  const negative = text.startsWith('-')
  const minor = decimalToMinor(negative ? text.slice(1) : text, scale, 'mapping')
  return negative ? -minor : minor
}

/**
 * The running-balance check. Oldest first: previous balance + amount = this balance. Newest
 * first: this balance − its amount = the next row's balance. Rows with an empty balance cell are
 * carried (some banks print the balance once a day). Opening is derived from the first balance
 * (first balance − first amount) unless the mapping states it; closing is the last balance.
 */
class BalanceTracker {
  /** Oldest first: the balance after the last row. Newest first: the balance the next row must show. */
  private running: bigint | null
  /** Amounts read before the first stated balance. */
  private pendingSum = 0n
  private firstStated: bigint | null = null
  private sawBalance = false

  constructor(
    private readonly order: CsvStatementMapping['rowOrder'],
    private readonly opening: bigint | null,
    private readonly format: (minor: bigint) => string,
  ) {
    this.running = order === 'oldestFirst' ? opening : null
  }

  /** Takes one row; returns the sentence of a break (the caller says where), null when the row follows. */
  add(amount: bigint, balance: bigint | null): string | null {
    return this.order === 'oldestFirst' ? this.addOldestFirst(amount, balance) : this.addNewestFirst(amount, balance)
  }

  private addOldestFirst(amount: bigint, balance: bigint | null): string | null {
    if (this.running === null) this.pendingSum += amount
    else this.running += amount
    if (balance === null) return null
    this.sawBalance = true
    if (this.running === null) {
      this.firstStated = balance - this.pendingSum // the opening balance
      this.running = balance
      return null
    }
    return this.running === balance ? null : this.mismatch(balance, this.running, 'the previous balance plus this row’s amount')
  }

  private addNewestFirst(amount: bigint, balance: bigint | null): string | null {
    if (balance !== null) {
      this.sawBalance = true
      if (this.running !== null && balance !== this.running) {
        return this.mismatch(balance, this.running, 'the balance of the row above minus that row’s amount')
      }
      if (this.firstStated === null) this.firstStated = balance + this.pendingSum // the closing balance
    }
    const current = balance ?? this.running
    if (current === null) this.pendingSum += amount
    else this.running = current - amount
    return null
  }

  private mismatch(stated: bigint, expected: bigint, rule: string): string {
    return `the running balance ${this.format(stated)} does not match ${this.format(expected)} (${rule}; a difference of ${this.format(stated - expected)}) — a column is shifted in this row, or the mapping points at the wrong amount or balance column.`
  }

  finish(where: string): { opening: bigint | null; closing: bigint | null } {
    if (!this.sawBalance) return { opening: this.opening, closing: null }
    if (this.order === 'oldestFirst') return { opening: this.opening ?? this.firstStated, closing: this.running }
    if (this.opening !== null && this.running !== this.opening) {
      throw statementError(
        where,
        `the running balances lead back to an opening balance of ${this.format(this.running!)}, but the mapping states ${this.format(this.opening)} — correct the mapping's opening balance, or check the oldest rows.`,
      )
    }
    return { opening: this.running, closing: this.firstStated }
  }
}
