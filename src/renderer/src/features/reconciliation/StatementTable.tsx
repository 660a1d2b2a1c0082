/**
 * The imported statements, newest first. Two lines a row, so that every amount fits whole beside
 * the rest at 1440 px: the statement and its period, the account and its sequence, opening above
 * closing, money in above money out, lines above unmatched. Amounts are the core's exact decimals,
 * grouped, right-aligned, never truncated: their columns are as wide as the widest amount listed.
 */
import { Stack, Text } from '@mantine/core'
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table'
import { useMemo, type ReactNode } from 'react'
import type { StatementSummary } from '../../../../shared/reconApi'
import { VirtualTable } from '../../components/VirtualTable'
import { OpenLink } from '../../components/OpenLink'
import { formatCount, formatTimestamp, middleEllipsis } from '../../lib/format'
import { WarningsBadge } from './StatementWarnings'
import { Amount, amountText, monoWidthPx } from './Amount'
import { formatPeriod, warningResolution } from './statementWords'
import { useRecon } from './store'

const ROW_HEIGHT_PX = 56
/** An amount column is never narrower than this, whatever the amounts. */
const AMOUNT_MIN_WIDTH_PX = 164
/** The account column holds at least an IBAN of 22 characters with its currency. */
const ACCOUNT_MIN_WIDTH_PX = 150
/** Beyond this the account id is shortened in the middle. */
const ACCOUNT_MAX_WIDTH_PX = 160
const ACCOUNT_CHARS_SHOWN = 14

const col = createColumnHelper<StatementSummary>()

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

function Pair({ first, second }: { first: ReactNode; second: ReactNode }) {
  return (
    <Stack gap={0} align="flex-end">
      {first}
      {second}
    </Stack>
  )
}

export function StatementTable({ statements, onOpen }: { statements: StatementSummary[]; onOpen: (id: string) => void }) {
  const accounts = useRecon((s) => s.accounts)
  const ledgerAccounts = useRecon((s) => s.ledgerAccounts)
  const balancesPx = useMemo(
    () =>
      monoWidthPx(
        statements.flatMap((s) => [
          { text: amountText(s.opening, s.currency), size: 'sm' as const },
          { text: amountText(s.closing, s.currency), size: 'xs' as const },
        ]),
        AMOUNT_MIN_WIDTH_PX,
      ),
    [statements],
  )
  const movementsPx = useMemo(
    () =>
      monoWidthPx(
        statements.flatMap((s) => [
          { text: amountText(s.credits, s.currency), size: 'sm' as const },
          { text: amountText(s.debits, s.currency), size: 'xs' as const },
        ]),
        AMOUNT_MIN_WIDTH_PX,
      ),
    [statements],
  )
  // The account id is shortened in the middle (whole on hover; the accounts card below lists it
  // whole), so the table fits a 1,024-pixel window beside amounts of a trillion.
  const accountPx = useMemo(
    () =>
      Math.min(
        ACCOUNT_MAX_WIDTH_PX,
        monoWidthPx(
          statements.map((s) => ({ text: s.accountId, size: 'sm' as const })),
          ACCOUNT_MIN_WIDTH_PX,
        ),
      ),
    [statements],
  )
  const columns = useMemo(
    () => [
      col.accessor('statementRef', {
        header: 'Statement · period',
        cell: (c) => {
          const s = c.row.original
          return (
            <TwoLines
              first={
                <OpenLink
                  onOpen={() => onOpen(s.id)}
                  title={`${s.fileName} — imported ${formatTimestamp(s.importedAt)}`}
                  testId="recon-statement-open"
                >
                  {s.statementRef ?? s.fileName}
                </OpenLink>
              }
              second={<span data-testid="recon-statement-period">{formatPeriod(s.fromDate, s.toDate)}</span>}
            />
          )
        },
        meta: { track: 'minmax(160px, 1.2fr)', minWidthPx: 160 },
      }),
      col.accessor('accountId', {
        header: 'Account · sequence',
        cell: (c) => {
          const s = c.row.original
          return (
            <TwoLines
              mono
              first={
                <span title={s.accountId} data-testid="recon-statement-account" data-account={s.accountId}>
                  {middleEllipsis(s.accountId, ACCOUNT_CHARS_SHOWN)}
                </span>
              }
              second={
                <span data-testid="recon-statement-sequence">
                  {s.sequence !== null ? `sequence ${s.sequence}` : 'no sequence'} · {s.format}
                </span>
              }
            />
          )
        },
        meta: { track: `minmax(${accountPx}px, 1.2fr)`, minWidthPx: accountPx },
      }),
      col.accessor('opening', {
        header: 'Opening · closing',
        cell: (c) => {
          const s = c.row.original
          return (
            <Pair
              first={<Amount value={s.opening} currency={s.currency} testId="recon-statement-opening" />}
              second={<Amount value={s.closing} currency={s.currency} testId="recon-statement-closing" size="xs" dimmed />}
            />
          )
        },
        meta: { track: `minmax(${balancesPx}px, 1fr)`, minWidthPx: balancesPx, align: 'right' },
      }),
      col.accessor('credits', {
        header: 'In · out',
        cell: (c) => {
          const s = c.row.original
          return (
            <Pair
              first={<Amount value={s.credits} currency={s.currency} testId="recon-statement-in" />}
              second={<Amount value={s.debits} currency={s.currency} testId="recon-statement-out" size="xs" tone="out" />}
            />
          )
        },
        meta: { track: `minmax(${movementsPx}px, 1fr)`, minWidthPx: movementsPx, align: 'right' },
      }),
      col.accessor('lines', {
        header: 'Lines',
        cell: (c) => {
          const s = c.row.original
          return (
            <Stack gap={2} align="flex-start">
              <Text span size="sm" lh={1.35}>
                <span data-testid="recon-statement-lines">{formatCount(s.lines)}</span>{' '}
                <Text span size="xs" c={s.unmatched > 0 ? 'orange' : 'dimmed'} data-testid="recon-statement-unmatched">
                  {formatCount(s.unmatched)} unmatched
                </Text>
              </Text>
              <WarningsBadge
                warnings={s.warnings}
                note={(w) =>
                  warningResolution(
                    w,
                    accounts.find((a) => a.id === s.accountId),
                    (id) => ledgerAccounts.find((a) => a.id === id)?.name,
                  )
                }
              />
            </Stack>
          )
        },
        // Lines and warnings share a column: one fewer for a 1,024-pixel window.
        meta: { track: '130px', minWidthPx: 130 },
      }),
    ],
    [onOpen, accountPx, balancesPx, movementsPx, accounts, ledgerAccounts],
  )

  const table = useReactTable({
    data: statements,
    columns,
    enableSorting: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
  })

  return (
    <VirtualTable
      table={table}
      rowHeightPx={ROW_HEIGHT_PX}
      maxHeight="max(280px, calc(100vh - 480px))"
      testId="recon-statements-table"
      emptyText="No statements imported yet. Drop a bank statement above, or use Import statement."
      getRowTestId={(r) => `recon-statement-row-${r.original.id}`}
    />
  )
}
