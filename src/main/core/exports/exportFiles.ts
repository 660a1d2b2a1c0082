/**
 * The files an export is made of, before they are hashed, returned or written: a name, a type,
 * the text, its data rows, and the first rows for the preview. `tableFile` turns one list of
 * records into CSV (through the shared safe writer, src/shared/csvSafety.ts) or JSON, from one
 * column list, so the two formats can never disagree on what a row holds.
 */
import { csvNumber, toCsv, type CsvCell } from '../../../shared/csvSafety'
import type { ExportFormat } from '../../../shared/exportsApi'
import { EXPORT_PREVIEW_ROWS_MAX } from '../../../shared/limits'

export const CSV_MIME = 'text/csv'
export const JSON_MIME = 'application/json'
export const JSON_LINES_MIME = 'application/x-ndjson'

export interface BuiltFile {
  name: string
  mime: string
  text: string
  /** Data rows (not the header). */
  rows: number
  /** For the preview: the columns and the first rows as they read. */
  columns: string[]
  sample: string[][]
}

/** A value of an exported record: text, an amount (decimal string), a count, or nothing. */
export type ExportValue = string | number | null
export type ExportRecord = Readonly<Record<string, ExportValue>>

export interface ExportColumn {
  /** The JSON key. */
  key: string
  /** The CSV header. */
  header: string
  /** An amount we formatted from minor units: a number cell in CSV (signed, never neutralised). */
  amount?: boolean
}

function cellOf(column: ExportColumn, value: ExportValue): CsvCell {
  if (value === null || value === '') return null
  if (column.amount === true) return csvNumber(String(value))
  return String(value)
}

/** The first rows as a person reads them (amounts as decimal strings, nothing neutralised). */
export function sampleOf(columns: readonly ExportColumn[], records: readonly ExportRecord[]): string[][] {
  return records.slice(0, EXPORT_PREVIEW_ROWS_MAX).map((r) => columns.map((c) => (r[c.key] === null ? '' : String(r[c.key]))))
}

/** JSON a person can also read: the header fields, then one record per line. */
function jsonText(header: Readonly<Record<string, unknown>>, records: readonly ExportRecord[]): string {
  const head = JSON.stringify(header).slice(0, -1)
  if (records.length === 0) return `${head},"rows":[]}\n`
  return `${head},"rows":[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`
}

/** One list of records as a CSV or a JSON file (JSON: `header` fields, then `rows`). */
export function tableFile(
  base: string,
  format: ExportFormat,
  columns: readonly ExportColumn[],
  records: readonly ExportRecord[],
  header: Readonly<Record<string, unknown>>,
): BuiltFile {
  const common = {
    rows: records.length,
    columns: columns.map((c) => (format === 'csv' ? c.header : c.key)),
    sample: sampleOf(columns, records),
  }
  if (format === 'json') {
    // Only the declared keys, in column order, so a record never carries more than the CSV would.
    const ordered = records.map((r) => Object.fromEntries(columns.map((c) => [c.key, r[c.key] ?? null])))
    return { name: `${base}.json`, mime: JSON_MIME, text: jsonText(header, ordered), ...common }
  }
  const rows = records.map((r) => columns.map((c) => cellOf(c, r[c.key] ?? null)))
  return {
    name: `${base}.csv`,
    mime: CSV_MIME,
    text: toCsv(
      columns.map((c) => c.header),
      rows,
    ),
    ...common,
  }
}

/** A piece of a file name from an id ("USDC@evm:8453" -> "USDC-evm-8453"): letters, digits, "." and "-" only. */
export function fileSlug(id: string): string {
  const slug = id
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
  return slug === '' ? 'x' : slug
}

/** The export's date range in a file name: "2026-03-01_2026-03-31", "from-2026-03-01", "all". */
export function rangeSlug(from: string | null, to: string | null): string {
  if (from !== null && to !== null) return `${from}_${to}`
  if (from !== null) return `from-${from}`
  if (to !== null) return `to-${to}`
  return 'all'
}
