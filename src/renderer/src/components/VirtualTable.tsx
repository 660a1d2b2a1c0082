/**
 * A TanStack Table rendered with TanStack Virtual: only the rows in view are in the DOM, so a
 * table of 100,000 audit rows scrolls as fast as one of ten. A CSS grid keeps header and rows
 * aligned; columns say their track and minimum width in `meta`.
 */
import { flexRender, type Row, type RowData, type Table } from '@tanstack/react-table'
import { useVirtualizer } from '@tanstack/react-virtual'
import { Text, UnstyledButton } from '@mantine/core'
import { IconArrowDown, IconArrowUp, IconArrowsSort } from '@tabler/icons-react'
import { useEffect, useRef } from 'react'
import classes from './VirtualTable.module.css'

declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** CSS grid track, e.g. "minmax(120px, 1fr)" or "90px". */
    track?: string
    /** Smallest width in px the column may get (for horizontal scrolling). */
    minWidthPx?: number
    align?: 'left' | 'right'
    /** Monospace, never truncated: amounts and hashes. */
    mono?: boolean
    /** Extra class on every cell of the column. */
    cellTestId?: string
    /** Stays in view at the right edge when the table scrolls sideways (row actions). */
    stickyRight?: boolean
    /** Whole text, wrapped over as many lines as it needs (needs `measureRows` on the table). */
    wrap?: boolean
  }
}

const COLUMN_MIN_WIDTH_PX_DEFAULT = 100
/** Rows rendered beyond the visible ones, for smooth scrolling. */
const OVERSCAN_ROWS = 12

export interface VirtualTableProps<T> {
  table: Table<T>
  /** A row's height, or its smallest height with `measureRows`. */
  rowHeightPx: number
  /**
   * Rows grow to fit wrapped cells: each rendered row is measured once it is in the DOM (only the
   * rows in view are, so 10,000 rows stay fast); rows not yet seen are estimated at rowHeightPx.
   */
  measureRows?: boolean
  /** Height of the scroll area; the table never grows past it. */
  maxHeight: number | string
  testId: string
  emptyText: string
  getRowTestId?: (row: Row<T>) => string
  getRowTitle?: (row: Row<T>) => string | undefined
  /** Highlight a row: 'danger' (red) or 'warning' (amber). */
  getRowTone?: (row: Row<T>) => 'danger' | 'warning' | undefined
  /** Called when the last row scrolls into view (for paging). */
  onEndReached?: () => void
  /** Reset scroll to the top when this changes (e.g. a new filter). */
  resetKey?: unknown
}

export function VirtualTable<T>({
  table,
  rowHeightPx,
  measureRows = false,
  maxHeight,
  testId,
  emptyText,
  getRowTestId,
  getRowTitle,
  getRowTone,
  onEndReached,
  resetKey,
}: VirtualTableProps<T>) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const rows = table.getRowModel().rows
  const columns = table.getVisibleLeafColumns()
  const template = columns.map((c) => c.columnDef.meta?.track ?? 'minmax(0, 1fr)').join(' ')
  const minWidthPx = columns.reduce((sum, c) => sum + (c.columnDef.meta?.minWidthPx ?? COLUMN_MIN_WIDTH_PX_DEFAULT), 0)

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeightPx,
    overscan: OVERSCAN_ROWS,
  })
  const items = virtualizer.getVirtualItems()
  const lastIndex = items.at(-1)?.index ?? -1

  useEffect(() => {
    if (onEndReached && rows.length > 0 && lastIndex >= rows.length - 1) onEndReached()
  }, [lastIndex, rows.length, onEndReached])

  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 })
  }, [resetKey])

  return (
    <div className={classes.frame} data-testid={testId} role="table" aria-rowcount={rows.length}>
      <div ref={scrollRef} className={classes.scroll} style={{ maxHeight }}>
        <div className={classes.inner} style={{ minWidth: minWidthPx }}>
          <div className={classes.head} role="row" style={{ gridTemplateColumns: template }}>
            {table.getFlatHeaders().map((header) => {
              const meta = header.column.columnDef.meta
              const sortable = header.column.getCanSort()
              const sorted = header.column.getIsSorted()
              const label = header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())
              return (
                <div
                  key={header.id}
                  role="columnheader"
                  aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  className={classes.headCell}
                  data-sticky={header.column.columnDef.meta?.stickyRight ? 'right' : undefined}
                  data-align={meta?.align ?? 'left'}
                >
                  {sortable ? (
                    <UnstyledButton
                      className={classes.sortButton}
                      onClick={header.column.getToggleSortingHandler()}
                      data-align={meta?.align ?? 'left'}
                    >
                      <span>{label}</span>
                      {sorted === 'asc' ? (
                        <IconArrowUp size={13} />
                      ) : sorted === 'desc' ? (
                        <IconArrowDown size={13} />
                      ) : (
                        <IconArrowsSort size={13} opacity={0.4} />
                      )}
                    </UnstyledButton>
                  ) : (
                    label
                  )}
                </div>
              )
            })}
          </div>
          {rows.length === 0 ? (
            <Text className={classes.empty} c="dimmed" size="sm" data-testid={`${testId}-empty`}>
              {emptyText}
            </Text>
          ) : (
            <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const row = rows[item.index]!
                return (
                  <div
                    key={row.id}
                    ref={measureRows ? virtualizer.measureElement : undefined}
                    data-index={item.index}
                    role="row"
                    aria-rowindex={item.index + 1}
                    className={classes.row}
                    data-testid={getRowTestId?.(row)}
                    data-odd={item.index % 2 === 1 || undefined}
                    data-tone={getRowTone?.(row)}
                    title={getRowTitle?.(row)}
                    style={{
                      gridTemplateColumns: template,
                      ...(measureRows ? { minHeight: rowHeightPx } : { height: rowHeightPx }),
                      transform: `translateY(${item.start}px)`,
                    }}
                  >
                    {row.getVisibleCells().map((cell) => {
                      const meta = cell.column.columnDef.meta
                      return (
                        <div
                          key={cell.id}
                          role="cell"
                          className={meta?.wrap ? classes.wrapCell : meta?.mono ? classes.monoCell : classes.cell}
                          data-align={meta?.align ?? 'left'}
                          data-sticky={meta?.stickyRight ? 'right' : undefined}
                          data-testid={meta?.cellTestId}
                        >
                          {flexRender(cell.column.columnDef.cell, cell.getContext())}
                        </div>
                      )
                    })}
                  </div>
                )
              })}
            </div>
          )}
        </div>
      </div>
    </div>
  )
}
