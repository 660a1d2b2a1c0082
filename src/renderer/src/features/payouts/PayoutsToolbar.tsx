/**
 * Above a batch's payouts table: search (id, payee, reference, recipient, amount), filters by
 * state, asset and kind of warning, and how many rows show. The warnings panel's "Show these
 * payouts" sets the warning filter here, so there is one filter, not two.
 */
import { Button, Group, Select, Text, TextInput } from '@mantine/core'
import { IconFilterOff, IconSearch } from '@tabler/icons-react'
import type { BatchWarningGroup } from '../../../../shared/batchWarningGroups'
import type { Asset } from '../../../../shared/ledgerApi'
import type { Payout } from '../../../../shared/payoutsApi'
import { formatCount, networkLabel } from '../../lib/format'

export interface PayoutsView {
  search: string
  state: string | null
  assetId: string | null
  warningCode: string | null
}

export const ALL_PAYOUTS: PayoutsView = { search: '', state: null, assetId: null, warningCode: null }

export function PayoutsToolbar({
  view,
  onChange,
  payouts,
  shown,
  assets,
  groups,
  readingOf = null,
}: {
  view: PayoutsView
  onChange: (view: PayoutsView) => void
  payouts: Payout[]
  shown: number
  assets: Asset[]
  groups: BatchWarningGroup[]
  /** While the batch's later pages are read: how many payouts it has (search waits for them all). */
  readingOf?: number | null
}) {
  if (readingOf !== null) {
    return (
      <Group gap="xs" wrap="wrap" data-testid="payouts-toolbar">
        <TextInput
          placeholder="Search id, payee, reference, recipient, amount"
          leftSection={<IconSearch size={14} />}
          value=""
          disabled
          w={300}
          size="xs"
          aria-label="Search the payouts"
          data-testid="payouts-search"
        />
        <Text size="sm" c="dimmed" data-testid="payouts-reading">
          {formatCount(payouts.length)} of {formatCount(readingOf)} payouts read — search and filters when all are in
        </Text>
      </Group>
    )
  }
  const states = [...new Set(payouts.map((p) => p.state))].sort()
  const assetIds = [...new Set(payouts.map((p) => p.assetId))].sort()
  const assetName = (id: string) => {
    const a = assets.find((x) => x.id === id)
    return a ? `${a.code} on ${networkLabel(a.rail, a.network)}` : id
  }
  const filtered = view.search.trim() !== '' || view.state !== null || view.assetId !== null || view.warningCode !== null
  const rowBound = groups.filter((g) => g.payoutIds.length > 0)
  return (
    <Group gap="xs" wrap="wrap" data-testid="payouts-toolbar">
      <TextInput
        placeholder="Search id, payee, reference, recipient, amount"
        leftSection={<IconSearch size={14} />}
        value={view.search}
        onChange={(e) => onChange({ ...view, search: e.currentTarget.value })}
        w={300}
        size="xs"
        aria-label="Search the payouts"
        data-testid="payouts-search"
      />
      {states.length > 1 ? (
        <Select
          placeholder="All states"
          data={states}
          value={view.state}
          onChange={(state) => onChange({ ...view, state })}
          clearable
          size="xs"
          w={140}
          aria-label="Filter by state"
          data-testid="payouts-state-filter"
        />
      ) : null}
      {assetIds.length > 1 ? (
        <Select
          placeholder="All assets"
          data={assetIds.map((id) => ({ value: id, label: assetName(id) }))}
          value={view.assetId}
          onChange={(assetId) => onChange({ ...view, assetId })}
          clearable
          size="xs"
          w={200}
          aria-label="Filter by asset"
          data-testid="payouts-asset-filter"
        />
      ) : null}
      {rowBound.length > 0 ? (
        <Select
          placeholder="Any warning or none"
          data={rowBound.map((g) => ({ value: g.code, label: g.title }))}
          value={view.warningCode}
          onChange={(warningCode) => onChange({ ...view, warningCode })}
          clearable
          size="xs"
          w={260}
          aria-label="Only the payouts with a warning of this kind"
          data-testid="payouts-warning-filter"
        />
      ) : null}
      {filtered ? (
        <>
          <Text size="sm" c="dimmed" data-testid="payouts-filter">
            {formatCount(shown)} of {formatCount(payouts.length)} payouts
          </Text>
          <Button
            size="compact-sm"
            variant="default"
            leftSection={<IconFilterOff size={14} />}
            onClick={() => onChange(ALL_PAYOUTS)}
            data-testid="payouts-filter-clear"
          >
            Show all
          </Button>
        </>
      ) : null}
    </Group>
  )
}
