/**
 * The choices a saved CSV column mapping is made of (issue 15): the core's schema
 * (src/main/core/recon/statements/csvStatementMapping.ts) checks a mapping against them, and the
 * Reconciliation view's mapping editor offers exactly these — one list, read by both.
 */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const
export const CSV_DATE_FORMATS = ['YYYY-MM-DD', 'DD.MM.YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY', 'YYYYMMDD'] as const
export const CSV_DECIMAL_SEPARATORS = ['.', ','] as const
/** 'none', or the character between groups of three digits (' ' also matches the no-break spaces). */
export const CSV_THOUSANDS_SEPARATORS = ['none', ',', '.', ' ', "'"] as const
/** How a negative amount is written: -12.50, 12.50-, (12.50). */
export const CSV_NEGATIVE_STYLES = ['leadingMinus', 'trailingMinus', 'parentheses'] as const
/** Many banks export newest first; the running-balance check reads the rows in the file's order. */
export const CSV_ROW_ORDERS = ['oldestFirst', 'newestFirst'] as const
/** The columns a mapping may name, in the order a person fills them in. */
export const CSV_COLUMN_FIELDS = [
  'date',
  'valueDate',
  'amount',
  'debit',
  'credit',
  'currency',
  'reference',
  'endToEndId',
  'counterpartyName',
  'counterpartyAccount',
  'description',
  'balance',
] as const
export type CsvColumnField = (typeof CSV_COLUMN_FIELDS)[number]
