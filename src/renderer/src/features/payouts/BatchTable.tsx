import { Badge, Stack, Text } from '@mantine/core'
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { useMemo } from 'react'
import type { BatchSummary } from '../../../../shared/payoutsApi'
import { VirtualTable } from '../../components/VirtualTable'
import { OpenLink } from '../../components/OpenLink'
import { DisplayAmount } from '../../components/DisplayAmount'
import { formatCount, formatExact, formatTimestamp } from '../../lib/format'
import { networkNameOfKey } from '../../../../shared/networkNames'
import { useSession } from '../session/store'
import { BatchStateBadge } from './StateBadge'

const ROW_HEIGHT_PX = 52

const col = createColumnHelper<BatchSummary>()

/** Totals of one batch, one line per asset, exact. */
export function TotalsCell({ batch }: { batch: BatchSummary }) {
  if (batch.totals.length === 0)
    return (
      <Text span size="sm" c="dimmed">
        —
      </Text>
    )
  return (
    <Stack gap={0} data-testid="batch-totals">
      {batch.totals.map((t) => (
        <Text
          key={t.assetId}
          span
          size="sm"
          lh={1.35}
          data-testid="batch-list-total"
          title={`Exactly ${formatExact(t.total, t.scale)} ${t.assetCode}`}
        >
          <DisplayAmount value={t.total} scale={t.scale} code={t.assetCode} />
          <Text span size="xs" c="dimmed">
            {' '}
            on {networkNameOfKey(t.assetId.slice(t.assetId.indexOf('@') + 1))}
          </Text>
        </Text>
      ))}
    </Stack>
  )
}

export function BatchTable({
  batches,
  onOpen,
  onEndReached,
  resetKey,
}: {
  batches: BatchSummary[]
  onOpen: (id: string) => void
  onEndReached?: () => void
  resetKey?: unknown
}) {
  const operators = useSession((s) => s.operators)
  const names = useMemo(() => new Map(operators.map((o) => [o.id, o.name])), [operators])

  const columns = useMemo(
    () => [
      col.accessor('name', {
        header: 'Batch',
        cell: (c) => (
          <OpenLink onOpen={() => onOpen(c.row.original.id)} testId="batch-open" title={c.row.original.source ?? c.getValue()}>
            {c.getValue()}
          </OpenLink>
        ),
        meta: { track: 'minmax(200px, 2fr)', minWidthPx: 200 },
      }),
      col.accessor('state', {
        header: 'State',
        cell: (c) => {
          const stopped = c.row.original.signingStopped
          return (
            <Stack gap={2}>
              <BatchStateBadge state={c.getValue()} testId="batch-state" />
              {stopped ? (
                <Badge
                  color="orange"
                  variant="filled"
                  size="sm"
                  title={`Signing stopped at transaction ${stopped.signed + 1} of ${stopped.total}: open the batch and press Resume signing.`}
                  data-testid="batch-signing-stopped"
                >
                  Signing stopped · {stopped.signed}/{stopped.total}
                </Badge>
              ) : null}
            </Stack>
          )
        },
        meta: { track: '190px', minWidthPx: 190 },
      }),
      col.accessor('payouts', {
        header: 'Payouts',
        cell: (c) => formatCount(c.getValue()),
        meta: { track: '90px', minWidthPx: 90, align: 'right', mono: true },
      }),
      col.display({
        id: 'totals',
        header: 'Totals',
        cell: (c) => <TotalsCell batch={c.row.original} />,
        meta: { track: 'minmax(240px, 2fr)', minWidthPx: 240, align: 'right' },
      }),
      col.accessor('createdBy', {
        header: 'Created by',
        cell: (c) => names.get(c.getValue()) ?? c.getValue(),
        meta: { track: 'minmax(140px, 1fr)', minWidthPx: 140 },
      }),
      col.accessor('createdAt', {
        header: 'Created at',
        cell: (c) => formatTimestamp(c.getValue()),
        meta: { track: '172px', minWidthPx: 172, mono: true },
      }),
    ],
    [names, onOpen],
  )

  // Newest first, as the core pages them; a client-side sort over one page would mislead.
  const table = useReactTable({
    data: batches,
    columns,
    enableSorting: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
  })

  return (
    <VirtualTable
      table={table}
      rowHeightPx={ROW_HEIGHT_PX}
      maxHeight="max(320px, calc(100vh - 320px))"
      testId="batch-table"
      emptyText="No batches here yet. Import a payout CSV to create one."
      getRowTestId={(r) => `batch-row-${r.original.id}`}
      onEndReached={onEndReached}
      resetKey={resetKey}
    />
  )
}
