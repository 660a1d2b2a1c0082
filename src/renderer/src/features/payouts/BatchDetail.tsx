/**
 * One batch: its totals, the approval panel (the policy explained, the caller's own sentences as
 * the core marks them), execution, the warnings of its import and its payouts.
 */
import { Alert, Button, Card, Group, List, Loader, SimpleGrid, Stack, Text, Textarea, Title, Tooltip } from '@mantine/core'
import {
  IconAlertOctagon,
  IconAlertTriangle,
  IconArrowLeft,
  IconCheck,
  IconPlus,
  IconSend,
  IconUserExclamation,
  IconX,
} from '@tabler/icons-react'
import { useCallback, useState } from 'react'
import { APPROVAL_COMMENT_CHARS_MAX } from '../../../../shared/limits'
import type { BatchDetail, Payout } from '../../../../shared/payoutsApi'
import type { ImportRowIssue } from '../../../../shared/payoutImport'
import { formatCount, formatExact, formatTimestamp, networkLabel } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { approveBatch, cancelBatch, rejectBatch, removeRow, submitBatch } from './actions'
import { ApprovalEntries } from './ApprovalEntries'
import { ExecutionPanel } from './ExecutionPanel'
import { problemText } from './IssuesTable'
import { PayoutsTable } from './PayoutsTable'
import { RowForm } from './RowForm'
import { BatchReceipts } from '../receipts/BatchReceipts'
import { BatchStateBadge } from './StateBadge'
import { UpdatedAt } from '../../components/UpdatedAt'
import { canCancel } from './states'
import { usePayouts } from './store'

/** The sentences that speak to the caller (the core marks them): why they may or may not act. */
function callerSentences(detail: BatchDetail): string[] {
  const own = detail.approvalStatus.callerSentences
  return own.length > 0 ? own : detail.approvalStatus.sentences.slice(-1)
}

export function BatchDetailView() {
  const { detail, detailError, detailLoading, detailLoadedAt: loadedAt, submissions, assets, close, selectedId } = usePayouts()
  const warnings = usePayouts((s) => (selectedId ? s.importWarnings[selectedId] : undefined))
  const operator = useSession((s) => s.operator)
  const names = useSession((s) => s.operators)
  const [editing, setEditing] = useState<Payout | 'new' | null>(null)
  const onEdit = useCallback((p: Payout) => setEditing(p), [])
  const version = detail?.batch.version
  const id = detail?.batch.id
  const onRemove = useCallback(
    (p: Payout) => {
      if (id && version) void removeRow(id, version, p.id)
    },
    [id, version],
  )

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
  const preparer = hasRole(operator, 'preparer')
  const creator = names.find((o) => o.id === b.createdBy)?.name ?? b.createdBy

  return (
    <Stack gap="lg" data-testid="batch-detail" data-batch-id={b.id} data-state={b.state}>
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

      {warnings && warnings.length > 0 && (isDraft || b.state === 'awaiting_approval') ? (
        <ImportWarnings warnings={warnings} draft={isDraft} />
      ) : null}

      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md" data-testid="batch-totals-by-rail">
        {detail.totalsByRail.map((t) => (
          <Card key={`${t.assetId}`} withBorder padding="md" data-testid={`batch-total-${t.assetId}`}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {t.assetCode} on {networkLabel(t.rail, t.network)}
            </Text>
            <Text size="xl" fw={700} ff="monospace" data-testid="batch-total-amount">
              {formatExact(t.total, t.scale)} {t.assetCode}
            </Text>
            <Text size="xs" c="dimmed">
              {formatCount(t.payouts)} {t.payouts === 1 ? 'payout' : 'payouts'}
            </Text>
          </Card>
        ))}
      </SimpleGrid>

      <ApprovalPanel detail={detail} />

      <ExecutionPanel detail={detail} submissions={submissions} />

      <BatchReceipts batchId={b.id} rails={b.rails} />

      {editing && isDraft ? (
        <RowForm
          key={editing === 'new' ? 'new' : editing.id}
          batchId={b.id}
          version={b.version}
          assets={assets}
          payout={editing === 'new' ? null : editing}
          onDone={() => setEditing(null)}
        />
      ) : null}

      <Stack gap="sm">
        <Title order={4}>Payouts</Title>
        <PayoutsTable
          payouts={detail.payouts}
          assets={assets}
          submissions={submissions}
          editable={isDraft && preparer}
          onEdit={onEdit}
          onRemove={onRemove}
        />
      </Stack>
    </Stack>
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

function ImportWarnings({ warnings, draft }: { warnings: ImportRowIssue[]; draft: boolean }) {
  const lookalikes = warnings.filter((w) => w.code === 'PAYEE_LOOKALIKE')
  const others = warnings.filter((w) => w.code !== 'PAYEE_LOOKALIKE')
  return (
    <Stack gap="sm" data-testid="import-warnings">
      {lookalikes.length > 0 ? (
        // Loud on purpose: a look-alike address is how invoice fraud redirects a payment.
        <Alert
          color="red"
          variant="filled"
          icon={<IconAlertOctagon size={26} />}
          title={`Look-alike ${lookalikes.length === 1 ? 'address' : 'addresses'} — ${draft ? 'check before you submit' : 'check before you approve'}`}
          data-testid="import-lookalike"
          styles={{ title: { fontSize: 'var(--mantine-font-size-lg)' } }}
        >
          <List size="sm" spacing={4}>
            {lookalikes.map((w, i) => (
              <List.Item key={i}>
                <b>Row {w.row}</b>: {problemText(w)}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      {others.length > 0 ? (
        <Alert
          color="yellow"
          variant="light"
          icon={<IconUserExclamation size={22} />}
          title={draft ? 'Check before you submit' : 'Flagged when the file was imported'}
          data-testid="import-warning-list"
        >
          <List size="sm" spacing={4}>
            {others.map((w, i) => (
              <List.Item key={i} data-testid="import-warning" data-code={w.code}>
                {w.row !== null ? <b>Row {w.row}: </b> : null}
                {problemText(w)}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
    </Stack>
  )
}

function ApprovalPanel({ detail }: { detail: BatchDetail }) {
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null)
  const b = detail.batch
  const s = detail.approvalStatus
  const deciding = b.state === 'awaiting_approval'
  const reason = s.canApprove ? null : callerSentences(detail).join(' ')

  async function decide(kind: 'approve' | 'reject') {
    setBusy(kind)
    const ok = kind === 'approve' ? await approveBatch(b.id, b.version, comment) : await rejectBatch(b.id, b.version, comment)
    setBusy(null)
    if (ok) setComment('')
  }

  const button = (kind: 'approve' | 'reject') => {
    const btn = (
      <Button
        color={kind === 'approve' ? 'teal' : 'red'}
        variant={kind === 'approve' ? 'filled' : 'light'}
        leftSection={kind === 'approve' ? <IconCheck size={16} /> : <IconX size={16} />}
        disabled={!s.canApprove}
        loading={busy === kind}
        onClick={() => void decide(kind)}
        data-testid={`batch-${kind}`}
      >
        {kind === 'approve' ? `Approve version ${b.version}` : 'Reject'}
      </Button>
    )
    return reason ? (
      <Tooltip label={reason} multiline w={320}>
        <span>{btn}</span>
      </Tooltip>
    ) : (
      btn
    )
  }

  return (
    <Card withBorder padding="lg" data-testid="approval-panel">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>Approval</Title>
          <Text size="sm" c="dimmed" data-testid="approval-count">
            {formatCount(s.approvals)} of {formatCount(s.required)} {s.required === 1 ? 'approval' : 'approvals'}
          </Text>
        </Group>
        <Stack gap={4} data-testid="approval-sentences">
          {s.sentences.map((sentence, i) => (
            <Text key={i} size="sm" data-testid="approval-sentence">
              {sentence}
            </Text>
          ))}
        </Stack>
        {s.dailyLimits.length > 0 ? (
          <Stack gap={2} data-testid="approval-daily-limits">
            {s.dailyLimits.map((d) => (
              <Text key={`${d.rail}-${d.assetId}`} size="sm" c={d.ok ? 'dimmed' : 'red'}>
                Daily limit on {d.rail} for {d.assetId}: {d.limit} — used today {d.usedToday}, this batch {d.thisBatch}
                {d.ok ? '' : ' (over the limit)'}
              </Text>
            ))}
          </Stack>
        ) : null}
        {detail.approvals.length > 0 ? <ApprovalEntries approvals={detail.approvals} /> : null}
        {deciding ? (
          <Stack gap="xs">
            <Textarea
              label="Comment"
              description="Required reading for the preparer when you reject"
              placeholder="Why you approve or reject this version"
              value={comment}
              maxLength={APPROVAL_COMMENT_CHARS_MAX}
              onChange={(e) => setComment(e.currentTarget.value)}
              disabled={!s.canApprove}
              autosize
              minRows={2}
              data-testid="approval-comment"
            />
            <Group gap="xs">
              {button('approve')}
              {button('reject')}
            </Group>
            {reason ? (
              <Text size="sm" c="orange.8" fw={500} data-testid="approval-disabled-reason">
                {reason}
              </Text>
            ) : (
              <SigningNote />
            )}
          </Stack>
        ) : null}
      </Stack>
    </Card>
  )
}

/** Approving is signing: say with which key, before the person presses the button. */
function SigningNote() {
  const key = useSession((s) => s.operator?.approvalKey ?? null)
  if (!key) return null
  return (
    <Text size="xs" c="dimmed" data-testid="approval-signing-note">
      Your decision is signed with your approval key {key.fingerprint}
      {key.kind === 'ledger-evm' ? ' — confirm it on your Ledger when asked.' : '.'}
    </Text>
  )
}
