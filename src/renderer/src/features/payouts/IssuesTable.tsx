/**
 * The problems of an imported file as a table: row, column and the problem as the importer words
 * it without its place (`problem`), so nothing is cut off a sentence here. The sentence wraps and
 * the row grows to hold it (rows are measured as they scroll into view: a file of 10,000 problems
 * renders only the few dozen in sight).
 */
import { Text } from '@mantine/core'
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { useMemo } from 'react'
import { ROW_WARNING_CODES, type ImportRowIssue } from '../../../../shared/payoutImport'
import { VirtualTable } from '../../components/VirtualTable'

/** A one-line row; a longer sentence makes its row taller. */
const ROW_HEIGHT_PX = 40
const WARNING_CODES: ReadonlySet<string> = new Set(ROW_WARNING_CODES)

const col = createColumnHelper<ImportRowIssue>()

/** The sentence without its "Row 3, amount: " place, as the importer hands it: the row and column have their own cells. */
export function problemText(issue: ImportRowIssue): string {
  return issue.problem
}

/** ROW / COLUMN / PROBLEM — one line per problem of an imported file (virtualized: a file may have thousands). */
export function IssuesTable({ issues, testId }: { issues: ImportRowIssue[]; testId: string }) {
  const columns = useMemo(
    () => [
      col.accessor('row', {
        header: 'Row',
        cell: (c) => c.getValue() ?? 'file',
        meta: { track: '72px', minWidthPx: 72, align: 'right', mono: true, cellTestId: 'issue-row' },
      }),
      col.accessor('column', {
        header: 'Column',
        cell: (c) => c.getValue() ?? '—',
        meta: { track: '130px', minWidthPx: 130, mono: true, cellTestId: 'issue-column' },
      }),
      col.accessor((i) => problemText(i), {
        id: 'problem',
        header: 'Problem',
        cell: (c) => (
          <Text span size="sm">
            {c.getValue()}{' '}
            <Text span size="xs" c="dimmed" ff="monospace">
              {c.row.original.code}
            </Text>
          </Text>
        ),
        meta: { track: 'minmax(360px, 1fr)', minWidthPx: 360, cellTestId: 'issue-problem', wrap: true },
      }),
    ],
    [],
  )
  const table = useReactTable({
    data: issues,
    columns,
    enableSorting: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r, i) => `${i}`,
  })
  return (
    <VirtualTable
      table={table}
      rowHeightPx={ROW_HEIGHT_PX}
      measureRows
      maxHeight={420}
      testId={testId}
      emptyText="No problems."
      getRowTestId={() => `${testId}-row`}
      getRowTone={(r) => (WARNING_CODES.has(r.original.code) ? 'warning' : undefined)}
    />
  )
}
