/**
 * The escrow list: name, payee, state, amount, what is still held and the next deadline as a live
 * countdown. Two lines a row: what a person scans on the first, its detail (reference, address,
 * network, which milestone) dimmed on the second.
 */
import { Stack, Text } from '@mantine/core'
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { useMemo, type ReactNode } from 'react'
import type { EscrowSummary } from '../../../../shared/escrowApi'
import { VirtualTable } from '../../components/VirtualTable'
import { OpenLink } from '../../components/OpenLink'
import { formatCount, formatDisplay, formatTimestamp, middleEllipsis, networkName } from '../../lib/format'
import { Countdown } from './Countdown'
import { DEADLINE_URGENT_MS } from './deadlines'
import { EscrowStateBadge } from './StateBadge'

const ROW_HEIGHT_PX = 56
/** A Stellar account (56 characters) gives way in the middle. */
const PAYEE_CHARS_SHOWN = 22
/** "2026-01-31 14:05" of formatTimestamp's "2026-01-31 14:05:09": seconds are noise beside a countdown. */
const TIMESTAMP_TO_MINUTE_CHARS = 16

const col = createColumnHelper<EscrowSummary>()

function TwoLines({ first, second, mono }: { first: ReactNode; second: ReactNode; mono?: boolean }) {
  return (
    <Stack gap={0} style={{ minWidth: 0 }}>
      <Text span size="sm" truncate="end" ff={mono ? 'monospace' : undefined} lh={1.35}>
        {first}
      </Text>
      <Text span size="xs" c="dimmed" truncate="end" lh={1.35}>
        {second}
      </Text>
    </Stack>
  )
}

export function EscrowTable({ escrows, onOpen, resetKey }: { escrows: EscrowSummary[]; onOpen: (id: string) => void; resetKey?: unknown }) {
  const columns = useMemo(
    () => [
      col.accessor('name', {
        header: 'Escrow',
        cell: (c) => (
          <TwoLines
            first={
              <OpenLink onOpen={() => onOpen(c.row.original.id)} testId="escrow-open" title={c.getValue()}>
                {c.getValue()}
              </OpenLink>
            }
            second={`${c.row.original.reference ?? `${formatCount(c.row.original.milestones)} milestones`} · ${networkName(c.row.original.rail, c.row.original.network)}`}
          />
        ),
        meta: { track: 'minmax(170px, 1.3fr)', minWidthPx: 170 },
      }),
      col.accessor('payee', {
        header: 'Payee',
        cell: (c) => (
          <TwoLines
            first={<span title={c.row.original.payeeName ?? c.getValue()}>{c.row.original.payeeName ?? '—'}</span>}
            second={
              <span title={c.getValue()} style={{ fontFamily: 'var(--mantine-font-family-monospace)' }} data-testid="escrow-payee">
                {middleEllipsis(c.getValue(), PAYEE_CHARS_SHOWN)}
              </span>
            }
          />
        ),
        meta: { track: 'minmax(190px, 1fr)', minWidthPx: 190 },
      }),
      col.accessor('state', {
        header: 'State',
        cell: (c) => (
          <TwoLines
            first={<EscrowStateBadge state={c.getValue()} testId="escrow-state" />}
            second={
              c.row.original.openActions > 0
                ? `${formatCount(c.row.original.openActions)} ${c.row.original.openActions === 1 ? 'request' : 'requests'} open`
                : ''
            }
          />
        ),
        meta: { track: '136px', minWidthPx: 136 },
      }),
      col.accessor('total', {
        header: 'Amount · held',
        // One column for both: each line may carry a 30-digit amount, and two such columns do not fit beside the rest at 1440 px.
        cell: (c) => {
          const e = c.row.original
          return (
            <Stack gap={0} align="flex-end" title={e.assetId}>
              <Text span size="sm" ff="monospace" lh={1.35} style={{ whiteSpace: 'nowrap' }} data-testid="escrow-total">
                {formatDisplay(e.total, e.scale, e.assetCode)} {e.assetCode}
              </Text>
              <Text span size="xs" ff="monospace" c="dimmed" lh={1.35} style={{ whiteSpace: 'nowrap' }}>
                held{' '}
                <span data-testid="escrow-held">
                  {formatDisplay(e.held, e.scale, e.assetCode)} {e.assetCode}
                </span>
              </Text>
            </Stack>
          )
        },
        meta: { track: 'minmax(290px, 1.3fr)', minWidthPx: 290, align: 'right' },
      }),
      col.accessor('nextDeadline', {
        header: 'Next deadline',
        cell: (c) => {
          const d = c.getValue()
          if (!d)
            return (
              <Text span size="sm" c="dimmed">
                —
              </Text>
            )
          return (
            <TwoLines
              first={<Countdown kind={d.kind} at={d.at} testId="escrow-deadline" />}
              second={`${d.milestone !== null ? `milestone ${d.milestone} · ` : ''}${formatTimestamp(d.at).slice(0, TIMESTAMP_TO_MINUTE_CHARS)}`}
            />
          )
        },
        meta: { track: 'minmax(270px, 1.2fr)', minWidthPx: 270 },
      }),
    ],
    [onOpen],
  )

  const table = useReactTable({
    data: escrows,
    columns,
    enableSorting: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
  })

  return (
    <VirtualTable
      table={table}
      rowHeightPx={ROW_HEIGHT_PX}
      maxHeight="max(320px, calc(100vh - 360px))"
      testId="escrow-table"
      emptyText="No escrows here yet. Create one with New escrow, or import a CSV."
      getRowTestId={(r) => `escrow-row-${r.original.id}`}
      // Rendered once per load, not live: the countdown itself turns orange when the day comes.
      getRowTone={(r) => {
        const d = r.original.nextDeadline
        return d && Date.parse(d.at) - Date.now() < DEADLINE_URGENT_MS ? 'warning' : undefined
      }}
      resetKey={resetKey}
    />
  )
}
