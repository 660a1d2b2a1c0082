/**
 * The action requests of one escrow (fund, release, resolve, refund; a dispute is recorded too):
 * what is asked, by whom, the approvals with who, when, the key and whether the signature verifies,
 * how many are required, the core's sentences for the caller, and the buttons the caller may press.
 */
import { Alert, Badge, Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core'
import { IconAlertOctagon, IconAlertTriangle, IconCheck, IconKey, IconPlayerPlay, IconShieldCheck, IconX } from '@tabler/icons-react'
import { useState } from 'react'
import type { EscrowAction, EscrowDetail } from '../../../../shared/escrowApi'
import { APPROVAL_COMMENT_CHARS_MAX } from '../../../../shared/limits'
import { formatCount, formatDisplay, formatTimestamp } from '../../lib/format'
import { useSession } from '../session/store'
import { approveAction, executeAction, rejectAction } from './actions'
import { ActionStateBadge } from './StateBadge'
import { ACTION_KIND_LABELS, isOpenAction } from './states'

/** Open requests first, then the newest. */
function ordered(actions: EscrowAction[]): EscrowAction[] {
  return [...actions].sort(
    (a, b) => Number(isOpenAction(b.state)) - Number(isOpenAction(a.state)) || b.requestedAt.localeCompare(a.requestedAt),
  )
}

export function ActionRequests({ detail }: { detail: EscrowDetail }) {
  const list = ordered(detail.actions)
  return (
    <Card withBorder padding="lg" data-testid="escrow-actions">
      <Stack gap="sm">
        <Title order={4}>Requests and approvals</Title>
        {list.length === 0 ? (
          <Text size="sm" c="dimmed">
            No requests yet.
          </Text>
        ) : (
          list.map((a) => <ActionCard key={a.id} detail={detail} action={a} />)
        )}
      </Stack>
    </Card>
  )
}

function ActionCard({ detail, action: a }: { detail: EscrowDetail; action: EscrowAction }) {
  const operators = useSession((s) => s.operators)
  const e = detail.escrow
  const name = (id: string) => operators.find((o) => o.id === id)?.name ?? id
  const money = (s: string) => `${formatDisplay(s, e.scale, e.assetCode)} ${e.assetCode}`
  const open = isOpenAction(a.state)
  return (
    <Stack
      gap={6}
      p="sm"
      style={{
        borderRadius: 'var(--mantine-radius-md)',
        border: `1px solid ${open ? 'var(--mantine-color-yellow-4)' : 'var(--mantine-color-default-border)'}`,
      }}
      data-testid="escrow-action"
      data-kind={a.kind}
      data-milestone={a.milestone ?? ''}
      data-state={a.state}
    >
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Group gap="sm" wrap="nowrap">
          <Text fw={600} data-testid="action-title">
            {ACTION_KIND_LABELS[a.kind]}
            {a.milestone !== null ? ` of milestone ${a.milestone}` : a.kind === 'fund' ? ' the escrow' : ' of every open milestone'}
          </Text>
          <ActionStateBadge state={a.state} />
        </Group>
        <Stack gap={0} align="flex-end">
          <Text ff="monospace" fw={600} style={{ whiteSpace: 'nowrap' }} data-testid="action-amount">
            {money(a.amount)}
          </Text>
          {a.kind === 'resolve' ? (
            <Text size="xs" ff="monospace" c="dimmed" data-testid="action-split">
              {money(a.toPayee ?? '0')} to the payee · {money(a.toPayer ?? '0')} to the payer
            </Text>
          ) : null}
        </Stack>
      </Group>
      <Text size="sm" c="dimmed">
        Asked by {name(a.requestedBy)} at {formatTimestamp(a.requestedAt)} ·{' '}
        {a.required === 0
          ? 'needs no approval'
          : `${formatCount(a.approvals.length)} of ${formatCount(a.required)} ${a.required === 1 ? 'approval' : 'approvals'}`}{' '}
        ·{' '}
        <span style={{ fontFamily: 'var(--mantine-font-family-monospace)' }} title={a.digest}>
          digest {a.digest.slice(0, 12)}…
        </span>
      </Text>
      {a.reason ? <Text size="sm">“{a.reason}”</Text> : null}
      {a.approvals.map((ap, i) => (
        <Group key={i} gap="sm" wrap="nowrap" justify="space-between" data-testid="action-approval" data-operator-name={ap.operatorName}>
          <Group gap={6} wrap="nowrap">
            <Text size="sm">
              <b>Approved by {ap.operatorName}</b>{' '}
              <Text span size="sm" c="dimmed">
                at {formatTimestamp(ap.at)}
              </Text>
            </Text>
            <IconKey size={14} opacity={0.6} />
            <Text size="xs" ff="monospace" c={ap.keyFingerprint ? undefined : 'dimmed'} data-testid="action-approval-fingerprint">
              {ap.keyFingerprint ?? 'no key recorded'}
            </Text>
          </Group>
          <Badge
            color={ap.verified ? 'teal' : 'red'}
            variant={ap.verified ? 'light' : 'filled'}
            radius="sm"
            leftSection={ap.verified ? <IconShieldCheck size={12} /> : <IconAlertOctagon size={12} />}
            style={{ flexShrink: 0 }}
            data-testid="action-approval-signature"
          >
            {ap.verified ? 'signature verified' : 'signature does not verify'}
          </Badge>
        </Group>
      ))}
      {a.sentences.length > 0 ? (
        <Stack gap={2} data-testid="action-sentences">
          {a.sentences.map((s, i) => (
            <Text key={i} size="sm" c={open ? 'orange.8' : 'dimmed'} fw={open ? 500 : undefined}>
              {s}
            </Text>
          ))}
        </Stack>
      ) : null}
      {a.failureMessage ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title={a.failureCode ?? 'Failed'} data-testid="action-failure">
          {a.failureMessage}
        </Alert>
      ) : null}
      <ActionButtons action={a} />
    </Stack>
  )
}

function ActionButtons({ action: a }: { action: EscrowAction }) {
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState<'approve' | 'reject' | 'execute' | null>(null)
  if (!a.canApprove && !a.canExecute) return null

  async function run(kind: 'approve' | 'reject' | 'execute') {
    setBusy(kind)
    const ok =
      kind === 'approve' ? await approveAction(a, comment) : kind === 'reject' ? await rejectAction(a, comment) : await executeAction(a)
    setBusy(null)
    if (ok) setComment('')
  }

  return (
    <Group gap="xs" align="flex-end" mt={4}>
      {a.canApprove ? (
        <>
          <TextInput
            size="xs"
            w={320}
            placeholder="Comment (optional)"
            value={comment}
            maxLength={APPROVAL_COMMENT_CHARS_MAX}
            onChange={(ev) => setComment(ev.currentTarget.value)}
            data-testid="action-comment"
          />
          <Button
            size="xs"
            color="teal"
            leftSection={<IconCheck size={14} />}
            loading={busy === 'approve'}
            onClick={() => void run('approve')}
            data-testid="action-approve"
          >
            Approve
          </Button>
          <Button
            size="xs"
            color="red"
            variant="light"
            leftSection={<IconX size={14} />}
            loading={busy === 'reject'}
            onClick={() => void run('reject')}
            data-testid="action-reject"
          >
            Reject
          </Button>
        </>
      ) : null}
      {a.canExecute ? (
        <Button
          size="xs"
          color="violet"
          leftSection={<IconPlayerPlay size={14} />}
          loading={busy === 'execute'}
          onClick={() => void run('execute')}
          data-testid="action-execute"
        >
          Execute
        </Button>
      ) : null}
    </Group>
  )
}
