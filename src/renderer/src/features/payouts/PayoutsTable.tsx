import { ActionIcon, Group, Text, Tooltip } from '@mantine/core'
import { IconAlertTriangle, IconPencil, IconTrash } from '@tabler/icons-react'
import { createColumnHelper, getCoreRowModel, getSortedRowModel, useReactTable, type SortingState } from '@tanstack/react-table'
import { useMemo, useState } from 'react'
import type { Asset } from '../../../../shared/ledgerApi'
import type { Payout, Submission } from '../../../../shared/payoutsApi'
import { DisplayAmount } from '../../components/DisplayAmount'
import { RailReference } from '../../components/RailReference'
import { VirtualTable } from '../../components/VirtualTable'
import tableClasses from '../../components/VirtualTable.module.css'
import { middleEllipsis, networkLabel, networkName, toMinor } from '../../lib/format'

/** Recipients keep their first and last characters (the part people compare); the whole one on hover. */
const RECIPIENT_CHARS_SHOWN = 21
import { PayoutStateBadge } from './StateBadge'

/** Two lines per row: a name over its reference and id, an address over its network. */
const ROW_HEIGHT_PX = 52

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
        sortingFn: 'basic',
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
        // Wide enough for its header in capitals and the sort arrow ("ROW ↕"), and a warning mark beside a 5-digit row.
        meta: { track: '76px', minWidthPx: 76, align: 'right', mono: true },
      }),
      col.accessor((p) => p.name ?? '', {
        id: 'payee',
        header: 'Payee · reference · id',
        sortingFn: 'alphanumeric',
        // Name over its reference and the payout's own id: nothing a finance person looks for is cut off a column.
        cell: (c) => {
          const p = c.row.original
          const second = [p.reference, p.id].filter((x) => x !== null && x !== '').join(' · ')
          return (
            <div className={tableClasses.twoLines} title={[p.name ?? 'No name', p.reference, p.id].filter(Boolean).join('\n')}>
              <Text span size="sm" fw={500} c={p.name ? undefined : 'dimmed'} data-testid="payout-name">
                {p.name ?? 'No name'}
              </Text>
              <Text span size="xs" c="dimmed" ff="monospace" data-testid="payout-ref">
                {second}
              </Text>
            </div>
          )
        },
        meta: { track: 'minmax(160px, 1.3fr)', minWidthPx: 160 },
      }),
      col.accessor('recipient', {
        header: 'Recipient · network',
        enableSorting: false,
        // The address's middle gives way; its network under it.
        cell: (c) => {
          const p = c.row.original
          return (
            <div className={tableClasses.twoLines} title={c.getValue()} data-full={c.getValue()}>
              <Text span size="sm" ff="monospace">
                {middleEllipsis(c.getValue(), RECIPIENT_CHARS_SHOWN)}
              </Text>
              <Text span size="xs" c="dimmed" data-testid="payout-network" title={networkLabel(p.rail, p.network)}>
                {networkName(p.rail, p.network)}
              </Text>
            </div>
          )
        },
        meta: { track: 'minmax(180px, 1.1fr)', minWidthPx: 180, cellTestId: 'payout-recipient' },
      }),
      col.accessor('amount', {
        header: 'Amount',
        // Per asset, then by the exact amount (never through a float).
        sortingFn: (a, b) => {
          const x = a.original
          const y = b.original
          if (x.assetId !== y.assetId) return x.assetId < y.assetId ? -1 : 1
          const scale = byId.get(x.assetId)?.scale ?? 0
          const mx = toMinor(x.amount, scale) ?? 0n
          const my = toMinor(y.amount, scale) ?? 0n
          return mx < my ? -1 : mx > my ? 1 : 0
        },
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
        meta: { track: 'minmax(170px, 1fr)', minWidthPx: 170, align: 'right', mono: true, cellTestId: 'payout-amount' },
      }),
      col.accessor('state', {
        header: 'State',
        cell: (c) => <PayoutStateBadge state={c.getValue()} />,
        meta: { track: '118px', minWidthPx: 118 },
      }),
      col.display({
        id: 'outcome',
        // The failure, when there is one, shows in the same cell; "Transaction" fits its header at 1,024 px.
        header: 'Transaction',
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
        meta: { track: 'minmax(150px, 1.1fr)', minWidthPx: 150 },
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
              enableSorting: false,
              meta: { track: '72px', minWidthPx: 72, stickyRight: true },
            }),
          ]
        : []),
    ],
    [byId, warningsByPayout, submissions, editable, onEdit, onRemove],
  )
  const [sorting, setSorting] = useState<SortingState>([])
  const table = useReactTable({
    data: payouts,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
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
