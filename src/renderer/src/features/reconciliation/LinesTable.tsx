/**
 * One statement's lines in file order, a page at a time (the next page loads as the last row
 * scrolls into view): number, booking date above value date, the amount (money out in red; the
 * column as wide as the widest amount loaded), the counterparty, the end-to-end id above the
 * bank's reference, the remittance text, the bank's type code and the reconciliation state.
 * Where that does not fit (a 1024 px window), the text and the references share one column and
 * the type code moves to the row's tooltip, so the table never scrolls sideways.
 */
import { Badge, Box, Group, Stack, Text } from '@mantine/core'
import { useElementSize } from '@mantine/hooks'
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { useMemo, type ReactNode } from 'react'
import type { StatementLine } from '../../../../shared/reconApi'
import { RailReference } from '../../components/RailReference'
import { VirtualTable } from '../../components/VirtualTable'
import { LINE_STATE_COLORS, LINE_STATE_LABELS } from './statementWords'
import { Amount, amountText, monoWidthPx } from './Amount'

const ROW_HEIGHT_PX = 52
/** Characters of a rail's id shown in the narrow reference column (whole on hover and copy). */
const RAIL_REF_CHARS = 15
/** The amount column is never narrower than this, whatever the amounts. */
const AMOUNT_MIN_WIDTH_PX = 140
/** The columns of the full layout, without the amount: below their sum plus the amount's, the narrow one. */
const WIDE_OTHER_COLUMNS_PX = 52 + 150 + 140 + 170 + 160 + 130 + 124

const col = createColumnHelper<StatementLine>()

function TwoLines({
  first,
  second,
  below,
  mono,
  title,
}: {
  first: ReactNode
  second?: ReactNode
  /** A second line with its own layout (a RailReference), instead of `second`. */
  below?: ReactNode
  mono?: boolean
  title?: string
}) {
  return (
    <Stack gap={0} style={{ minWidth: 0 }} title={title}>
      <Text span size="sm" truncate="end" ff={mono ? 'monospace' : undefined} lh={1.35}>
        {first}
      </Text>
      {below ?? (
        <Text span size="xs" c="dimmed" truncate="end" ff={mono ? 'monospace' : undefined} lh={1.35}>
          {second}
        </Text>
      )}
    </Stack>
  )
}

/**
 * The line's reference under its first line: a rail's own id as every view shows it (RailReference:
 * explorer link, whole id on hover, copy button) for a line pulled from a rail; the bank's
 * reference for a bank file's line.
 */
function ReferenceLine({ line }: { line: StatementLine }) {
  if (line.railRef) {
    return (
      <RailReference
        rail={line.railRef.rail}
        reference={line.railRef.reference}
        url={line.railRef.url}
        chars={RAIL_REF_CHARS}
        size="xs"
        testId="recon-line-rail-ref"
      />
    )
  }
  return (
    <Text span size="xs" c="dimmed" truncate="end" ff="monospace" lh={1.35} data-testid="recon-line-bank-ref">
      {line.bankRef ?? line.customerRef ?? '—'}
    </Text>
  )
}

function Dash() {
  return (
    <Text span size="sm" c="dimmed">
      —
    </Text>
  )
}

export function LinesTable({
  lines,
  emptyText,
  onEndReached,
  resetKey,
}: {
  lines: StatementLine[]
  emptyText: string
  onEndReached: () => void
  resetKey: unknown
}) {
  const amountPx = useMemo(
    () =>
      monoWidthPx(
        lines.map((l) => ({ text: amountText(l.amount, l.currency), size: 'sm' as const })),
        AMOUNT_MIN_WIDTH_PX,
      ),
    [lines],
  )
  const { ref, width } = useElementSize()
  const narrow = width > 0 && width < WIDE_OTHER_COLUMNS_PX + amountPx
  const columns = useMemo(
    () => [
      col.accessor('index', {
        header: '#',
        cell: (c) => (
          <Text span size="sm" c="dimmed" data-testid="recon-line-index">
            {c.getValue()}
          </Text>
        ),
        meta: { track: '52px', minWidthPx: 52, align: 'right' },
      }),
      col.accessor('bookingDate', {
        header: 'Booked · value',
        cell: (c) => (
          <TwoLines
            first={<span data-testid="recon-line-booking">{c.getValue() ?? '—'}</span>}
            second={<span data-testid="recon-line-value">{c.row.original.valueDate ?? '—'}</span>}
          />
        ),
        meta: { track: '150px', minWidthPx: 150 },
      }),
      col.accessor('amount', {
        header: 'Amount',
        cell: (c) => {
          const l = c.row.original
          return (
            <Stack gap={0} align="flex-end">
              <Amount value={l.amount} currency={l.currency} testId="recon-line-amount" tone="out" />
              {l.reversal || l.status !== 'booked' ? (
                <Text span size="xs" c="dimmed" lh={1.35} data-testid="recon-line-status">
                  {[l.reversal ? 'reversal' : null, l.status !== 'booked' ? l.status : null].filter(Boolean).join(' · ')}
                </Text>
              ) : null}
            </Stack>
          )
        },
        meta: {
          track: narrow ? `${amountPx}px` : `minmax(${amountPx}px, 1fr)`,
          minWidthPx: amountPx,
          align: 'right',
        },
      }),
      ...(narrow
        ? [
            col.accessor('remittance', {
              id: 'text',
              header: 'Text · references',
              cell: (c) => {
                const l = c.row.original
                const text = l.remittance ?? l.counterpartyName ?? l.structuredRef
                return (
                  <TwoLines
                    title={[
                      l.remittance,
                      l.structuredRef,
                      l.counterpartyName
                        ? `Counterparty: ${[l.counterpartyName, l.counterpartyAccount, l.counterpartyBic].filter(Boolean).join(' · ')}`
                        : null,
                      `End-to-end: ${l.endToEndId ?? '—'}`,
                      `Bank reference: ${l.bankRef ?? '—'}`,
                      l.typeCode ? `Type: ${l.typeCode}` : null,
                    ]
                      .filter(Boolean)
                      .join('\n')}
                    first={<span data-testid="recon-line-remittance">{text ?? '—'}</span>}
                    below={l.railRef ? <ReferenceLine line={l} /> : undefined}
                    second={
                      <Box component="span" ff="monospace">
                        <span data-testid="recon-line-e2e">{l.endToEndId ?? '—'}</span> ·{' '}
                        <span data-testid="recon-line-bank-ref">{l.bankRef ?? l.customerRef ?? '—'}</span>
                      </Box>
                    }
                  />
                )
              },
              meta: { track: 'minmax(150px, 2fr)', minWidthPx: 150 },
            }),
          ]
        : [
            col.accessor('counterpartyName', {
              header: 'Counterparty',
              cell: (c) => {
                const l = c.row.original
                if (!l.counterpartyName && !l.counterpartyAccount) return <Dash />
                return (
                  <TwoLines
                    title={[l.counterpartyName, l.counterpartyAccount, l.counterpartyBic].filter(Boolean).join('\n')}
                    first={<span data-testid="recon-line-counterparty">{l.counterpartyName ?? '—'}</span>}
                    second={[l.counterpartyAccount, l.counterpartyBic].filter(Boolean).join(' · ')}
                  />
                )
              },
              meta: { track: 'minmax(140px, 1fr)', minWidthPx: 140 },
            }),
            col.accessor('endToEndId', {
              header: 'End-to-end · ref',
              cell: (c) => {
                const l = c.row.original
                return (
                  <TwoLines
                    mono
                    title={[
                      `End-to-end: ${l.endToEndId ?? '—'}`,
                      `Bank reference: ${l.bankRef ?? '—'}`,
                      l.customerRef ? `Customer reference: ${l.customerRef}` : null,
                    ]
                      .filter(Boolean)
                      .join('\n')}
                    first={<span data-testid="recon-line-e2e">{l.endToEndId ?? '—'}</span>}
                    below={<ReferenceLine line={l} />}
                  />
                )
              },
              meta: { track: 'minmax(170px, 1fr)', minWidthPx: 170 },
            }),
            col.accessor('remittance', {
              header: 'Remittance',
              cell: (c) => {
                const l = c.row.original
                const text = l.remittance ?? l.structuredRef
                if (!text) return <Dash />
                return (
                  <TwoLines
                    title={[l.remittance, l.structuredRef].filter(Boolean).join('\n')}
                    first={<span data-testid="recon-line-remittance">{text}</span>}
                    second={
                      l.remittance && l.structuredRef ? l.structuredRef : l.details.length > 0 ? `${l.details.length} in the batch` : ''
                    }
                  />
                )
              },
              meta: { track: 'minmax(160px, 1.4fr)', minWidthPx: 160 },
            }),
            col.accessor('typeCode', {
              header: 'Type',
              cell: (c) => (
                <Text span size="xs" ff="monospace" title={c.getValue() ?? undefined} data-testid="recon-line-type">
                  {c.getValue() ?? '—'}
                </Text>
              ),
              meta: { track: 'minmax(130px, 0.7fr)', minWidthPx: 130 },
            }),
          ]),
      col.accessor('state', {
        header: 'State',
        cell: (c) => (
          <Group gap={4} wrap="nowrap">
            <Badge
              color={LINE_STATE_COLORS[c.getValue()]}
              variant="light"
              size="sm"
              radius="sm"
              data-testid="recon-line-state"
              data-state={c.getValue()}
            >
              {LINE_STATE_LABELS[c.getValue()]}
            </Badge>
          </Group>
        ),
        meta: { track: '124px', minWidthPx: 124 },
      }),
    ],
    [amountPx, narrow],
  )

  const table = useReactTable({
    data: lines,
    columns,
    enableSorting: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
  })

  return (
    <div ref={ref} data-testid="recon-lines-frame" data-narrow={narrow || undefined}>
      <VirtualTable
        table={table}
        rowHeightPx={ROW_HEIGHT_PX}
        maxHeight="max(320px, calc(100vh - 420px))"
        testId="recon-lines-table"
        emptyText={emptyText}
        getRowTestId={(r) => `recon-line-${r.original.index}`}
        getRowTitle={(r) => r.original.where}
        onEndReached={onEndReached}
        resetKey={resetKey}
      />
    </div>
  )
}
