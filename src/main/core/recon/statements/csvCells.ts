/**
 * Reading one CSV cell as a date or an exact amount, in the format a bank's mapping names. Built
 * once per file (the regexes depend on the mapping) and then called per cell. Amounts go from
 * text to bigint minor units without a JS number: thousands separators are removed only where
 * they stand between whole groups of three ("1.234.567,89" yes, "1,23,4" no), and surplus
 * decimals are refused by decimalToMinor, never rounded.
 */
import type { CsvStatementMapping } from './csvStatementMapping'
import { daysInMonth } from './statementLines'
import { decimalToMinor, statementError } from './statementModel'

type DateFormat = CsvStatementMapping['dateFormat']

/** Which regex group is the year, the month and the day, per format. */
const DATE_LAYOUTS: Readonly<Record<DateFormat, { re: RegExp; year: number; month: number; day: number }>> = {
  'YYYY-MM-DD': { re: /^(\d{4})-(\d{2})-(\d{2})$/, year: 1, month: 2, day: 3 },
  'DD.MM.YYYY': { re: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, year: 3, month: 2, day: 1 },
  'DD/MM/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, year: 3, month: 2, day: 1 },
  'MM/DD/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, year: 3, month: 1, day: 2 },
  YYYYMMDD: { re: /^(\d{4})(\d{2})(\d{2})$/, year: 1, month: 2, day: 3 },
}
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const
const CELL_QUOTE_CHARS_MAX = 40

/**
 * Where a cell is, for an error ("row 14, column 'Amount'"). Readers get the row and column and
 * build this string only when they refuse a cell: 100,000 rows × 4 cells of unused strings cost.
 */
export type CellPlace = (line: number, column: number) => string

export type DateReader = (text: string, line: number, column: number) => string

/** A reader of dates written in `format` → "YYYY-MM-DD"; a day that does not exist is refused. */
export function createDateReader(format: DateFormat, place: CellPlace): DateReader {
  const layout = DATE_LAYOUTS[format]
  // Statements list many rows per day: the last date read is usually the next one too.
  let lastText = ''
  let lastDate = ''
  return (text, line, column) => {
    if (text === lastText) return lastDate
    const m = layout.re.exec(text)
    if (!m)
      throw statementError(
        place(line, column),
        `"${quote(text)}" is not a date written ${format} — check the row, or the mapping's date format.`,
      )
    const year = Number(m[layout.year])
    const month = Number(m[layout.month])
    const day = Number(m[layout.day])
    if (month < 1 || month > 12)
      throw statementError(place(line, column), `"${quote(text)}" has no month ${month} (dates here are written ${format}).`)
    if (day < 1 || day > daysInMonth(year, month)) {
      throw statementError(
        place(line, column),
        `"${quote(text)}" is not a real date: ${MONTH_NAMES[month - 1]} ${year} has ${daysInMonth(year, month)} days.`,
      )
    }
    lastDate = `${m[layout.year]}-${m[layout.month]!.padStart(2, '0')}-${m[layout.day]!.padStart(2, '0')}`
    lastText = text
    return lastDate
  }
}

/** A signed amount cell → signed minor units at `scale`; null for an empty cell. */
export type AmountReader = (text: string, scale: number, line: number, column: number) => bigint | null

type AmountFormat = Pick<CsvStatementMapping, 'decimalSeparator' | 'thousandsSeparator' | 'negativeStyle'>

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** How the mapping writes -1234.50, for messages: "-1.234,50". */
export function describeAmountFormat(format: AmountFormat): string {
  const thousands = format.thousandsSeparator === 'none' ? '' : format.thousandsSeparator
  const body = `1${thousands}234${format.decimalSeparator}50`
  const negative =
    format.negativeStyle === 'leadingMinus' ? `-${body}` : format.negativeStyle === 'trailingMinus' ? `${body}-` : `(${body})`
  return `"${negative}"`
}

export function createAmountReader(format: AmountFormat, place: CellPlace): AmountReader {
  const group =
    format.thousandsSeparator === 'none'
      ? null
      : format.thousandsSeparator === ' '
        ? '[ \\u00A0\\u202F]'
        : escapeRe(format.thousandsSeparator)
  const whole = group === null ? '(\\d+)' : `(\\d{1,3}(?:${group}\\d{3})+|\\d+)`
  const number = new RegExp(`^${whole}(?:${escapeRe(format.decimalSeparator)}(\\d*))?$`)
  const example = describeAmountFormat(format)
  return (text, scale, line, column) => {
    const trimmed = text.trim()
    if (trimmed === '') return null
    const { body, negative } = splitSign(trimmed, format.negativeStyle, line, column, place)
    const m = number.exec(body)
    if (!m) {
      throw statementError(
        place(line, column),
        `"${quote(trimmed)}" is not an amount written like ${example} (thousands only in groups of three) — check the row, or the mapping's separators.`,
      )
    }
    const digits = m[1]!.length > 3 && group !== null ? m[1]!.replace(/\D/g, '') : m[1]!
    const decimal = m[2] === undefined ? digits : `${digits}.${m[2]}`
    let minor: bigint
    try {
      minor = decimalToMinor(decimal, scale, '')
    } catch {
      minor = decimalToMinor(decimal, scale, place(line, column)) // throws again, saying where
    }
    return negative ? -minor : minor
  }
}

/** Takes the sign off: a leading "-" or "+" always, and the mapping's own style ("12.50-", "(12.50)"). */
function splitSign(
  text: string,
  style: AmountFormat['negativeStyle'],
  line: number,
  column: number,
  place: CellPlace,
): { body: string; negative: boolean } {
  let body = text
  let negative = false
  const first = body.charCodeAt(0)
  if (first === 0x2d /* - */ || first === 0x2b /* + */) {
    negative = first === 0x2d
    body = body.slice(1)
  }
  const trailing = style === 'trailingMinus' && body.endsWith('-')
  const parenthesised = style === 'parentheses' && body.startsWith('(') && body.endsWith(')')
  if (trailing || parenthesised) {
    if (body !== text) throw statementError(place(line, column), `"${quote(text)}" carries two signs — write it once.`)
    negative = true
    body = trailing ? body.slice(0, -1) : body.slice(1, -1)
  }
  return { body, negative }
}

function quote(text: string): string {
  return text.length > CELL_QUOTE_CHARS_MAX ? `${text.slice(0, CELL_QUOTE_CHARS_MAX)}…` : text
}
