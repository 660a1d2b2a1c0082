/**
 * The picker's forms: unlock with your passphrase; first unlock (the admin's one-time invite code
 * and the passphrase you choose, twice); and the first admin of an empty workspace. A refusal is
 * the core's sentence, shown under the field (wrong passphrase, back-off, invalid invite).
 */
import { Alert, Badge, Button, Checkbox, Group, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core'
import { IconAlertTriangle, IconArrowLeft, IconLockOpen, IconUserCircle } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { ROLES, type Role } from '../../../../shared/blocks'
import { INVITE_CODE_CHARS_MAX, OPERATOR_NAME_CHARS_MAX, PASSPHRASE_CHARS_MAX, PASSPHRASE_CHARS_MIN } from '../../../../shared/limits'
import type { Operator } from '../../../../shared/workspaceApi'
import { RoleBadges, ROLE_LABELS } from '../../components/RoleBadges'
import { activate, createFirstAdmin, unlock, type PickerFailure } from './actions'

function FailureAlert({ failure }: { failure: PickerFailure | null }) {
  if (!failure) return null
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="unlock-error" data-code={failure.code ?? ''}>
      {failure.message}
    </Alert>
  )
}

function Who({ operator, onBack }: { operator: Operator; onBack(): void }) {
  return (
    <Group justify="space-between" wrap="nowrap">
      <Group gap="sm" wrap="nowrap">
        <IconUserCircle size={32} stroke={1.4} />
        <Stack gap={4}>
          <Text fw={600} data-testid="unlock-operator-name">
            {operator.name}
          </Text>
          <RoleBadges roles={operator.roles} size="xs" />
        </Stack>
      </Group>
      <Button variant="subtle" size="xs" leftSection={<IconArrowLeft size={14} />} onClick={onBack} data-testid="unlock-back">
        Not you?
      </Button>
    </Group>
  )
}

/** Problems of a new passphrase the window can tell at once; the core checks again (PASSPHRASE_WEAK). */
function passphraseProblem(passphrase: string, repeat: string): { field: string | null; repeat: string | null } {
  return {
    field: passphrase.length > 0 && passphrase.length < PASSPHRASE_CHARS_MIN ? `At least ${PASSPHRASE_CHARS_MIN} characters` : null,
    repeat: repeat.length > 0 && repeat !== passphrase ? 'The two passphrases differ' : null,
  }
}

function NewPassphraseFields(props: { passphrase: string; repeat: string; onPassphrase(v: string): void; onRepeat(v: string): void }) {
  const problem = passphraseProblem(props.passphrase, props.repeat)
  return (
    <>
      <PasswordInput
        label="Choose your passphrase"
        description={`At least ${PASSPHRASE_CHARS_MIN} characters — a few unrelated words are easy to type and hard to guess. It also seals your approval key.`}
        value={props.passphrase}
        onChange={(e) => props.onPassphrase(e.currentTarget.value)}
        maxLength={PASSPHRASE_CHARS_MAX}
        error={problem.field}
        autoComplete="new-password"
        data-testid="first-unlock-passphrase"
      />
      <PasswordInput
        label="Type it again"
        value={props.repeat}
        onChange={(e) => props.onRepeat(e.currentTarget.value)}
        maxLength={PASSPHRASE_CHARS_MAX}
        error={problem.repeat}
        autoComplete="new-password"
        data-testid="first-unlock-repeat"
      />
    </>
  )
}

function newPassphraseReady(passphrase: string, repeat: string): boolean {
  return passphrase.length >= PASSPHRASE_CHARS_MIN && passphrase === repeat
}

export function UnlockForm({ operator, onBack }: { operator: Operator; onBack(): void }) {
  const [passphrase, setPassphrase] = useState('')
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<PickerFailure | null>(null)

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (passphrase === '' || busy) return
    setBusy(true)
    const refused = await unlock(operator.id, passphrase)
    // On success this form is gone (the app shows); on failure the field empties for the next try.
    if (refused) {
      setFailure(refused)
      setPassphrase('')
      setBusy(false)
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="unlock-form">
      <Stack gap="md">
        <Who operator={operator} onBack={onBack} />
        <PasswordInput
          label="Passphrase"
          value={passphrase}
          onChange={(e) => setPassphrase(e.currentTarget.value)}
          maxLength={PASSPHRASE_CHARS_MAX}
          autoComplete="current-password"
          autoFocus
          data-testid="unlock-passphrase"
        />
        <FailureAlert failure={failure} />
        <Group justify="space-between" align="center" wrap="nowrap">
          <Text size="xs" c="dimmed" style={{ flex: 1 }}>
            {failure ? '' : 'Forgotten it? An admin can re-invite you from Settings → Operators.'}
          </Text>
          <Button
            style={{ flexShrink: 0 }}
            type="submit"
            leftSection={<IconLockOpen size={16} />}
            loading={busy}
            disabled={passphrase === ''}
            data-testid="unlock-submit"
          >
            Unlock
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

export function FirstUnlockForm({ operator, onBack }: { operator: Operator; onBack(): void }) {
  const [inviteCode, setInviteCode] = useState('')
  const [passphrase, setPassphrase] = useState('')
  const [repeat, setRepeat] = useState('')
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<PickerFailure | null>(null)
  // An operator of a workspace made before passphrases existed claims theirs without a code.
  const invited = operator.status === 'invited'
  const ready = newPassphraseReady(passphrase, repeat) && (!invited || inviteCode.trim() !== '')
  // A correction clears the last refusal, so what is on screen is about what is typed now.
  const edit = (set: (v: string) => void) => (v: string) => {
    setFailure(null)
    set(v)
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!ready || busy) return
    setBusy(true)
    const refused = await activate(operator.id, inviteCode, passphrase)
    if (refused) {
      setFailure(refused)
      setBusy(false)
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="first-unlock-form">
      <Stack gap="md">
        <Who operator={operator} onBack={onBack} />
        <Stack gap={4}>
          <Group gap="xs">
            <Title order={4}>First unlock</Title>
            <Badge variant="light" color="yellow" radius="sm">
              {invited ? 'Invited' : 'No passphrase yet'}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            {invited
              ? 'Enter the one-time invite code your admin gave you, then choose the passphrase only you will know. Your approval key is made now and sealed with it.'
              : 'This profile has no passphrase yet. Choose the one only you will know; your approval key is made now and sealed with it.'}
          </Text>
        </Stack>
        {invited ? (
          <TextInput
            label="Invite code"
            value={inviteCode}
            onChange={(e) => edit(setInviteCode)(e.currentTarget.value)}
            maxLength={INVITE_CODE_CHARS_MAX}
            autoComplete="one-time-code"
            autoFocus
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            data-testid="first-unlock-invite"
          />
        ) : null}
        <NewPassphraseFields passphrase={passphrase} repeat={repeat} onPassphrase={edit(setPassphrase)} onRepeat={edit(setRepeat)} />
        <FailureAlert failure={failure} />
        <Group justify="flex-end">
          <Button type="submit" leftSection={<IconLockOpen size={16} />} loading={busy} disabled={!ready} data-testid="first-unlock-submit">
            Set passphrase and unlock
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

/** A new workspace has no operators: the first one is created here, as an admin, with their passphrase. */
export function FirstOperatorForm() {
  const [name, setName] = useState('')
  const [roles, setRoles] = useState<Role[]>(['admin'])
  const [passphrase, setPassphrase] = useState('')
  const [repeat, setRepeat] = useState('')
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<PickerFailure | null>(null)
  const ready = name.trim() !== '' && roles.length > 0 && newPassphraseReady(passphrase, repeat)

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!ready || busy) return
    setBusy(true)
    const refused = await createFirstAdmin(name.trim(), roles, passphrase)
    if (refused) {
      setFailure(refused)
      setBusy(false)
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="first-operator-form">
      <Stack gap="sm">
        <Badge variant="light" color="indigo" w="fit-content">
          New workspace
        </Badge>
        <Text size="sm">
          This workspace has no operators yet. Create the first profile — it should include the admin role, so it can invite the rest of the
          team in Settings → Operators.
        </Text>
        <TextInput
          label="Name"
          placeholder="e.g. Dana Admin"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          maxLength={OPERATOR_NAME_CHARS_MAX}
          data-testid="first-operator-name"
        />
        <Checkbox.Group label="Roles" value={roles} onChange={(v) => setRoles(v as Role[])}>
          <Group gap="md" mt={6}>
            {ROLES.map((r) => (
              <Checkbox key={r} value={r} label={ROLE_LABELS[r]} />
            ))}
          </Group>
        </Checkbox.Group>
        <NewPassphraseFields passphrase={passphrase} repeat={repeat} onPassphrase={setPassphrase} onRepeat={setRepeat} />
        <FailureAlert failure={failure} />
        <Button type="submit" loading={busy} disabled={!ready} w="fit-content" data-testid="first-operator-submit">
          Create profile and unlock
        </Button>
        <Text size="xs" c="dimmed">
          Lose the passphrase and only another admin can let you back in: invite a second admin once you are in.
        </Text>
      </Stack>
    </form>
  )
}
