/**
 * Building and ordering the problems an import finds. Every message is a whole sentence that
 * starts with where it is ("Row 14, amount: …") so it reads on its own in a list, a log or a
 * toast; `row` and `column` carry the same place for the UI's cell highlighting.
 */
import { IMPORT_ISSUES_MAX } from '../../../../shared/limits'
import type { RowIssue, RowIssueCode, RowWarning, RowWarningCode } from '../../../../shared/payoutImport'

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

/** `problem` is the sentence without its place, for a view that shows row and column in cells of their own. */
export function rowIssue(row: number | null, column: string | null, code: RowIssueCode, sentence: string): RowIssue {
  return { row, column, code, message: placeOf(row, column) + sentence, problem: sentence }
}

export function rowWarning(row: number | null, column: string | null, code: RowWarningCode, sentence: string): RowWarning {
  return { row, column, code, message: placeOf(row, column) + sentence, problem: sentence }
}

const COLUMN_RANK: ReadonlyMap<string, number> = new Map(COLUMN_ORDER.map((column, i) => [column, i]))

function columnRank(column: string | null): number {
  if (column === null) return -1
  return COLUMN_RANK.get(column) ?? UNKNOWN_COLUMN_ORDER
}

interface Ranked<T> {
  item: T
  /** Position in the list as given: ties keep it. */
  i: number
  row: number
  rank: number
}

/**
 * Order by row (whole-file problems first), then by column in layout order; stable otherwise.
 * Cut at `IMPORT_ISSUES_MAX` with one closing line that says how many were left out, so a file of
 * 100,000 garbage rows cannot produce a list too large to send to the window.
 */
export function sortAndCap<T extends RowIssue | RowWarning>(list: T[], makeTruncated: (left: number) => T): T[] {
  // Row and rank are worked out once per item, not once per comparison (a list may hold 100,000).
  const ranked: Ranked<T>[] = new Array(list.length)
  for (let i = 0; i < list.length; i++) ranked[i] = { item: list[i]!, i, row: list[i]!.row ?? 0, rank: columnRank(list[i]!.column) }
  ranked.sort((a, b) => {
    if (a.row !== b.row) return a.row - b.row
    if (a.rank !== b.rank) return a.rank - b.rank
    if (a.rank === UNKNOWN_COLUMN_ORDER && a.item.column !== b.item.column) return (a.item.column ?? '') < (b.item.column ?? '') ? -1 : 1
    return a.i - b.i
  })
  const sorted = ranked.map((x) => x.item)
  if (sorted.length <= IMPORT_ISSUES_MAX) return sorted
  const kept = sorted.slice(0, IMPORT_ISSUES_MAX - 1)
  kept.push(makeTruncated(sorted.length - kept.length))
  return kept
}

function truncatedIssue(left: number): RowIssue {
  return rowIssue(null, null, 'ISSUES_TRUNCATED', `${left} more problems are not listed — fix the ones above and import the file again.`)
}

function truncatedWarning(left: number): RowWarning {
  return rowWarning(null, null, 'WARNINGS_TRUNCATED', `${left} more warnings are not listed.`)
}

/** A list already sorted and cut to IMPORT_ISSUES_MAX - 1, with the closing line sortWarnings adds for `left` more. */
export function truncatedWarnings(listed: RowWarning[], left: number): RowWarning[] {
  listed.push(truncatedWarning(left))
  return listed
}

export function sortIssues(issues: RowIssue[]): RowIssue[] {
  return sortAndCap(issues, truncatedIssue)
}

export function sortWarnings(warnings: RowWarning[]): RowWarning[] {
  return sortAndCap(warnings, truncatedWarning)
}
