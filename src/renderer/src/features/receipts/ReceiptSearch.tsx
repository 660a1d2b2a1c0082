/**
 * Finding receipts: one box for a payee's name, their address or account, a reference (invoice),
 * a transaction hash or a receipt number, narrowed by kind, dates (UTC days) and batch; the totals
 * per asset over everything that matches; the receipts in a virtualised table paged as it
 * scrolls. With a batch chosen, its receipts download as one ZIP of PDFs.
 */
import { Alert, Card, Group, Loader, Select, Stack, Text, TextInput } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconAlertTriangle, IconSearch } from '@tabler/icons-react'
import { useEffect, useMemo, useState } from 'react'
import { RECEIPT_KINDS } from '../../../../shared/receiptsApi'
import { RECEIPT_QUERY_CHARS_MAX } from '../../../../shared/limits'
import type { ReceiptKind } from '../../../../shared/receiptTypes'
import { formatCount, formatTimestamp } from '../../lib/format'
import { BatchZipButton } from './BatchZipButton'
import { usePayee } from './payeeStore'
import { UpdatedAt } from '../../components/UpdatedAt'
import { ReceiptTable } from './ReceiptTable'
import { dateProblem, KIND_LABELS } from './receiptWords'
import { useReceipts } from './store'
import { TotalsTable } from './TotalsTable'

/** Typing settles this long before the search runs. */
const SEARCH_SETTLE_MS = 250
const TABLE_HEIGHT = 'max(320px, calc(100vh - 470px))'
const ANY = 'any'

export function ReceiptSearch() {
  const { filter, setFilter, items, totals, totalsLoading, loaded, loading, error, loadedAt, batches, open, loadMore } = useReceipts()
  const openPayee = usePayee((s) => s.openPayee)
  const [text, setText] = useState(filter.query)
  const [settled] = useDebouncedValue(text, SEARCH_SETTLE_MS)
  useEffect(() => {
    if (settled !== useReceipts.getState().filter.query) useReceipts.getState().setFilter({ query: settled })
  }, [settled])

  const count = totals.reduce((n, t) => n + t.count, 0)
  const problem = dateProblem(filter)
  const batchData = useMemo(
    () => batches.map((b) => ({ value: b.id, label: `${b.name} · ${formatTimestamp(b.createdAt).slice(0, 10)}` })),
    [batches],
  )
  const batchName = batches.find((b) => b.id === filter.batchId)?.name ?? filter.batchId

  return (
    <Stack gap="md" data-testid="receipts-search">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Payee, address or account, reference, tx hash, receipt no."
          leftSection={<IconSearch size={16} />}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          maxLength={RECEIPT_QUERY_CHARS_MAX}
          style={{ flex: '1 1 300px', minWidth: 240 }}
          data-testid="receipts-query"
        />
        {/* The filters wrap as one row under the search box when the window is narrow. */}
        <Group gap="sm" align="flex-end" wrap="nowrap">
          <Select
            label="Kind"
            data={[{ value: ANY, label: 'Any kind' }, ...RECEIPT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))]}
            value={filter.kind ?? ANY}
            onChange={(v) => setFilter({ kind: v === null || v === ANY ? null : (v as ReceiptKind) })}
            allowDeselect={false}
            w={150}
            data-testid="receipts-kind"
          />
          <TextInput
            label="Paid from (UTC)"
            type="date"
            value={filter.from}
            onChange={(e) => setFilter({ from: e.currentTarget.value })}
            w={140}
            data-testid="receipts-from"
          />
          <TextInput
            label="to"
            type="date"
            value={filter.to}
            onChange={(e) => setFilter({ to: e.currentTarget.value })}
            w={140}
            data-testid="receipts-to"
          />
          <Select
            label="Batch"
            placeholder="Any batch"
            data={batchData}
            value={filter.batchId}
            onChange={(v) => setFilter({ batchId: v })}
            searchable
            clearable
            nothingFoundMessage="No batch of that name"
            w={230}
            data-testid="receipts-batch"
          />
        </Group>
      </Group>

      {problem ? (
        <Text size="sm" c="orange.8" data-testid="receipts-date-problem">
          {problem}
        </Text>
      ) : null}
      {error ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the receipts" data-testid="receipts-error">
          {error}
        </Alert>
      ) : null}

      <Card withBorder padding="md" data-testid="receipts-totals-card">
        <Stack gap="xs">
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {filter.batchId ? `Totals of batch ${batchName}` : 'Totals per asset for this search'}
            </Text>
            {filter.batchId ? <BatchZipButton batchId={filter.batchId} /> : null}
          </Group>
          {totalsLoading && totals.length === 0 ? (
            <Group gap="xs" data-testid="receipts-totals-loading">
              <Loader size="xs" />
              <Text size="sm" c="dimmed">
                Adding up every receipt this search matches…
              </Text>
            </Group>
          ) : (
            <TotalsTable totals={totals} testId="receipts-totals" />
          )}
        </Stack>
      </Card>

      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Text size="sm" c="dimmed" data-testid="receipts-count">
            {!loaded
              ? ''
              : totalsLoading && totals.length === 0
                ? `${formatCount(items.length)} shown, newest first`
                : `${formatCount(count)} ${count === 1 ? 'receipt' : 'receipts'} · ${formatCount(items.length)} shown, newest first`}
          </Text>
          <UpdatedAt at={loadedAt} testId="receipts-updated" />
        </Group>
        <ReceiptTable
          items={items}
          onOpen={open}
          onPayee={openPayee}
          onEndReached={() => void loadMore()}
          resetKey={filter}
          testId="receipts-table"
          maxHeight={TABLE_HEIGHT}
          emptyText={loading && !loaded ? 'Loading…' : 'No receipt matches. Receipts are issued once a payment is final.'}
        />
      </Stack>
    </Stack>
  )
}
