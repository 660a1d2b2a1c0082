/**
 * One batch: its totals, the approval panel (the policy explained, the caller's own sentences as
 * the core marks them), execution, the warnings of its import and its payouts.
 *
 * A big batch paints its header, totals and first payouts at once; what needs every payout (the
 * warnings, approval and execution panels, search and filters) shows when the rest is read
 * (store.ts), with a line saying it is being read — never numbers about a part of the batch.
 */
import { Alert, Button, Card, Group, Loader, Modal, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconArrowLeft, IconPlus, IconSend, IconX } from '@tabler/icons-react'
import { useCallback, useMemo, useState } from 'react'
import { groupBatchWarnings } from '../../../../shared/batchWarningGroups'
import type { BatchDetail, Payout } from '../../../../shared/payoutsApi'
import { DisplayAmount } from '../../components/DisplayAmount'
import { formatCount, formatDisplay, formatTimestamp, networkLabel, networkName } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { cancelBatch, removeRow, submitBatch } from './actions'
import { ApprovalPanel } from './ApprovalPanel'
import { BatchWarnings } from './BatchWarnings'
import { ExecutionPanel } from './ExecutionPanel'
import { PayoutsTable } from './PayoutsTable'
import { ALL_PAYOUTS, PayoutsToolbar, type PayoutsView } from './PayoutsToolbar'
import { filterPayouts } from './payoutFilter'
import type { Asset } from '../../../../shared/ledgerApi'
import { RowForm } from './RowForm'
import { BatchReceipts } from '../receipts/BatchReceipts'
import { BatchStateBadge } from './StateBadge'
import { UpdatedAt } from '../../components/UpdatedAt'
import { canCancel } from './states'
import { usePayouts } from './store'

export function BatchDetailView() {
  const {
    detail,
    detailComplete: complete,
    detailError,
    detailLoading,
    detailLoadedAt: loadedAt,
    submissions,
    assets,
    close,
  } = usePayouts()
  // What the payouts table shows (search and filters), per batch: another batch starts unfiltered.
  const [view, setView] = useState<{ batchId: string; view: PayoutsView } | null>(null)
  const [removing, setRemoving] = useState<Payout | null>(null)
  const operator = useSession((s) => s.operator)
  const names = useSession((s) => s.operators)
  const [editing, setEditing] = useState<Payout | 'new' | null>(null)
  const onEdit = useCallback((p: Payout) => setEditing(p), [])
  const id = detail?.batch.id
  const groups = useMemo(() => {
    if (!detail) return []
    const recipients = new Map(detail.payouts.map((p) => [p.id, p.recipient]))
    return groupBatchWarnings(detail.warnings, (payoutId) => recipients.get(payoutId))
  }, [detail])
  const shownView = view && view.batchId === id ? view.view : ALL_PAYOUTS
  const filterCode = shownView.warningCode
  const onView = useCallback((next: PayoutsView) => setView(id ? { batchId: id, view: next } : null), [id])
  const onFilter = useCallback((code: string | null) => onView({ ...ALL_PAYOUTS, warningCode: code }), [onView])
  const shownPayouts = useMemo(() => {
    if (!detail) return []
    const ids = shownView.warningCode === null ? null : new Set(groups.find((g) => g.code === shownView.warningCode)?.payoutIds ?? [])
    return filterPayouts(detail.payouts, { search: shownView.search, state: shownView.state, assetId: shownView.assetId, warningIds: ids })
  }, [detail, groups, shownView])
  const warningsByPayout = useMemo(() => {
    const byPayout = new Map<string, string[]>()
    for (const w of detail?.warnings ?? []) {
      if (w.payoutId === null) continue
      const list = byPayout.get(w.payoutId) ?? []
      list.push(w.problem)
      byPayout.set(w.payoutId, list)
    }
    return byPayout
  }, [detail])
  const batchAssetIds = useMemo(() => detail?.payouts.map((p) => p.assetId) ?? [], [detail])
  // Removing asks first: it changes the batch (a new version) and cannot be taken back with one click.
  const onRemove = useCallback((p: Payout) => setRemoving(p), [])

  const back = (
    <Button variant="subtle" size="xs" leftSection={<IconArrowLeft size={14} />} onClick={close} data-testid="batch-back" w="fit-content">
      All batches
    </Button>
  )
  if (!detail) {
    return (
      <Stack gap="lg" data-testid="batch-detail">
        {back}
        {detailError ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the batch" data-testid="batch-error">
            {detailError}
          </Alert>
        ) : detailLoading ? (
          <Loader size="sm" />
        ) : null}
      </Stack>
    )
  }

  const b = detail.batch
  const isDraft = b.state === 'draft'
  const deciding = b.state === 'awaiting_approval'
  const preparer = hasRole(operator, 'preparer')
  const creator = names.find((o) => o.id === b.createdBy)?.name ?? b.createdBy

  return (
    <Stack gap="lg" data-testid="batch-detail" data-batch-id={b.id} data-state={b.state} data-complete={complete}>
      {back}
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={6}>
          <Group gap="sm">
            <Title order={2} data-testid="view-title">
              {b.name}
            </Title>
            <BatchStateBadge state={b.state} size="lg" testId="batch-detail-state" />
          </Group>
          <Text size="sm" c="dimmed" data-testid="batch-meta">
            Version {b.version} · {formatCount(b.payouts)} {b.payouts === 1 ? 'payout' : 'payouts'} · created by {creator} at{' '}
            {formatTimestamp(b.createdAt)}
            {b.source ? ` · from ${b.source}` : ''} · <span style={{ fontFamily: 'monospace' }}>{b.id}</span>
          </Text>
          <UpdatedAt at={loadedAt} testId="batch-updated" />
        </Stack>
        <BatchActions detail={detail} onAdd={() => setEditing('new')} />
      </Group>

      {detailError ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not reload the batch" data-testid="batch-error">
          {detailError}
        </Alert>
      ) : null}

      {isDraft && detail.lastRejection ? (
        <Alert
          color="orange"
          variant="light"
          icon={<IconX />}
          title={`Rejected by ${detail.lastRejection.operatorName} (version ${detail.lastRejection.version})`}
          data-testid="batch-rejection"
        >
          {detail.lastRejection.comment ?? 'No comment was given.'}
        </Alert>
      ) : null}

      {/* Awaiting approval, the decision comes first: on a 1024×700 laptop the approve button is on
          the first screen, with the totals, limits and warnings it needs; the row-by-row detail follows. */}
      {complete && deciding ? <ApprovalPanel detail={detail} groups={groups} /> : null}

      {complete && (isDraft || deciding) ? (
        <BatchWarnings groups={groups} draft={isDraft} filterCode={filterCode} onFilter={onFilter} />
      ) : null}

      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md" data-testid="batch-totals-by-rail">
        {detail.totalsByRail.map((t) => (
          <Card key={`${t.assetId}`} withBorder padding="md" data-testid={`batch-total-${t.assetId}`}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              <span title={networkLabel(t.rail, t.network)}>
                {t.assetCode} on {networkName(t.rail, t.network)}
              </span>
            </Text>
            <Text size="xl" fw={700} data-testid="batch-total-amount">
              <DisplayAmount value={t.total} scale={t.scale} code={t.assetCode} size="xl" fw={700} />
            </Text>
            <Text size="xs" c="dimmed">
              {formatCount(t.payouts)} {t.payouts === 1 ? 'payout' : 'payouts'}
            </Text>
          </Card>
        ))}
      </SimpleGrid>

      {complete ? (
        <>
          {deciding ? null : <ApprovalPanel detail={detail} groups={groups} />}
          <ExecutionPanel detail={detail} submissions={submissions} />
        </>
      ) : (
        <Group gap="xs" data-testid="batch-reading">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            Reading all {formatCount(detail.payoutsPage.total)} payouts and their warnings — the warnings, approval and execution appear
            when every row is in.
          </Text>
        </Group>
      )}

      <BatchReceipts batchId={b.id} rails={b.rails} />

      {/* A dialog, not a card at the foot of the page: it opens where the person is. */}
      <Modal
        opened={editing !== null && isDraft}
        onClose={() => setEditing(null)}
        size="xl"
        withCloseButton={false}
        padding={0}
        data-testid="row-form-dialog"
      >
        {editing && isDraft ? (
          <RowForm
            key={editing === 'new' ? 'new' : editing.id}
            batchId={b.id}
            version={b.version}
            assets={assets}
            payout={editing === 'new' ? null : editing}
            batchAssetIds={batchAssetIds}
            onDone={() => setEditing(null)}
          />
        ) : null}
      </Modal>

      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={4}>Payouts</Title>
          <PayoutsToolbar
            view={shownView}
            onChange={onView}
            payouts={detail.payouts}
            shown={shownPayouts.length}
            assets={assets}
            groups={groups}
            readingOf={complete ? null : detail.payoutsPage.total}
          />
        </Group>
        <PayoutsTable
          warningsByPayout={warningsByPayout}
          payouts={shownPayouts}
          assets={assets}
          submissions={submissions}
          editable={isDraft && preparer}
          onEdit={onEdit}
          onRemove={onRemove}
        />
      </Stack>
      {removing ? (
        <RemovePayoutDialog
          payout={removing}
          detail={detail}
          assets={assets}
          onClose={() => setRemoving(null)}
          onRemove={async () => {
            const ok = await removeRow(b.id, b.version, removing.id)
            if (ok) setRemoving(null)
          }}
        />
      ) : null}
    </Stack>
  )
}

function RemovePayoutDialog({
  payout,
  detail,
  assets,
  onClose,
  onRemove,
}: {
  payout: Payout
  detail: BatchDetail
  assets: Asset[]
  onClose: () => void
  onRemove: () => Promise<void>
}) {
  const [busy, setBusy] = useState(false)
  const asset = assets.find((a) => a.id === payout.assetId)
  const amount = asset ? `${formatDisplay(payout.amount, asset.scale, asset.code)} ${asset.code}` : `${payout.amount} ${payout.assetId}`
  return (
    <Modal opened onClose={onClose} title={<Text fw={700}>Remove this payout?</Text>} data-testid="remove-payout-dialog">
      <Stack gap="sm">
        <Text size="sm">
          <b>{amount}</b> to {payout.name ?? 'an unnamed payee'} ({payout.recipient}), row {payout.rowNo}
          {payout.reference ? `, reference ${payout.reference}` : ''} — payout <span style={{ fontFamily: 'monospace' }}>{payout.id}</span>.
        </Text>
        <Text size="sm" c="dimmed">
          The batch becomes version {detail.batch.version + 1}
          {detail.approvals.length > 0 ? ' and its approvals no longer count' : ''}. The payout was never paid, so its id can be imported or
          added again.
        </Text>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose} data-testid="remove-payout-keep">
            Keep it
          </Button>
          <Button
            color="red"
            loading={busy}
            onClick={async () => {
              setBusy(true)
              await onRemove()
              setBusy(false)
            }}
            data-testid="remove-payout-confirm"
          >
            Remove payout
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}

function BatchActions({ detail, onAdd }: { detail: BatchDetail; onAdd: () => void }) {
  const operator = useSession((s) => s.operator)
  const [busy, setBusy] = useState<'submit' | 'cancel' | null>(null)
  const [confirmCancel, setConfirmCancel] = useState(false)
  const b = detail.batch
  const preparer = hasRole(operator, 'preparer')
  const mayCancel = preparer || hasRole(operator, 'admin')

  return (
    <Group gap="xs" wrap="nowrap">
      {b.state === 'draft' && preparer ? (
        <>
          <Button variant="default" leftSection={<IconPlus size={16} />} onClick={onAdd} data-testid="row-add">
            Add payout
          </Button>
          <Button
            leftSection={<IconSend size={16} />}
            loading={busy === 'submit'}
            disabled={b.payouts === 0}
            title={b.payouts === 0 ? 'Add at least one payout first.' : undefined}
            onClick={async () => {
              setBusy('submit')
              await submitBatch(b.id, b.version)
              setBusy(null)
            }}
            data-testid="batch-submit"
          >
            Submit for approval
          </Button>
        </>
      ) : null}
      {canCancel(b.state) && mayCancel ? (
        confirmCancel ? (
          <>
            <Button
              color="red"
              loading={busy === 'cancel'}
              onClick={async () => {
                setBusy('cancel')
                await cancelBatch(b.id, '')
                setBusy(null)
                setConfirmCancel(false)
              }}
              data-testid="batch-cancel-confirm"
            >
              Cancel this batch
            </Button>
            <Button variant="default" onClick={() => setConfirmCancel(false)} data-testid="batch-cancel-keep">
              Keep it
            </Button>
          </>
        ) : (
          <Button variant="default" color="red" onClick={() => setConfirmCancel(true)} data-testid="batch-cancel">
            Cancel batch…
          </Button>
        )
      ) : null}
    </Group>
  )
}
