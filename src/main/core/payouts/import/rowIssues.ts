/**
 * Building and ordering the problems an import finds. Every message is a whole sentence that
 * starts with where it is ("Row 14, amount: …") so it reads on its own in a list, a log or a
 * toast; `row` and `column` carry the same place for the UI's cell highlighting.
 */
import { importIssuesMax, type RowIssue, type RowIssueCode, type RowWarning, type RowWarningCode } from '../../../../shared/payoutImport'

/** Column order used to sort problems inside one row: the order of the Countersign layout. */
const COLUMN_ORDER: readonly string[] = [
  'id',
  'token_type',
  'rail',
  'network',
  'token_address',
  'asset',
  'receiver',
  'recipient',
  'amount',
  'memo',
  'reference',
  'name',
]
/** Columns the layouts do not know (an unknown header name) sort after the known ones. */
const UNKNOWN_COLUMN_ORDER = COLUMN_ORDER.length

export function placeOf(row: number | null, column: string | null): string {
  if (row === null) return ''
  return column === null ? `Row ${row}: ` : `Row ${row}, ${column}: `
}

export function rowIssue(row: number | null, column: string | null, code: RowIssueCode, sentence: string): RowIssue {
  return { row, column, code, message: placeOf(row, column) + sentence }
}

export function rowWarning(row: number | null, column: string | null, code: RowWarningCode, sentence: string): RowWarning {
  return { row, column, code, message: placeOf(row, column) + sentence }
}

function columnRank(column: string | null): number {
  if (column === null) return -1
  const i = COLUMN_ORDER.indexOf(column)
  return i === -1 ? UNKNOWN_COLUMN_ORDER : i
}

/**
 * Order by row (whole-file problems first), then by column in layout order; stable otherwise.
 * Cut at `importIssuesMax` with one closing line that says how many were left out, so a file of
 * 100,000 garbage rows cannot produce a list too large to send to the window.
 */
export function sortAndCap<T extends RowIssue | RowWarning>(list: T[], makeTruncated: (left: number) => T): T[] {
  const sorted = list
    .map((item, i) => ({ item, i }))
    .sort((a, b) => {
      const ra = a.item.row ?? 0
      const rb = b.item.row ?? 0
      if (ra !== rb) return ra - rb
      const ca = columnRank(a.item.column)
      const cb = columnRank(b.item.column)
      if (ca !== cb) return ca - cb
      if (ca === UNKNOWN_COLUMN_ORDER && a.item.column !== b.item.column) return (a.item.column ?? '') < (b.item.column ?? '') ? -1 : 1
      return a.i - b.i
    })
    .map((x) => x.item)
  if (sorted.length <= importIssuesMax) return sorted
  const kept = sorted.slice(0, importIssuesMax - 1)
  kept.push(makeTruncated(sorted.length - kept.length))
  return kept
}

export function sortIssues(issues: RowIssue[]): RowIssue[] {
  return sortAndCap(issues, (left) =>
    rowIssue(null, null, 'ISSUES_TRUNCATED', `${left} more problems are not listed — fix the ones above and import the file again.`),
  )
}

export function sortWarnings(warnings: RowWarning[]): RowWarning[] {
  return sortAndCap(warnings, (left) => rowWarning(null, null, 'WARNINGS_TRUNCATED', `${left} more warnings are not listed.`))
}
