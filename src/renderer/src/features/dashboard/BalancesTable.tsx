import { Badge, Group, Text } from '@mantine/core'
import { createColumnHelper, getCoreRowModel, getSortedRowModel, useReactTable, type SortingState } from '@tanstack/react-table'
import { useMemo, useState } from 'react'
import type { AccountKind } from '../../../../shared/blocks'
import type { Balance } from '../../../../shared/ledgerApi'
import { VirtualTable } from '../../components/VirtualTable'
import { formatDisplay } from '../../lib/format'
import classes from './BalancesTable.module.css'

const ROW_HEIGHT_PX = 52
/** Width of one monospace character at the table's 13px (measured 7.6), rounded up. */
const MONO_CHAR_PX = 7.9
const CELL_PADDING_PX = 28
const AMOUNT_MIN_WIDTH_PX = 130

export const KIND_COLORS: Record<AccountKind, string> = {
  treasury: 'indigo',
  payee: 'teal',
  clearing: 'gray',
  fees: 'orange',
  escrow: 'violet',
  external: 'cyan',
}

interface BalanceRow {
  b: Balance
  balance: string
  available: string
  pending: string
}

const col = createColumnHelper<BalanceRow>()

/** Per-account balances, exact; virtualized so thousands of payee accounts stay fast. */
export function BalancesTable({ balances }: { balances: Balance[] }) {
  const [sorting, setSorting] = useState<SortingState>([])
  const rows = useMemo<BalanceRow[]>(
    () =>
      balances.map((b) => {
        // The one display form (trailing zeros trimmed, never rounded), as every view shows amounts.
        const pendingDebits = formatDisplay(b.debitsPending, b.scale, b.assetCode)
        const pendingCredits = formatDisplay(b.creditsPending, b.scale, b.assetCode)
        const hasPending = !/^[0.]+$/.test(b.debitsPending) || !/^[0.]+$/.test(b.creditsPending)
        return {
          b,
          balance: formatDisplay(b.balance, b.scale, b.assetCode),
          available: formatDisplay(b.available, b.scale, b.assetCode),
          pending: hasPending ? `+${pendingDebits} / −${pendingCredits}` : '—',
        }
      }),
    [balances],
  )
  // Amount columns are as wide as their longest value: amounts are never cut.
  const widthOf = (pick: (r: BalanceRow) => string, header: string) =>
    Math.max(AMOUNT_MIN_WIDTH_PX, Math.ceil(Math.max(header.length, ...rows.map((r) => pick(r).length)) * MONO_CHAR_PX) + CELL_PADDING_PX)
  const balanceW = widthOf((r) => r.balance, 'Balance')
  const availableW = widthOf((r) => r.available, 'Available')
  const pendingW = widthOf((r) => r.pending, 'Pending')

  const columns = useMemo(
    () => [
      col.accessor((r) => r.b.accountName, {
        id: 'account',
        header: 'Account',
        cell: (c) => {
          const b = c.row.original.b
          return (
            <div className={classes.account}>
              <Text size="sm" fw={500} truncate="end" title={b.accountName}>
                {b.accountName}
              </Text>
              <Group gap={6} wrap="nowrap" className={classes.accountMeta}>
                <Badge size="xs" variant="light" radius="sm" color={KIND_COLORS[b.kind]} data-testid="balance-kind">
                  {b.kind}
                </Badge>
                <Text span size="xs" c="dimmed" ff="monospace" truncate="end" title={`${b.accountId} · ${b.assetId}`}>
                  {b.assetId} · {b.accountId}
                </Text>
              </Group>
            </div>
          )
        },
        meta: { track: 'minmax(240px, 1fr)', minWidthPx: 240 },
      }),
      col.accessor('balance', {
        header: 'Balance',
        enableSorting: false,
        meta: { track: `${balanceW}px`, minWidthPx: balanceW, align: 'right', mono: true, cellTestId: 'balance-cell' },
      }),
      col.accessor('available', {
        header: 'Available',
        enableSorting: false,
        meta: { track: `${availableW}px`, minWidthPx: availableW, align: 'right', mono: true },
      }),
      col.accessor('pending', {
        header: 'Pending',
        enableSorting: false,
        meta: { track: `${pendingW}px`, minWidthPx: pendingW, align: 'right', mono: true },
      }),
    ],
    [balanceW, availableW, pendingW],
  )

  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getRowId: (r) => r.b.accountId,
  })

  return (
    <VirtualTable
      table={table}
      rowHeightPx={ROW_HEIGHT_PX}
      maxHeight={520}
      testId="balances-table"
      emptyText="No ledger accounts yet."
      getRowTestId={(r) => `balance-row-${r.original.b.accountId}`}
    />
  )
}
