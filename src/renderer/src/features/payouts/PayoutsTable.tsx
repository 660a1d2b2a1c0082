import { ActionIcon, Group, Text, Tooltip } from '@mantine/core'
import { IconAlertTriangle, IconPencil, IconTrash } from '@tabler/icons-react'
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { useMemo } from 'react'
import type { Asset } from '../../../../shared/ledgerApi'
import type { Payout, Submission } from '../../../../shared/payoutsApi'
import { DisplayAmount } from '../../components/DisplayAmount'
import { RailReference } from '../../components/RailReference'
import { VirtualTable } from '../../components/VirtualTable'
import { middleEllipsis, networkLabel, networkName } from '../../lib/format'

/** An EVM address (42) shows whole; longer recipients keep their first and last characters. */
const RECIPIENT_CHARS_SHOWN = 42
import { PayoutStateBadge } from './StateBadge'

const ROW_HEIGHT_PX = 44

const col = createColumnHelper<Payout>()

/** The transaction (Stripe: transfer) a payout went out in: its current submission, once the rail has given it an id. */
export function txOfPayout(p: Payout, submissions: Submission[]): Submission | null {
  if (p.submissionId === null) return null
  const sub = submissions.find((s) => s.id === p.submissionId)
  return sub?.railRef ? sub : null
}

export function PayoutsTable({
  payouts,
  warningsByPayout,
  assets,
  submissions,
  editable,
  onEdit,
  onRemove,
}: {
  payouts: Payout[]
  /** The batch's warnings by payout id (their sentences): a mark on the row, the sentences on hover. */
  warningsByPayout: ReadonlyMap<string, string[]>
  assets: Asset[]
  submissions: Submission[]
  editable: boolean
  onEdit: (p: Payout) => void
  onRemove: (p: Payout) => void
}) {
  const byId = useMemo(() => new Map(assets.map((a) => [a.id, a])), [assets])
  const columns = useMemo(
    () => [
      col.accessor('rowNo', {
        header: 'Row',
        cell: (c) => {
          const warnings = warningsByPayout.get(c.row.original.id)
          return warnings ? (
            <Tooltip label={warnings.join(' ')} multiline w={360} withinPortal>
              <Group gap={4} wrap="nowrap" justify="flex-end" data-testid="payout-warning-mark" aria-label={warnings.join(' ')}>
                <IconAlertTriangle size={14} color="var(--mantine-color-yellow-7)" />
                {c.getValue()}
              </Group>
            </Tooltip>
          ) : (
            c.getValue()
          )
        },
        meta: { track: '72px', minWidthPx: 72, align: 'right', mono: true },
      }),
      col.accessor('name', {
        header: 'Payee',
        cell: (c) =>
          c.getValue() ?? (
            <Text span c="dimmed" size="sm">
              —
            </Text>
          ),
        meta: { track: 'minmax(100px, 1fr)', minWidthPx: 100 },
      }),
      col.accessor('recipient', {
        header: 'Recipient',
        // A Stellar account (56 characters) does not fit beside the amount: its middle gives way.
        cell: (c) => (
          <span title={c.getValue()} data-full={c.getValue()}>
            {middleEllipsis(c.getValue(), RECIPIENT_CHARS_SHOWN)}
          </span>
        ),
        meta: { track: 'minmax(360px, 2fr)', minWidthPx: 360, mono: true, cellTestId: 'payout-recipient' },
      }),
      col.accessor('amount', {
        header: 'Amount',
        cell: (c) => {
          const asset = byId.get(c.row.original.assetId)
          return asset ? (
            <DisplayAmount value={c.getValue()} scale={asset.scale} code={asset.code} />
          ) : (
            <span title={c.row.original.assetId}>
              {c.getValue()} {c.row.original.assetId}
            </span>
          )
        },
        meta: { track: 'minmax(180px, 1.2fr)', minWidthPx: 180, align: 'right', mono: true, cellTestId: 'payout-amount' },
      }),
      col.accessor((p) => networkName(p.rail, p.network), {
        id: 'network',
        header: 'Network',
        cell: (c) => <span title={networkLabel(c.row.original.rail, c.row.original.network)}>{c.getValue()}</span>,
        meta: { track: '150px', minWidthPx: 150 },
      }),
      col.accessor('reference', {
        header: 'Reference',
        cell: (c) => <span title={c.getValue() ?? undefined}>{c.getValue() ?? '—'}</span>,
        meta: { track: 'minmax(90px, 0.8fr)', minWidthPx: 90 },
      }),
      col.accessor('state', {
        header: 'State',
        cell: (c) => <PayoutStateBadge state={c.getValue()} />,
        meta: { track: '124px', minWidthPx: 124 },
      }),
      col.display({
        id: 'outcome',
        header: 'Transaction / failure',
        cell: (c) => {
          const p = c.row.original
          if (p.failureMessage)
            return (
              <Text span size="sm" c="red" title={`${p.failureMessage} (${p.failureCode ?? ''})`} data-testid="payout-failure">
                {p.failureMessage}
              </Text>
            )
          const tx = txOfPayout(p, submissions)
          if (p.reversed)
            return (
              <Text
                span
                size="sm"
                c="orange"
                title={`Stripe took back ${p.reversed} of this payout (transfer reversal, booked)`}
                data-testid="payout-reversed"
              >
                {p.reversed} reversed by Stripe
              </Text>
            )
          return tx?.railRef ? (
            <RailReference rail={tx.rail} reference={tx.railRef} url={tx.explorerUrl} />
          ) : (
            <Text span size="sm" c="dimmed">
              —
            </Text>
          )
        },
        meta: { track: 'minmax(190px, 1.2fr)', minWidthPx: 190 },
      }),
      ...(editable
        ? [
            col.display({
              id: 'edit',
              header: '',
              cell: (c) => (
                <Group gap={4} wrap="nowrap">
                  <Tooltip label="Edit this payout">
                    <ActionIcon
                      variant="subtle"
                      size="sm"
                      onClick={() => onEdit(c.row.original)}
                      aria-label="Edit this payout"
                      data-testid="payout-edit"
                    >
                      <IconPencil size={15} />
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label="Remove this payout">
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      size="sm"
                      onClick={() => onRemove(c.row.original)}
                      aria-label="Remove this payout"
                      data-testid="payout-remove"
                    >
                      <IconTrash size={15} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              ),
              meta: { track: '68px', minWidthPx: 68 },
            }),
          ]
        : []),
    ],
    [byId, warningsByPayout, submissions, editable, onEdit, onRemove],
  )
  const table = useReactTable({
    data: payouts,
    columns,
    enableSorting: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (p) => p.id,
  })
  return (
    <VirtualTable
      table={table}
      rowHeightPx={ROW_HEIGHT_PX}
      maxHeight="max(300px, calc(100vh - 360px))"
      testId="payouts-table"
      emptyText="No payouts in this batch yet."
      getRowTestId={(r) => `payout-row-${r.original.id}`}
      getRowTone={(r) => (r.original.state === 'failed' ? 'danger' : undefined)}
    />
  )
}
