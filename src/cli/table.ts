/**
 * Aligned plain-text tables: left-aligned text, right-aligned amounts and counts. Each cell is
 * escaped (safeOutput.ts) before the columns are measured, so stored control, bidi or line-break
 * characters neither act on the terminal nor shift the columns or rows.
 */
import { escapeUnsafe } from './safeOutput'

export interface Column {
  header: string
  align?: 'left' | 'right'
}

/** Gap between columns. */
const COLUMN_GAP = '  '

function width(text: string): number {
  // Code points, not UTF-16 units: "é" and "€" take one column.
  return [...text].length
}

function pad(text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)))
  return align === 'right' ? fill + text : text + fill
}

/**
 * Render rows under headers. `bold` emphasises the header line on a terminal. The last column is
 * not padded when left-aligned, so lines carry no trailing spaces.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  bold: (s: string) => string = (s) => s,
): string {
  const safeRows = rows.map((r) => r.map((text) => escapeUnsafe(text, { multiline: false })))
  const widths = columns.map((c, i) => Math.max(width(c.header), ...safeRows.map((r) => width(r[i] ?? ''))))
  const renderLine = (cells: readonly string[]): string =>
    columns
      .map((c, i) => {
        const align = c.align ?? 'left'
        const last = i === columns.length - 1
        return last && align === 'left' ? (cells[i] ?? '') : pad(cells[i] ?? '', widths[i]!, align)
      })
      .join(COLUMN_GAP)
      .replace(/\s+$/, '')
  const header = bold(renderLine(columns.map((c) => c.header)))
  return [header, ...safeRows.map(renderLine)].join('\n')
}
