import { Anchor, Text } from '@mantine/core'
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { useElementSize } from '@mantine/hooks'
import { useMemo } from 'react'
import { AUDIT_SYSTEM_ACTOR, type AuditRow } from '../../../../shared/workspaceApi'
import { VirtualTable } from '../../components/VirtualTable'
import { changeDetail, formatTimestamp, shortHash, summarizeChange } from '../../lib/format'
import { useSession } from '../session/store'
import { actorLabel } from './auditWords'

const ROW_HEIGHT_PX = 38
/**
 * Widths below which the table drops its Hash, then its Change column, rather than scroll
 * sideways (1024 px windows): the detail pane shows both whole. The minimum widths of the columns
 * kept, summed (see their meta below).
 */
const FRAME_BORDER_PX = 2
const WITH_CHANGE_MIN_PX = 64 + 172 + 120 + 170 + 180 + 220 + FRAME_BORDER_PX
const WITH_HASH_MIN_PX = WITH_CHANGE_MIN_PX + 110

const col = createColumnHelper<AuditRow>()

/**
 * `brokenSeq`: the first row that failed verification; it is marked red, and the rows after it
 * (which can no longer be trusted) amber.
 */
export function AuditTable({
  rows,
  brokenSeq,
  onEndReached,
  onOpen,
  resetKey,
}: {
  rows: AuditRow[]
  brokenSeq: number | null
  onEndReached?: (() => void) | undefined
  /** Show the row whole (the detail pane). */
  onOpen: (row: AuditRow) => void
  /** Scroll back to the top when this changes (a new filter). */
  resetKey?: unknown
}) {
  const { ref, width } = useElementSize()
  const operators = useSession((s) => s.operators)
  const names = useMemo(() => new Map(operators.map((o) => [o.id, o.name])), [operators])

  const columns = useMemo(
    () => [
      col.accessor('seq', {
        header: 'Seq',
        cell: (c) => (
          <Anchor
            component="button"
            type="button"
            ff="monospace"
            fz={13}
            onClick={() => onOpen(c.row.original)}
            title={`Show audit row ${c.getValue()} whole`}
            data-testid="audit-open"
          >
            {c.getValue()}
          </Anchor>
        ),
        meta: { track: '64px', minWidthPx: 64, align: 'right', mono: true },
      }),
      col.accessor('at', {
        header: 'Time',
        cell: (c) => formatTimestamp(c.getValue()),
        meta: { track: '172px', minWidthPx: 172, mono: true },
      }),
      col.accessor('actor', {
        header: 'Actor',
        cell: (c) => {
          const known = names.has(c.getValue()) || c.getValue() === AUDIT_SYSTEM_ACTOR
          return known ? (
            <span title={c.getValue()}>{actorLabel(c.getValue(), names)}</span>
          ) : (
            <Text span size="sm" c="dimmed" ff="monospace">
              {c.getValue()}
            </Text>
          )
        },
        meta: { track: 'minmax(120px, 1fr)', minWidthPx: 120, cellTestId: 'audit-actor' },
      }),
      col.accessor('action', {
        header: 'Action',
        cell: (c) => (
          <Text span size="xs" ff="monospace" fw={600} title={c.getValue()}>
            {c.getValue()}
          </Text>
        ),
        meta: { track: 'minmax(170px, 1.2fr)', minWidthPx: 170 },
      }),
      col.accessor('subject', {
        header: 'Subject',
        cell: (c) => <span title={c.getValue()}>{c.getValue()}</span>,
        meta: { track: 'minmax(180px, 1.6fr)', minWidthPx: 180 },
      }),
      col.accessor((r) => summarizeChange(r.change), {
        id: 'change',
        header: 'Change',
        cell: (c) => (
          <Text span size="xs" ff="monospace" c="dimmed">
            {c.getValue()}
          </Text>
        ),
        meta: { track: 'minmax(220px, 2fr)', minWidthPx: 220 },
      }),
      col.accessor('hash', {
        header: 'Hash',
        cell: (c) => <span title={c.getValue()}>{shortHash(c.getValue())}</span>,
        meta: { track: '110px', minWidthPx: 110, mono: true },
      }),
    ],
    [names, onOpen],
  )

  // Sorted by seq by the core (newest first); re-sorting a paged log would mislead.
  const table = useReactTable({
    data: rows,
    columns,
    enableSorting: false,
    // Before the first measure (width 0) every column shows, as it did.
    state: { columnVisibility: width === 0 ? {} : { change: width >= WITH_CHANGE_MIN_PX, hash: width >= WITH_HASH_MIN_PX } },
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.seq),
  })

  return (
    <div ref={ref} data-testid="audit-table-frame">
      <VirtualTable
        table={table}
        rowHeightPx={ROW_HEIGHT_PX}
        maxHeight="max(320px, calc(100vh - 400px))"
        testId="audit-table"
        emptyText="The audit log is empty."
        getRowTestId={(r) => `audit-row-${r.original.seq}`}
        getRowTitle={(r) => changeDetail(r.original.change)}
        getRowTone={(r) =>
          brokenSeq === null ? undefined : r.original.seq === brokenSeq ? 'danger' : r.original.seq > brokenSeq ? 'warning' : undefined
        }
        onEndReached={onEndReached}
        resetKey={resetKey}
      />
    </div>
  )
}
