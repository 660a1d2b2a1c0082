/**
 * Receipts in a virtualised table, newest first, two lines a row so that it fits at 1024 px: the
 * receipt number above when it was paid (and its kind when it is not a payout), the payee's name
 * above the recipient, the reference above the transaction, the exact amount above its network.
 * The number opens the receipt; the payee opens their history. Scrolling to the end asks for the
 * next page.
 */
import { Group, Stack, Text, UnstyledButton } from '@mantine/core'
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { useMemo, type ReactNode } from 'react'
import type { ReceiptSummary } from '../../../../shared/receiptsApi'
import { VirtualTable } from '../../components/VirtualTable'
import { formatTimestamp, middleEllipsis, networkName } from '../../lib/format'
import { monoWidthPx } from '../reconciliation/Amount'
import { AmountText, KindBadge } from './parts'
import { amountWithCode } from './receiptWords'
import { RailReference } from '../../components/RailReference'

const ROW_HEIGHT_PX = 54
const AMOUNT_MIN_WIDTH_PX = 150
/** A recipient shown in a row: long addresses keep their start and end (the whole one on hover). */
const RECIPIENT_CHARS_SHOWN = 26
const TX_CHARS_SHOWN = 22

const col = createColumnHelper<ReceiptSummary>()

function TwoLines({ first, second }: { first: ReactNode; second: ReactNode }) {
  return (
    <Stack gap={0} style={{ minWidth: 0 }}>
      {first}
      {second}
    </Stack>
  )
}

function Link({ children, onClick, title, testId }: { children: ReactNode; onClick: () => void; title?: string; testId: string }) {
  return (
    <UnstyledButton onClick={onClick} title={title} data-testid={testId} style={{ minWidth: 0, maxWidth: '100%' }}>
      <Text size="sm" fw={600} c="indigo" truncate="end" lh={1.35}>
        {children}
      </Text>
    </UnstyledButton>
  )
}

export function ReceiptTable({
  items,
  onOpen,
  onPayee,
  onEndReached,
  resetKey,
  testId,
  maxHeight,
  emptyText,
}: {
  items: ReceiptSummary[]
  onOpen: (number: number) => void
  /** Absent in a payee's own history (it is open already). */
  onPayee?: (recipient: string) => void
  onEndReached: () => void
  resetKey: unknown
  testId: string
  maxHeight: string
  emptyText: string
}) {
  const amountPx = useMemo(
    () =>
      monoWidthPx(
        items.map((r) => ({ text: amountWithCode(r.amount, r.code), size: 'sm' as const })),
        AMOUNT_MIN_WIDTH_PX,
      ),
    [items],
  )
  const columns = useMemo(
    () => [
      col.accessor('number', {
        header: 'Receipt · paid',
        cell: (c) => {
          const r = c.row.original
          return (
            <TwoLines
              first={
                <Link onClick={() => onOpen(r.number)} title={`Open receipt ${r.displayNumber}`} testId="receipt-open">
                  {r.displayNumber}
                </Link>
              }
              second={
                <Group gap={6} wrap="nowrap">
                  <Text size="xs" c="dimmed" lh={1.35} style={{ whiteSpace: 'nowrap' }} title={`Paid ${formatTimestamp(r.paidAt)}`}>
                    {formatTimestamp(r.paidAt).slice(0, 16)}
                  </Text>
                  {r.kind !== 'payout' ? <KindBadge kind={r.kind} size="xs" /> : null}
                </Group>
              }
            />
          )
        },
        meta: { track: '176px', minWidthPx: 176 },
      }),
      col.accessor('payeeName', {
        header: 'Payee · recipient',
        cell: (c) => {
          const r = c.row.original
          const name = r.payeeName || '(no name given)'
          return (
            <TwoLines
              first={
                onPayee ? (
                  <Link onClick={() => onPayee(r.recipient)} title={`${name} — open their history`} testId="receipt-payee-open">
                    {name}
                  </Link>
                ) : (
                  <Text size="sm" truncate="end" lh={1.35} title={name}>
                    {name}
                  </Text>
                )
              }
              second={
                <Text size="xs" c="dimmed" ff="monospace" lh={1.35} truncate="end" title={r.recipient}>
                  {middleEllipsis(r.recipient, RECIPIENT_CHARS_SHOWN)}
                </Text>
              }
            />
          )
        },
        meta: { track: 'minmax(170px, 1.4fr)', minWidthPx: 170 },
      }),
      col.accessor('reference', {
        header: 'Reference · tx',
        cell: (c) => {
          const r = c.row.original
          return (
            <TwoLines
              first={
                <Text
                  size="sm"
                  truncate="end"
                  lh={1.35}
                  title={r.reference}
                  c={r.reference ? undefined : 'dimmed'}
                  data-testid="receipt-reference"
                >
                  {r.reference || '—'}
                </Text>
              }
              second={
                r.txHash ? (
                  <RailReference rail={r.rail} reference={r.txHash} url={null} chars={TX_CHARS_SHOWN} size="xs" />
                ) : (
                  <Text size="xs" c="dimmed" lh={1.35}>
                    —
                  </Text>
                )
              }
            />
          )
        },
        meta: { track: 'minmax(130px, 1fr)', minWidthPx: 130 },
      }),
      col.accessor('amount', {
        header: 'Amount',
        cell: (c) => {
          const r = c.row.original
          return (
            <Stack gap={0} align="flex-end">
              <AmountText value={r.amount} code={r.code} kind={r.kind} testId="receipt-amount" />
              <Text size="xs" c="dimmed" lh={1.35} style={{ whiteSpace: 'nowrap' }}>
                {networkName(r.rail, r.network)}
              </Text>
            </Stack>
          )
        },
        meta: { track: `${amountPx}px`, minWidthPx: amountPx, align: 'right' },
      }),
    ],
    [amountPx, onOpen, onPayee],
  )
  // Newest first, as the core pages them: sorting a page on screen would mislead (the rest is not loaded).
  const table = useReactTable({
    data: items,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.number),
    enableSorting: false,
  })
  return (
    <VirtualTable
      table={table}
      rowHeightPx={ROW_HEIGHT_PX}
      maxHeight={maxHeight}
      testId={testId}
      emptyText={emptyText}
      getRowTestId={() => 'receipt-row'}
      onEndReached={onEndReached}
      resetKey={resetKey}
    />
  )
}
