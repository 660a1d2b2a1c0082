/**
 * Both sides of a statement account side by side: statement lines on the left, the linked ledger
 * account's postings on the right, newest first, a page at a time — filtered by state and
 * searched together. Hovering a row lights every row of its match on both sides; clicking it
 * keeps them lit and opens the match below. Open items have a checkbox: picked on either side,
 * they are matched by hand in the panel underneath, which adds them up as they are picked.
 */
import { Card, Checkbox, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { useDebouncedValue, useElementSize } from '@mantine/hooks'
import { IconSearch } from '@tabler/icons-react'
import { useEffect, useMemo, useState } from 'react'
import type { ReconItem } from '../../../../shared/reconMatchApi'
import { Amount, amountText, monoWidthPx } from './Amount'
import { ManualMatchPanel } from './ManualMatchPanel'
import { MatchCard } from './MatchCard'
import { EmptyNote, ItemStateBadge, Pager, RefusalAlert, UpdatedAt } from './matchParts'
import { isPickable, ITEMS_PAGE, pickKey, useReconMatch, type Pane, type Side } from './matchStore'
import { ITEM_STATE_LABELS, ITEM_STATES, type ItemState } from './matchWords'
import { useRecon } from './store'

/** Below this pane width the date folds under the text, so text keeps room to be read. */
const PANE_WIDE_MIN_PX = 430
const AMOUNT_MIN_WIDTH_PX = 118
const CHECK_WIDTH_PX = 34
const DATE_WIDTH_PX = 88
const SEARCH_DEBOUNCE_MS = 300

export function SideBySide({ canWork, notWorker }: { canWork: boolean; notWorker: string }) {
  const { accountId, itemState, search, statementPane, ledgerPane, items, setItemFilter, selectedMatchId, suggestions, confirmed } =
    useReconMatch()
  const accounts = useRecon((s) => s.accounts)
  const ledgerAccounts = useRecon((s) => s.ledgerAccounts)
  const account = accounts.find((a) => a.id === accountId)
  const ledgerName = account?.ledgerAccountId
    ? (ledgerAccounts.find((a) => a.id === account.ledgerAccountId)?.name ?? account.ledgerAccountId)
    : null
  const [typed, setTyped] = useState(search)
  const [debounced] = useDebouncedValue(typed, SEARCH_DEBOUNCE_MS)
  useEffect(() => {
    if (debounced !== useReconMatch.getState().search) setItemFilter({ search: debounced })
  }, [debounced, setItemFilter])
  const selected = selectedMatchId ? [...suggestions, ...confirmed].find((m) => m.id === selectedMatchId) : undefined

  if (!accountId)
    return <EmptyNote testId="recon-side-empty">Choose a statement account above to see its lines beside the ledger’s postings.</EmptyNote>

  const filtering = itemState !== 'all' || search.trim() !== ''
  return (
    <Stack gap="md" data-testid="recon-side-by-side">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <SegmentedControl
          size="xs"
          value={itemState}
          onChange={(v) => setItemFilter({ state: v as ItemState | 'all' })}
          data={[{ value: 'all', label: 'All' }, ...ITEM_STATES.map((s) => ({ value: s, label: ITEM_STATE_LABELS[s] }))]}
          data-testid="recon-items-state"
        />
        <Group gap="sm" wrap="nowrap">
          <TextInput
            size="xs"
            placeholder="Search text, reference, amount…"
            leftSection={<IconSearch size={14} />}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            maxLength={100}
            w={260}
            aria-label="Search both sides"
            data-testid="recon-items-search"
          />
          <UpdatedAt at={items.loadedAt} testId="recon-items-updated" />
        </Group>
      </Group>
      {items.error ? <RefusalAlert refusal={{ code: null, message: items.error, items: [] }} testId="recon-items-error" /> : null}
      <SimpleGrid cols={2} spacing="md">
        <ItemsPane
          side="statement"
          title="Statement lines"
          subtitle={account?.id ?? ''}
          pane={statementPane}
          canWork={canWork}
          notWorker={notWorker}
          empty={
            filtering
              ? 'No statement line fits this filter or search — choose All, or clear the search.'
              : 'No statement lines for this account yet — import a statement in the Statements tab.'
          }
        />
        <ItemsPane
          side="ledger"
          title="Ledger postings"
          subtitle={ledgerName ? `${ledgerName} (${account?.ledgerAccountId ?? ''})` : 'not linked'}
          pane={ledgerPane}
          canWork={canWork}
          notWorker={notWorker}
          empty={
            !account?.ledgerAccountId
              ? 'This statement account is not linked to a ledger account — link it above to see its postings here.'
              : filtering
                ? 'No ledger posting fits this filter or search — choose All, or clear the search.'
                : `No postings on ${ledgerName ?? 'the ledger account'} yet — they appear as the ledger books movements.`
          }
        />
      </SimpleGrid>
      <ManualMatchPanel canWork={canWork} notWorker={notWorker} />
      {selectedMatchId ? (
        selected ? (
          <Stack gap={4} data-testid="recon-selected-match">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              The match of the lit rows
            </Text>
            <MatchCard match={selected} canWork={canWork} notWorker={notWorker} testId="recon-selected" />
          </Stack>
        ) : (
          <Text size="sm" c="dimmed" data-testid="recon-selected-match-far">
            Match {selectedMatchId}: its rows are lit above; its details are in the Matches tab.
          </Text>
        )
      ) : null}
    </Stack>
  )
}

function ItemsPane({
  side,
  title,
  subtitle,
  pane,
  empty,
  canWork,
  notWorker,
}: {
  side: Side
  title: string
  subtitle: string
  pane: Pane
  empty: string
  canWork: boolean
  notWorker: string
}) {
  const { hoveredMatchId, selectedMatchId, picked, hover, select, togglePick, setPanePage } = useReconMatch()
  const { ref, width } = useElementSize()
  const wide = width === 0 || width >= PANE_WIDE_MIN_PX
  const lit = hoveredMatchId ?? selectedMatchId
  const amountPx = useMemo(
    () =>
      monoWidthPx(
        pane.items.map((i) => ({ text: amountText(i.amount, i.currency), size: 'sm' as const })),
        AMOUNT_MIN_WIDTH_PX,
      ),
    [pane.items],
  )
  const testId = `recon-pane-${side}`
  return (
    <Card withBorder padding="sm" data-testid={testId} style={{ minWidth: 0 }}>
      <Stack gap="xs" ref={ref}>
        <Stack gap={0} style={{ minWidth: 0 }}>
          <Title order={5}>{title}</Title>
          <Text size="xs" c="dimmed" truncate="end" title={subtitle}>
            {subtitle}
          </Text>
        </Stack>
        {pane.items.length === 0 ? (
          <EmptyNote testId={`${testId}-empty`}>{empty}</EmptyNote>
        ) : (
          <Table layout="fixed" verticalSpacing={5} horizontalSpacing={6} fz="sm" data-testid={`${testId}-table`}>
            <Table.Thead>
              <Table.Tr>
                {canWork ? <Table.Th w={CHECK_WIDTH_PX} aria-label="Pick" /> : null}
                {wide ? <Table.Th w={DATE_WIDTH_PX}>Date</Table.Th> : null}
                <Table.Th>{wide ? 'Text · reference' : 'Details'}</Table.Th>
                <Table.Th w={amountPx} ta="right">
                  Amount
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pane.items.map((item) => (
                <ItemRow
                  key={item.id}
                  item={item}
                  wide={wide}
                  lit={item.matchId !== null && item.matchId === lit}
                  picked={picked[pickKey(item)] !== undefined}
                  canWork={canWork}
                  notWorker={notWorker}
                  onHover={hover}
                  onSelect={select}
                  onPick={togglePick}
                  testId={`${testId}-row`}
                />
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Pager
          page={pane.page}
          size={ITEMS_PAGE}
          total={pane.total}
          onPage={(p) => setPanePage(side, p)}
          noun={side === 'statement' ? ['line', 'lines'] : ['posting', 'postings']}
          testId={`${testId}-pager`}
        />
      </Stack>
    </Card>
  )
}

function ItemRow({
  item,
  wide,
  lit,
  picked,
  canWork,
  notWorker,
  onHover,
  onSelect,
  onPick,
  testId,
}: {
  item: ReconItem
  wide: boolean
  lit: boolean
  picked: boolean
  canWork: boolean
  notWorker: string
  onHover: (matchId: string | null) => void
  onSelect: (matchId: string | null) => void
  onPick: (item: ReconItem) => void
  testId: string
}) {
  const pickable = isPickable(item)
  const detail = [wide ? null : (item.date ?? 'no date'), item.reference, item.counterparty].filter(Boolean).join(' · ')
  const whyNot = !canWork ? notWorker : pickable ? undefined : 'In a match already — unmatch it first to match it by hand.'
  return (
    <Table.Tr
      data-testid={testId}
      data-item-id={item.id}
      data-match-id={item.matchId ?? undefined}
      data-state={item.state}
      data-lit={lit || undefined}
      data-picked={picked || undefined}
      onMouseEnter={() => onHover(item.matchId)}
      onMouseLeave={() => onHover(null)}
      onClick={() => (item.matchId ? onSelect(item.matchId) : pickable && canWork ? onPick(item) : undefined)}
      style={{
        cursor: item.matchId || (pickable && canWork) ? 'pointer' : undefined,
        background: lit ? 'var(--mantine-color-indigo-light)' : picked ? 'var(--mantine-color-yellow-light)' : undefined,
        boxShadow: lit ? 'inset 3px 0 0 var(--mantine-color-indigo-6)' : picked ? 'inset 3px 0 0 var(--mantine-color-yellow-6)' : undefined,
      }}
    >
      {canWork ? (
        <Table.Td onClick={(e) => e.stopPropagation()}>
          <Checkbox
            size="xs"
            checked={picked}
            disabled={!pickable}
            onChange={() => onPick(item)}
            title={whyNot}
            aria-label={`Pick ${item.text || item.id} to match by hand`}
            data-testid="recon-item-pick"
          />
        </Table.Td>
      ) : null}
      {wide ? (
        <Table.Td>
          <Text size="sm" style={{ whiteSpace: 'nowrap' }} data-testid="recon-item-date">
            {item.date ?? '—'}
          </Text>
        </Table.Td>
      ) : null}
      <Table.Td style={{ minWidth: 0 }}>
        <Text size="sm" lineClamp={2} lh={1.3} title={item.text} style={{ overflowWrap: 'anywhere' }} data-testid="recon-item-text">
          {item.text || '—'}
        </Text>
        <Text size="xs" c="dimmed" truncate="end" title={detail} data-testid="recon-item-detail">
          {detail || '—'}
        </Text>
      </Table.Td>
      <Table.Td ta="right">
        <Stack gap={2} align="flex-end">
          <Amount value={item.amount} currency={item.currency} testId="recon-item-amount" tone="out" />
          <ItemStateBadge state={item.state} />
        </Stack>
      </Table.Td>
    </Table.Tr>
  )
}
