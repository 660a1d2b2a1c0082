/**
 * Admin changes waiting for a second admin (new operators, roles, deactivation, re-invites,
 * replaced keys), and the latest decided ones with whether the deciding signature verifies. An
 * admin approves another admin's change — signed with their own approval key — or rejects it; the
 * requester may withdraw their own. Nobody approves their own change.
 */
import { Badge, Button, Group, Stack, Text } from '@mantine/core'
import { IconCheck, IconShieldCheck, IconX } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { AdminChange } from '../../../../shared/operatorsApi'
import { loadErrorMessage, onEvent } from '../../lib/api'
import { formatTimestamp } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { approveChange, inviteOf, listChanges, rejectChange, type ShownInvite } from './operatorActions'

/** Decided changes listed under the pending ones (the full history is in the audit log). */
const DECIDED_SHOWN_MAX = 5

export function AdminChanges({ onInvite }: { onInvite(invite: ShownInvite): void }) {
  const operators = useSession((s) => s.operators)
  const me = useSession((s) => s.operator)
  const [changes, setChanges] = useState<AdminChange[]>([])
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      setChanges(await listChanges())
      setError(null)
    } catch (e) {
      setError(loadErrorMessage(e))
    }
  }, [])
  useEffect(() => {
    void load()
    return onEvent('operators.changed', () => void load())
  }, [load])

  const nameOf = (id: string | null) => (id ? (operators.find((o) => o.id === id)?.name ?? id) : '—')
  const pending = changes.filter((c) => c.state === 'pending')
  const decided = changes.filter((c) => c.state !== 'pending').slice(0, DECIDED_SHOWN_MAX)
  if (changes.length === 0 && !error) return null

  return (
    <Stack gap="xs" data-testid="admin-changes">
      <Text fw={600} size="sm">
        Admin changes
      </Text>
      {error ? (
        <Text size="sm" c="red">
          {error}
        </Text>
      ) : null}
      {pending.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing is waiting for a second admin.
        </Text>
      ) : (
        pending.map((c) => (
          <PendingChange
            key={c.id}
            change={c}
            requester={nameOf(c.requestedBy)}
            mine={me?.id === c.requestedBy}
            canDecide={hasRole(me, 'admin')}
            myKey={me?.approvalKey?.fingerprint ?? null}
            onDecided={(result) => {
              const shown = inviteOf(result, 'the new operator')
              if (shown) onInvite(shown)
              void load()
            }}
          />
        ))
      )}
      {decided.map((c) => (
        <Group key={c.id} gap="xs" wrap="nowrap" data-testid="admin-change" data-state={c.state}>
          <Badge size="sm" variant="light" color={c.state === 'applied' ? 'green' : 'gray'} radius="sm">
            {c.state}
          </Badge>
          <Text size="sm" style={{ flex: 1 }}>
            {c.summary}
          </Text>
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
            {c.decidedBy ? `${nameOf(c.decidedBy)} · ` : ''}
            {formatTimestamp(c.decidedAt ?? c.requestedAt)}
          </Text>
          {c.signatureVerified === true ? (
            <Badge size="sm" variant="light" color="teal" radius="sm" leftSection={<IconShieldCheck size={12} />}>
              signed
            </Badge>
          ) : c.signatureVerified === false ? (
            <Badge size="sm" variant="filled" color="red" radius="sm">
              signature invalid
            </Badge>
          ) : null}
        </Group>
      ))}
    </Stack>
  )
}

function PendingChange(props: {
  change: AdminChange
  requester: string
  mine: boolean
  canDecide: boolean
  myKey: string | null
  onDecided(result: Awaited<ReturnType<typeof approveChange>>): void
}) {
  const { change } = props
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null)
  async function decide(kind: 'approve' | 'reject') {
    setBusy(kind)
    const result = kind === 'approve' ? await approveChange(change.id) : await rejectChange(change.id)
    setBusy(null)
    if (result) props.onDecided(result)
  }
  return (
    <Stack
      gap={6}
      p="sm"
      style={{ border: '1px solid var(--mantine-color-yellow-4)', borderRadius: 'var(--mantine-radius-md)' }}
      data-testid="admin-change"
      data-state="pending"
    >
      <Group gap="xs" wrap="nowrap">
        <Badge size="sm" variant="light" color="yellow" radius="sm">
          pending
        </Badge>
        <Text size="sm" fw={500} data-testid="admin-change-summary">
          {change.summary}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        Asked by {props.requester} at {formatTimestamp(change.requestedAt)}
      </Text>
      {props.mine ? (
        <Group gap="sm">
          <Text size="sm" c="dimmed">
            You asked for this: another admin must approve it.
          </Text>
          <Button
            size="xs"
            variant="default"
            loading={busy === 'reject'}
            onClick={() => void decide('reject')}
            data-testid="admin-change-reject"
          >
            Withdraw
          </Button>
        </Group>
      ) : props.canDecide ? (
        <Stack gap={4}>
          <Group gap="xs">
            <Button
              size="xs"
              color="teal"
              leftSection={<IconCheck size={14} />}
              loading={busy === 'approve'}
              onClick={() => void decide('approve')}
              data-testid="admin-change-approve"
            >
              Approve and sign
            </Button>
            <Button
              size="xs"
              variant="light"
              color="red"
              leftSection={<IconX size={14} />}
              loading={busy === 'reject'}
              onClick={() => void decide('reject')}
              data-testid="admin-change-reject"
            >
              Reject
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            Approving signs this change with your approval key{props.myKey ? ` ${props.myKey}` : ''}; the signature is kept with it.
          </Text>
        </Stack>
      ) : null}
    </Stack>
  )
}
