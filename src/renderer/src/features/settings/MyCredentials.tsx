/**
 * Your own credentials: change your passphrase (your approval key is re-sealed with it), and
 * replace your approval key — a new ed25519 key sealed with your passphrase, or a Ledger account
 * (EVM app) verified on the device. Replacing a key is an admin change (a second admin approves
 * it where there are two); once applied your session ends and you unlock again.
 */
import { Button, Card, Group, PasswordInput, SegmentedControl, SimpleGrid, Stack, Text, TextInput } from '@mantine/core'
import { IconKey } from '@tabler/icons-react'
import { useState } from 'react'
import { PASSPHRASE_CHARS_MAX, PASSPHRASE_CHARS_MIN, SIGNING_PATH_CHARS_MAX } from '../../../../shared/limits'
import { useSession } from '../session/store'
import { changePassphrase, rotateKey } from './operatorActions'

/** The first account of the Ethereum app, as Ledger Live derives it. */
const LEDGER_PATH_DEFAULT = "44'/60'/0'/0/0"

export function MyCredentials() {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" data-testid="my-credentials">
      <PassphraseCard />
      <KeyCard />
    </SimpleGrid>
  )
}

function PassphraseCard() {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [repeat, setRepeat] = useState('')
  const [busy, setBusy] = useState(false)
  const short = next.length > 0 && next.length < PASSPHRASE_CHARS_MIN
  const differs = repeat.length > 0 && repeat !== next
  const ready = current !== '' && next.length >= PASSPHRASE_CHARS_MIN && next === repeat

  async function submit() {
    setBusy(true)
    const ok = await changePassphrase(current, next)
    setBusy(false)
    if (ok) {
      setCurrent('')
      setNext('')
      setRepeat('')
    }
  }

  return (
    <Card withBorder padding="md" radius="md" data-testid="my-passphrase">
      <Stack gap="xs">
        <Text fw={600} size="sm">
          Your passphrase
        </Text>
        <PasswordInput
          label="Current passphrase"
          value={current}
          onChange={(e) => setCurrent(e.currentTarget.value)}
          maxLength={PASSPHRASE_CHARS_MAX}
          autoComplete="current-password"
          data-testid="my-passphrase-current"
        />
        <PasswordInput
          label="New passphrase"
          description={`At least ${PASSPHRASE_CHARS_MIN} characters`}
          value={next}
          onChange={(e) => setNext(e.currentTarget.value)}
          maxLength={PASSPHRASE_CHARS_MAX}
          error={short ? `At least ${PASSPHRASE_CHARS_MIN} characters` : null}
          autoComplete="new-password"
          data-testid="my-passphrase-next"
        />
        <PasswordInput
          label="Type it again"
          value={repeat}
          onChange={(e) => setRepeat(e.currentTarget.value)}
          maxLength={PASSPHRASE_CHARS_MAX}
          error={differs ? 'The two passphrases differ' : null}
          autoComplete="new-password"
          data-testid="my-passphrase-repeat"
        />
        <Button w="fit-content" onClick={() => void submit()} loading={busy} disabled={!ready} data-testid="my-passphrase-submit">
          Change passphrase
        </Button>
      </Stack>
    </Card>
  )
}

function KeyCard() {
  const me = useSession((s) => s.operator)
  const [kind, setKind] = useState<'ed25519' | 'ledger-evm'>('ed25519')
  const [passphrase, setPassphrase] = useState('')
  const [path, setPath] = useState(LEDGER_PATH_DEFAULT)
  const [busy, setBusy] = useState(false)
  const key = me?.approvalKey ?? null
  const ready = kind === 'ed25519' ? passphrase !== '' : path.trim() !== ''

  async function submit() {
    setBusy(true)
    const result = await rotateKey(kind === 'ed25519' ? { kind, passphrase } : { kind, path: path.trim() })
    setBusy(false)
    if (result) setPassphrase('')
  }

  return (
    <Card withBorder padding="md" radius="md" data-testid="my-key">
      <Stack gap="xs">
        <Text fw={600} size="sm">
          Your approval key
        </Text>
        <Group gap={6} wrap="nowrap">
          <IconKey size={16} opacity={0.6} />
          <Text size="sm" ff="monospace" data-testid="my-key-fingerprint">
            {key ? key.fingerprint : 'none yet'}
          </Text>
        </Group>
        <Text size="xs" c="dimmed">
          {key?.kind === 'ledger-evm'
            ? `A Ledger account at ${key.path ?? '?'}: each approval is confirmed on the device.`
            : 'Sealed with your passphrase; it never leaves Countersign. Every approval you give is signed with it.'}
        </Text>
        <SegmentedControl
          value={kind}
          onChange={(v) => setKind(v as 'ed25519' | 'ledger-evm')}
          data={[
            { value: 'ed25519', label: 'New key' },
            { value: 'ledger-evm', label: 'Use a Ledger account' },
          ]}
          w="fit-content"
          size="xs"
          data-testid="rotate-kind"
        />
        {kind === 'ed25519' ? (
          <PasswordInput
            label="Your passphrase (it seals the new key)"
            value={passphrase}
            onChange={(e) => setPassphrase(e.currentTarget.value)}
            maxLength={PASSPHRASE_CHARS_MAX}
            autoComplete="current-password"
            data-testid="rotate-passphrase"
          />
        ) : (
          <TextInput
            label="Account path (Ethereum app)"
            description="Connect the Ledger and open the Ethereum app: you compare the address on the device and confirm."
            value={path}
            onChange={(e) => setPath(e.currentTarget.value)}
            maxLength={SIGNING_PATH_CHARS_MAX}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            data-testid="rotate-path"
          />
        )}
        <Text size="xs" c="dimmed">
          Replacing your key is an admin change: where there are two admins, the other approves it. Once it applies you unlock again.
        </Text>
        <Button w="fit-content" variant="light" onClick={() => void submit()} loading={busy} disabled={!ready} data-testid="rotate-submit">
          Replace my key
        </Button>
      </Stack>
    </Card>
  )
}
