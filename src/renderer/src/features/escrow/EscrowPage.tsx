/**
 * One escrow: its state and totals, the Stripe hold-limit warning, the milestone timeline, the
 * action requests with their approvals, the rail transactions and the history — and what the
 * operator may do to the escrow as a whole (ask for a refund, cancel one never funded).
 */
import { Alert, Button, Card, Group, Loader, Modal, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core'
import { IconAlertTriangle, IconArrowBackUp, IconArrowLeft, IconBan, IconClockExclamation } from '@tabler/icons-react'
import { useState } from 'react'
import type { EscrowDetail } from '../../../../shared/escrowApi'
import { APPROVAL_COMMENT_CHARS_MAX } from '../../../../shared/limits'
import { formatCount, formatDisplay, formatTimestamp, networkName } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { ActionRequests } from './ActionRequests'
import { cancelEscrow, requestAction } from './actions'
import { Countdown } from './Countdown'
import { EscrowHistory, EscrowTxs } from './EscrowRecords'
import { MilestoneTimeline } from './MilestoneTimeline'
import { EscrowStateBadge } from './StateBadge'
import { isOpenAction, mayCancelEscrow, mayRequestRefund } from './states'
import { useEscrow } from './store'

export function EscrowPage() {
  const { detail, detailError, detailLoading, close } = useEscrow()
  const back = (
    <Button variant="subtle" size="xs" leftSection={<IconArrowLeft size={14} />} onClick={close} data-testid="escrow-back" w="fit-content">
      All escrows
    </Button>
  )
  if (!detail)
    return (
      <Stack gap="lg" data-testid="escrow-page">
        {back}
        {detailError ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the escrow" data-testid="escrow-page-error">
            {detailError}
          </Alert>
        ) : detailLoading ? (
          <Loader size="sm" />
        ) : null}
      </Stack>
    )

  const e = detail.escrow
  return (
    <Stack gap="lg" data-testid="escrow-page" data-escrow-id={e.id} data-state={e.state}>
      {back}
      <EscrowHeader detail={detail} />
      {detailError ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not reload the escrow" data-testid="escrow-page-error">
          {detailError}
        </Alert>
      ) : null}
      {detail.holdLimit?.warn ? (
        <Alert
          color="orange"
          variant="light"
          icon={<IconClockExclamation />}
          title="Stripe's hold limit is near"
          data-testid="escrow-hold-limit"
        >
          Stripe lets the platform hold funds for a payee in {detail.holdLimit.country} for {detail.holdLimit.days} days; for this escrow
          that ends {formatTimestamp(detail.holdLimit.endsAt)} (<Countdown kind="stripe_hold_limit" at={detail.holdLimit.endsAt} />
          ). Release or refund the open milestones before then.
        </Alert>
      ) : null}
      <Totals detail={detail} />
      <MilestoneTimeline detail={detail} />
      <ActionRequests detail={detail} />
      <EscrowTxs detail={detail} />
      <EscrowHistory detail={detail} />
    </Stack>
  )
}

function EscrowHeader({ detail }: { detail: EscrowDetail }) {
  const operators = useSession((s) => s.operators)
  const e = detail.escrow
  const creator = operators.find((o) => o.id === e.createdBy)?.name ?? e.createdBy
  return (
    <Group justify="space-between" align="flex-start" wrap="nowrap">
      <Stack gap={6} style={{ minWidth: 0 }}>
        <Group gap="sm">
          <Title order={2} data-testid="view-title">
            {e.name}
          </Title>
          <EscrowStateBadge state={e.state} size="lg" testId="escrow-page-state" />
        </Group>
        <Text size="sm" c="dimmed" data-testid="escrow-meta">
          {e.payeeName ? `${e.payeeName} · ` : ''}
          <span style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{e.payee}</span> · {e.assetCode} on{' '}
          {networkName(e.rail, e.network)}
          {e.reference ? ` · ${e.reference}` : ''} · {e.funding === 'charge' ? 'funded by a customer charge' : 'funded from the treasury'} ·{' '}
          {e.autoRelease ? 'automatic release' : 'release on request'} · created by {creator} at {formatTimestamp(e.createdAt)}
        </Text>
      </Stack>
      <EscrowButtons detail={detail} />
    </Group>
  )
}

function Totals({ detail }: { detail: EscrowDetail }) {
  const e = detail.escrow
  const cells: { key: string; label: string; value: string; hint: string }[] = [
    {
      key: 'total',
      label: 'Total',
      value: e.total,
      hint: `${formatCount(e.milestones)} ${e.milestones === 1 ? 'milestone' : 'milestones'}`,
    },
    { key: 'held', label: 'Held', value: e.held, hint: 'Locked on the rail, in the escrow account' },
    { key: 'released', label: 'Released', value: e.released, hint: 'Paid to the payee' },
    { key: 'refunded', label: 'Refunded', value: e.refunded, hint: 'Back to the payer' },
  ]
  return (
    <SimpleGrid cols={{ base: 2, lg: 4 }} spacing="md" data-testid="escrow-totals">
      {cells.map((c) => (
        <Card key={c.key} withBorder padding="md" data-testid={`escrow-total-${c.key}`}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {c.label}
          </Text>
          <Text size="lg" fw={700} ff="monospace" data-testid="escrow-total-amount" style={{ overflowWrap: 'anywhere' }}>
            {formatDisplay(c.value, e.scale, e.assetCode)} {e.assetCode}
          </Text>
          <Text size="xs" c="dimmed">
            {c.key === 'total' ? (
              <>
                {c.hint} · expires {formatTimestamp(e.expiresAt)}
              </>
            ) : (
              c.hint
            )}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  )
}

function EscrowButtons({ detail }: { detail: EscrowDetail }) {
  const operator = useSession((s) => s.operator)
  const [confirm, setConfirm] = useState<'refund' | 'cancel' | null>(null)
  const e = detail.escrow
  const preparer = hasRole(operator, 'preparer')
  const refundOpen = detail.actions.some((a) => a.kind === 'refund' && isOpenAction(a.state))
  const canRefund = mayRequestRefund(e.state) && !refundOpen
  const canCancel = mayCancelEscrow(e.state) && detail.txs.length === 0 && (preparer || hasRole(operator, 'admin'))
  return (
    <Group gap="xs" wrap="nowrap">
      {canRefund ? (
        <Button
          variant="default"
          leftSection={<IconArrowBackUp size={16} />}
          disabled={!preparer}
          title={preparer ? undefined : 'You need the preparer role to ask for a refund.'}
          onClick={() => setConfirm('refund')}
          data-testid="escrow-request-refund"
        >
          Request refund…
        </Button>
      ) : null}
      {canCancel ? (
        <Button
          variant="default"
          color="red"
          leftSection={<IconBan size={16} />}
          onClick={() => setConfirm('cancel')}
          data-testid="escrow-cancel"
        >
          Cancel escrow…
        </Button>
      ) : null}
      {confirm ? <ConfirmDialog detail={detail} kind={confirm} onClose={() => setConfirm(null)} /> : null}
    </Group>
  )
}

const CONFIRM_WORDS = {
  refund: {
    title: 'Ask to refund the open milestones?',
    body: 'Every milestone still held goes back to the payer once an approver approves this request and it is executed. Disputed milestones are resolved with a split instead.',
    button: 'Ask for the refund',
    color: 'violet',
  },
  cancel: {
    title: 'Cancel this escrow?',
    body: 'It was never funded: nothing moves, and its funding request is withdrawn. It cannot be funded afterwards.',
    button: 'Cancel the escrow',
    color: 'red',
  },
} as const

function ConfirmDialog({ detail, kind, onClose }: { detail: EscrowDetail; kind: 'refund' | 'cancel'; onClose: () => void }) {
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const words = CONFIRM_WORDS[kind]
  const id = detail.escrow.id

  async function go() {
    setBusy(true)
    const reason = text.trim()
    const ok =
      kind === 'refund' ? await requestAction({ id, kind: 'refund', ...(reason ? { reason } : {}) }) : await cancelEscrow(id, reason)
    setBusy(false)
    if (ok) onClose()
  }

  return (
    <Modal opened onClose={onClose} title={words.title} centered size="lg" data-testid={`escrow-${kind}-dialog`}>
      <Stack gap="sm">
        <Text size="sm">{words.body}</Text>
        <Textarea
          label={kind === 'refund' ? 'Reason' : 'Comment'}
          value={text}
          maxLength={APPROVAL_COMMENT_CHARS_MAX}
          onChange={(ev) => setText(ev.currentTarget.value)}
          autosize
          minRows={2}
          data-testid={`escrow-${kind}-reason`}
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Keep it
          </Button>
          <Button color={words.color} loading={busy} onClick={() => void go()} data-testid={`escrow-${kind}-confirm`}>
            {words.button}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
