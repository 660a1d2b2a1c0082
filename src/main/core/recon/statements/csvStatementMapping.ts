/**
 * A bank's CSV layout, saved once per bank and checked by this schema before it is saved or used:
 * which column holds what (by header name or 1-based number), how its dates and amounts are
 * written, and the account the file is a statement of. Every rule a person can get wrong has a
 * message that reads after the field's path ("columns.amount map either …").
 */
import { z } from 'zod'
import {
  CSV_DATE_FORMATS,
  CSV_DECIMAL_SEPARATORS,
  CSV_DELIMITERS,
  CSV_NEGATIVE_STYLES,
  CSV_ROW_ORDERS,
  CSV_THOUSANDS_SEPARATORS,
  type CsvColumnField,
} from '../../../../shared/csvMappingOptions'
import { currencyScale, decimalToMinor } from './statementModel'

// The choices live in the contract, so the Reconciliation view's mapping editor offers the same.
export { CSV_DATE_FORMATS, CSV_DECIMAL_SEPARATORS, CSV_DELIMITERS, CSV_NEGATIVE_STYLES, CSV_ROW_ORDERS, CSV_THOUSANDS_SEPARATORS }

const MAPPING_NAME_CHARS_MAX = 100
const COLUMN_NAME_CHARS_MAX = 200
/** Columns a statement CSV may have; a number above is a typo. */
const COLUMN_NUMBER_MAX = 1_000
/** Lines before the data (preamble + header); banks write a handful. */
const HEADER_ROWS_MAX = 100
const ACCOUNT_ID_CHARS_MAX = 70
const OPENING_BALANCE_RE = /^-?\d+(?:\.\d+)?$/

const COLUMN_REF_MESSAGE = `must be the column's header name, or its number counted from 1 (at most ${COLUMN_NUMBER_MAX})`
const ColumnRef = z.union(
  [
    z
      .string()
      .trim()
      .min(1, COLUMN_REF_MESSAGE)
      .max(COLUMN_NAME_CHARS_MAX, `must be a header name of at most ${COLUMN_NAME_CHARS_MAX} characters`),
    z.number().int(COLUMN_REF_MESSAGE).min(1, COLUMN_REF_MESSAGE).max(COLUMN_NUMBER_MAX, COLUMN_REF_MESSAGE),
  ],
  { error: COLUMN_REF_MESSAGE },
)

const Columns = z
  .object({
    date: ColumnRef,
    valueDate: ColumnRef.optional(),
    /** One signed amount column … */
    amount: ColumnRef.optional(),
    /** … or two: money out and money in (a debit is money out even when written without a sign). */
    debit: ColumnRef.optional(),
    credit: ColumnRef.optional(),
    /** Per-row currency; empty cells and a missing column mean the account's currency. */
    currency: ColumnRef.optional(),
    reference: ColumnRef.optional(),
    endToEndId: ColumnRef.optional(),
    counterpartyName: ColumnRef.optional(),
    counterpartyAccount: ColumnRef.optional(),
    description: ColumnRef.optional(),
    /** The running balance after each row, checked row by row. */
    balance: ColumnRef.optional(),
  })
  .strict()

// Compile-time: the mapping editor's column list (CSV_COLUMN_FIELDS) names exactly these columns.
type ColumnsCovered = [Exclude<CsvColumnField, keyof z.infer<typeof Columns>>, Exclude<keyof z.infer<typeof Columns>, CsvColumnField>]
const _columnsCovered: ColumnsCovered extends [never, never] ? true : never = true

const MappingObject = z
  .object({
    name: z.string().trim().min(1, 'must name the bank (the layout is saved under it)').max(MAPPING_NAME_CHARS_MAX),
    delimiter: z.enum(CSV_DELIMITERS, { error: 'must be one of "," ";" "|" or a tab' }),
    headerRows: z.number().int().min(0).max(HEADER_ROWS_MAX).default(1),
    columns: Columns,
    dateFormat: z.enum(CSV_DATE_FORMATS, { error: `must be one of ${CSV_DATE_FORMATS.join(', ')}` }),
    decimalSeparator: z.enum(CSV_DECIMAL_SEPARATORS, { error: 'must be "." or ","' }),
    thousandsSeparator: z.enum(CSV_THOUSANDS_SEPARATORS, { error: `must be one of "none" "," "." " " "'"` }).default('none'),
    negativeStyle: z.enum(CSV_NEGATIVE_STYLES, { error: `must be one of ${CSV_NEGATIVE_STYLES.join(', ')}` }).default('leadingMinus'),
    rowOrder: z.enum(CSV_ROW_ORDERS, { error: 'must be oldestFirst or newestFirst' }).default('oldestFirst'),
    account: z
      .object({
        id: z.string().trim().min(1, 'must be the account number or IBAN the file is a statement of').max(ACCOUNT_ID_CHARS_MAX),
        currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code in capitals, such as EUR'),
      })
      .strict(),
    /** The balance before the first row, when the bank prints it above the table (written -1234.56). */
    openingBalance: z
      .string()
      .regex(OPENING_BALANCE_RE, 'must be a decimal such as -1234.56 ("." before the decimals, no separators)')
      .optional(),
  })
  .strict()

export const CsvStatementMapping = MappingObject.superRefine((mapping, ctx) => {
  for (const issue of mappingIssues(mapping)) ctx.addIssue({ code: 'custom', ...issue })
})

export type CsvStatementMapping = z.infer<typeof CsvStatementMapping>
/** A mapping as written (defaults not yet filled in). */
export type CsvStatementMappingInput = z.input<typeof CsvStatementMapping>

type MappingShape = z.infer<typeof MappingObject>
type ColumnField = keyof MappingShape['columns']
const MONEY_COLUMNS: readonly ColumnField[] = ['amount', 'debit', 'credit', 'balance']

/** The rules between fields, each an issue with the path of the field to fix. */
function mappingIssues(m: MappingShape): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = []
  const c = m.columns
  if (c.amount !== undefined && (c.debit !== undefined || c.credit !== undefined)) {
    issues.push({ path: ['columns', 'amount'], message: 'map either one signed amount column or a debit and a credit column, not both' })
  } else if (c.amount === undefined && (c.debit === undefined || c.credit === undefined)) {
    const missing = c.debit === undefined && c.credit === undefined ? 'amount' : c.debit === undefined ? 'debit' : 'credit'
    issues.push({ path: ['columns', missing], message: 'is missing: map one signed amount column, or both a debit and a credit column' })
  }
  if (m.thousandsSeparator === m.decimalSeparator) {
    issues.push({ path: ['thousandsSeparator'], message: `must differ from the decimal separator "${m.decimalSeparator}"` })
  }
  if (m.headerRows === 0) {
    for (const [field, ref] of Object.entries(c)) {
      if (typeof ref === 'string')
        issues.push({
          path: ['columns', field],
          message: 'must be a column number: with headerRows 0 the file has no header to find names in',
        })
    }
  }
  issues.push(...sameColumnIssues(c), ...currencyIssues(m))
  return issues
}

/** Two money columns on one column is always a mistake (amount and balance both on "Betrag"). */
function sameColumnIssues(columns: MappingShape['columns']): { path: (string | number)[]; message: string }[] {
  const seen = new Map<string, ColumnField>()
  const issues: { path: (string | number)[]; message: string }[] = []
  for (const field of MONEY_COLUMNS) {
    const ref = columns[field]
    if (ref === undefined) continue
    const key = typeof ref === 'number' ? `#${ref}` : ref.trim().toLowerCase()
    const other = seen.get(key)
    if (other) issues.push({ path: ['columns', field], message: `points at the same column as ${other} (${JSON.stringify(ref)})` })
    else seen.set(key, field)
  }
  return issues
}

function currencyIssues(m: MappingShape): { path: (string | number)[]; message: string }[] {
  let scale: number
  try {
    scale = currencyScale(m.account.currency, 'mapping')
  } catch {
    return [{ path: ['account', 'currency'], message: `is not an ISO 4217 currency code ("${m.account.currency}")` }]
  }
  if (m.openingBalance === undefined) return []
  const digits = m.openingBalance.startsWith('-') ? m.openingBalance.slice(1) : m.openingBalance
  try {
    decimalToMinor(digits, scale, 'mapping')
    return []
  } catch {
    return [{ path: ['openingBalance'], message: `has more decimals than ${m.account.currency} has (${scale}), or is too large` }]
  }
}

/**
 * Two real layouts, as a person would save them: a US bank's checking export (MM/DD/YYYY, "."
 * decimals, "," thousands, separate Debit and Credit columns, newest row first, running balance)
 * and a German bank's "Umsätze" export (";" delimited, four preamble lines, DD.MM.YYYY, ","
 * decimals, "." thousands, one signed amount column, a currency column and a running balance).
 */
export const CSV_MAPPING_EXAMPLES: Readonly<Record<'usBank' | 'germanBank', CsvStatementMapping>> = {
  usBank: {
    name: 'US bank — checking account export',
    delimiter: ',',
    headerRows: 1,
    columns: {
      date: 'Posting Date',
      valueDate: 'Effective Date',
      description: 'Description',
      reference: 'Reference Number',
      counterpartyName: 'Payee',
      debit: 'Debit',
      credit: 'Credit',
      balance: 'Running Balance',
    },
    dateFormat: 'MM/DD/YYYY',
    decimalSeparator: '.',
    thousandsSeparator: ',',
    negativeStyle: 'leadingMinus',
    rowOrder: 'newestFirst',
    account: { id: '000123456789', currency: 'USD' },
  },
  germanBank: {
    name: 'German bank — Umsätze (CSV)',
    delimiter: ';',
    headerRows: 5,
    columns: {
      date: 'Buchungstag',
      valueDate: 'Valuta',
      counterpartyName: 'Auftraggeber / Empfänger',
      counterpartyAccount: 'IBAN',
      description: 'Verwendungszweck',
      endToEndId: 'Kundenreferenz (End-to-End)',
      reference: 'Bankreferenz',
      amount: 'Betrag',
      currency: 'Währung',
      balance: 'Saldo',
    },
    dateFormat: 'DD.MM.YYYY',
    decimalSeparator: ',',
    thousandsSeparator: '.',
    negativeStyle: 'leadingMinus',
    rowOrder: 'oldestFirst',
    account: { id: 'DE89370400440532013000', currency: 'EUR' },
  },
}
