/**
 * Settings → Operators: who works in this workspace, their roles, whether they have set up their
 * passphrase, and the fingerprint of the key their approvals are signed with. Admins invite
 * (the one-time code is shown here once), change roles, deactivate and re-invite — each an admin
 * change a second admin approves where there are two (./AdminChanges.tsx). Everyone manages their
 * own passphrase and key (./MyCredentials.tsx).
 */
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  CopyButton,
  Group,
  Menu,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core'
import { IconAlertTriangle, IconCheck, IconCopy, IconDots, IconKey, IconLock } from '@tabler/icons-react'
import { useState } from 'react'
import { ROLES, type Role } from '../../../../shared/blocks'
import { IDLE_LOCK_MINUTES_MAX, OPERATOR_NAME_CHARS_MAX } from '../../../../shared/limits'
import type { Operator } from '../../../../shared/workspaceApi'
import { RoleBadges, ROLE_LABELS } from '../../components/RoleBadges'
import { formatTimestamp } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { AdminChanges } from './AdminChanges'
import { MyCredentials } from './MyCredentials'
import { deactivate, inviteOf, inviteOperator, reinvite, setIdleLockMinutes, setRoles, type ShownInvite } from './operatorActions'

export function OperatorsSection() {
  const operators = useSession((s) => s.operators)
  const me = useSession((s) => s.operator)
  const error = useSession((s) => s.error)
  const isAdmin = hasRole(me, 'admin')
  const [invite, setInvite] = useState<ShownInvite | null>(null)

  return (
    <Card withBorder padding="lg" data-testid="settings-operators">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={4}>Operators</Title>
          <Text size="sm" c="dimmed">
            The people who share this desk. Each unlocks with their own passphrase, and each approval is signed with their own key. Roles
            decide what each may do: preparers build batches, approvers approve someone else&apos;s, signers sign on the Ledger, admins
            manage the workspace.
          </Text>
        </Stack>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />}>
            {error}
          </Alert>
        ) : null}
        <OperatorsTable operators={operators} me={me} isAdmin={isAdmin} onInvite={setInvite} />
        {invite ? <InviteCodeCard invite={invite} onDone={() => setInvite(null)} /> : null}
        {isAdmin ? (
          <InviteForm onInvite={setInvite} />
        ) : (
          <Group gap={6}>
            <IconLock size={14} opacity={0.6} />
            <Text size="xs" c="dimmed">
              Only an admin can invite operators or change roles.
            </Text>
          </Group>
        )}
        <AdminChanges onInvite={setInvite} />
        <MyCredentials />
        <IdleLockSetting isAdmin={isAdmin} />
      </Stack>
    </Card>
  )
}

function StatusBadge({ operator }: { operator: Operator }) {
  if (operator.status === 'deactivated')
    return (
      <Badge size="sm" variant="light" color="gray" radius="sm">
        deactivated
      </Badge>
    )
  if (operator.status === 'invited' || !operator.passphraseSet)
    return (
      <Badge size="sm" variant="light" color="yellow" radius="sm">
        {operator.status === 'invited' ? 'invited' : 'no passphrase'}
      </Badge>
    )
  return (
    <Badge size="sm" variant="light" color="green" radius="sm">
      active
    </Badge>
  )
}

export function KeyFingerprint({ operator }: { operator: Operator }) {
  const key = operator.approvalKey
  if (!key)
    return (
      <Text size="xs" c="dimmed">
        none yet
      </Text>
    )
  return (
    <Tooltip label={key.path ? `Ledger account ${key.publicKey} at ${key.path}` : `ed25519 public key ${key.publicKey}`} multiline w={360}>
      <Group gap={6} wrap="nowrap" data-testid="operator-key">
        <IconKey size={14} opacity={0.6} />
        <Text size="xs" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
          {key.fingerprint}
        </Text>
      </Group>
    </Tooltip>
  )
}

type RowAction = { kind: 'roles' | 'deactivate' | 'reinvite'; operator: Operator }

function OperatorsTable(props: { operators: Operator[]; me: Operator | null; isAdmin: boolean; onInvite(invite: ShownInvite): void }) {
  const [action, setAction] = useState<RowAction | null>(null)
  return (
    <>
      <Table.ScrollContainer minWidth={760}>
        <Table verticalSpacing="xs" highlightOnHover data-testid="operators-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Roles</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Approval key</Table.Th>
              <Table.Th>Added</Table.Th>
              {props.isAdmin ? <Table.Th w={48} /> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.operators.map((o) => (
              <Table.Tr key={o.id} data-testid="operator-row" data-operator-name={o.name} data-status={o.status}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={500} c={o.status === 'deactivated' ? 'dimmed' : undefined}>
                      {o.name}
                    </Text>
                    {props.me?.id === o.id ? (
                      <Badge size="xs" variant="outline" radius="sm">
                        you
                      </Badge>
                    ) : null}
                  </Group>
                  <Text size="xs" ff="monospace" c="dimmed">
                    {o.id}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <RoleBadges roles={o.roles} size="xs" />
                </Table.Td>
                <Table.Td>
                  <StatusBadge operator={o} />
                </Table.Td>
                <Table.Td>
                  <KeyFingerprint operator={o} />
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace">
                    {formatTimestamp(o.createdAt)}
                  </Text>
                </Table.Td>
                {props.isAdmin ? (
                  <Table.Td>
                    {o.status !== 'deactivated' ? <RowMenu operator={o} onAction={(kind) => setAction({ kind, operator: o })} /> : null}
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {action?.kind === 'roles' ? <RolesModal key={action.operator.id} operator={action.operator} onClose={() => setAction(null)} /> : null}
      {action && action.kind !== 'roles' ? (
        <ConfirmModal
          key={`${action.kind}-${action.operator.id}`}
          kind={action.kind}
          operator={action.operator}
          onClose={() => setAction(null)}
          onInvite={props.onInvite}
        />
      ) : null}
    </>
  )
}

function RowMenu({ operator, onAction }: { operator: Operator; onAction(kind: RowAction['kind']): void }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Change ${operator.name}`} data-testid="operator-actions">
          <IconDots size={16} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => onAction('roles')} data-testid="operator-action-roles">
          Change roles…
        </Menu.Item>
        <Menu.Item onClick={() => onAction('reinvite')} data-testid="operator-action-reinvite">
          Re-invite (forgotten passphrase)…
        </Menu.Item>
        <Menu.Item color="red" onClick={() => onAction('deactivate')} data-testid="operator-action-deactivate">
          Deactivate…
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  )
}

function RolesModal({ operator, onClose }: { operator: Operator; onClose(): void }) {
  const [roles, setRolesState] = useState<Role[]>(operator.roles)
  const [busy, setBusy] = useState(false)
  async function save() {
    setBusy(true)
    const result = await setRoles(operator.id, roles)
    setBusy(false)
    if (result) onClose()
  }
  return (
    <Modal opened onClose={onClose} title={`Roles of ${operator.name}`} centered>
      <Stack gap="md" data-testid="roles-modal">
        <Checkbox.Group value={roles} onChange={(v) => setRolesState(v as Role[])}>
          <Group gap="md">
            {ROLES.map((r) => (
              <Checkbox key={r} value={r} label={ROLE_LABELS[r]} data-testid={`roles-modal-${r}`} />
            ))}
          </Group>
        </Checkbox.Group>
        <Text size="xs" c="dimmed">
          Where the workspace has two admins, another admin approves the change; nobody approves their own. The last admin stays an admin.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void save()} loading={busy} disabled={roles.length === 0} data-testid="roles-modal-save">
            Save roles
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}

const CONFIRM_TEXT = {
  deactivate: {
    title: 'Deactivate',
    body: 'They can no longer unlock or make changes; open sessions end now. The profile is kept, never deleted, so their past approvals stay verifiable.',
    button: 'Deactivate',
  },
  reinvite: {
    title: 'Re-invite',
    body: 'For a forgotten passphrase: their passphrase and approval key are reset, their sessions end, and you get a new one-time invite code to hand them. Their past approvals stay verifiable.',
    button: 'Re-invite',
  },
} as const

function ConfirmModal(props: {
  kind: 'deactivate' | 'reinvite'
  operator: Operator
  onClose(): void
  onInvite(invite: ShownInvite): void
}) {
  const [busy, setBusy] = useState(false)
  const text = CONFIRM_TEXT[props.kind]
  async function confirm() {
    setBusy(true)
    const result = props.kind === 'deactivate' ? await deactivate(props.operator.id) : await reinvite(props.operator.id)
    setBusy(false)
    if (result) {
      const shown = inviteOf(result, props.operator.name)
      if (shown) props.onInvite(shown)
      props.onClose()
    }
  }
  return (
    <Modal opened onClose={props.onClose} title={`${text.title} ${props.operator.name}?`} centered>
      <Stack gap="md" data-testid="confirm-modal">
        <Text size="sm">{text.body}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button
            color={props.kind === 'deactivate' ? 'red' : undefined}
            onClick={() => void confirm()}
            loading={busy}
            data-testid="confirm-modal-ok"
          >
            {text.button}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}

function InviteForm({ onInvite }: { onInvite(invite: ShownInvite): void }) {
  const [name, setName] = useState('')
  const [roles, setRolesState] = useState<Role[]>([])
  const [busy, setBusy] = useState(false)
  async function submit() {
    setBusy(true)
    const result = await inviteOperator(name.trim(), roles)
    setBusy(false)
    if (result) {
      const shown = inviteOf(result, name.trim())
      if (shown) onInvite(shown)
      setName('')
      setRolesState([])
    }
  }
  return (
    <Card withBorder padding="md" radius="md" bg="var(--mantine-color-default-hover)" data-testid="add-operator-form">
      <Stack gap="sm">
        <Text fw={600} size="sm">
          Invite an operator
        </Text>
        <Group align="flex-end" gap="lg" wrap="wrap">
          <TextInput
            label="Name"
            placeholder="e.g. Carol Signer"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={OPERATOR_NAME_CHARS_MAX}
            w={260}
            data-testid="add-operator-name"
          />
          <Checkbox.Group label="Roles" value={roles} onChange={(v) => setRolesState(v as Role[])}>
            <Group gap="md" mt={8} mb={8}>
              {ROLES.map((r) => (
                <Checkbox key={r} value={r} label={ROLE_LABELS[r]} data-testid={`add-operator-role-${r}`} />
              ))}
            </Group>
          </Checkbox.Group>
          <Button
            onClick={() => void submit()}
            loading={busy}
            disabled={name.trim() === '' || roles.length === 0}
            data-testid="add-operator-submit"
          >
            Invite
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          You get a one-time invite code to hand them in person; they choose their own passphrase with it at first unlock.
        </Text>
      </Stack>
    </Card>
  )
}

/** The one-time invite code, shown once: it is stored only as a hash. */
function InviteCodeCard({ invite, onDone }: { invite: ShownInvite; onDone(): void }) {
  return (
    <Alert
      color="indigo"
      variant="light"
      icon={<IconKey size={18} />}
      title={`Invite code for ${invite.name}`}
      data-testid="invite-code-card"
    >
      <Stack gap="xs">
        <Group gap="sm" wrap="nowrap">
          <Text ff="monospace" fw={700} size="lg" style={{ letterSpacing: '0.04em', userSelect: 'all' }} data-testid="invite-code">
            {invite.code}
          </Text>
          <CopyButton value={invite.code}>
            {({ copied, copy }) => (
              <Button
                size="xs"
                variant="light"
                leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
                onClick={copy}
                data-testid="invite-code-copy"
              >
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm">
          Shown only now — Countersign keeps just a hash of it. Hand it to {invite.name} yourself (not by the same channel as their name);
          they enter it at first unlock and choose their passphrase.
          {invite.pending ? ' It works once a second admin approves the change.' : ''}
        </Text>
        <Button size="xs" variant="default" w="fit-content" onClick={onDone} data-testid="invite-code-done">
          I have handed it over
        </Button>
      </Stack>
    </Alert>
  )
}

function IdleLockSetting({ isAdmin }: { isAdmin: boolean }) {
  const current = useSession((s) => s.idleLockMinutes)
  const [minutes, setMinutes] = useState<number | string>(current)
  const [busy, setBusy] = useState(false)
  const value = typeof minutes === 'number' ? minutes : Number.parseInt(minutes, 10)
  const valid = Number.isInteger(value) && value >= 1 && value <= IDLE_LOCK_MINUTES_MAX
  async function save() {
    setBusy(true)
    await setIdleLockMinutes(value)
    setBusy(false)
  }
  return (
    <Stack gap={6} data-testid="idle-lock">
      <Text fw={600} size="sm">
        Idle lock
      </Text>
      <Text size="sm" c="dimmed">
        A desk locks after {current} {current === 1 ? 'minute' : 'minutes'} without activity (the desktop app also when the computer locks
        or sleeps); the person unlocks again with their passphrase.{isAdmin ? '' : ' An admin sets this.'}
      </Text>
      {isAdmin ? (
        <Group align="flex-end" gap="sm">
          <NumberInput
            label="Minutes without activity"
            value={minutes}
            onChange={setMinutes}
            min={1}
            max={IDLE_LOCK_MINUTES_MAX}
            allowDecimal={false}
            w={200}
            data-testid="idle-lock-minutes"
          />
          <Button
            variant="light"
            onClick={() => void save()}
            loading={busy}
            disabled={!valid || value === current}
            data-testid="idle-lock-save"
          >
            Save
          </Button>
        </Group>
      ) : null}
    </Stack>
  )
}
