/**
 * Settings → Receipt key: the Ed25519 key that signs this workspace's receipts (its id, public key
 * and when and by whom it was made; the private half never leaves the secret store), the keys it
 * replaced, "Export public key" (the file payees and auditors verify receipts with), and — for an
 * admin — "Rotate", after a confirmation that says what happens to receipts already issued.
 */
import { Alert, Button, Card, Group, List, Modal, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconDownload, IconKey, IconRefresh } from '@tabler/icons-react'
import { useCallback, useEffect, useState, type ReactNode } from 'react'
import type { ReceiptKeyState } from '../../../../shared/receiptsApi'
import { invoke, loadErrorMessage, onEvent } from '../../lib/api'
import { saveBlob } from '../../lib/download'
import { formatTimestamp } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { CopyValue } from '../receipts/parts'
import { hasRole, useSession } from '../session/store'

const NOT_ADMIN = 'Only an admin can rotate the receipt key.'

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '130px minmax(0, 1fr)', columnGap: 12 }}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <div style={{ minWidth: 0 }}>{children}</div>
    </div>
  )
}

export function ReceiptKeySection() {
  const operator = useSession((s) => s.operator)
  const operators = useSession((s) => s.operators)
  const isAdmin = hasRole(operator, 'admin')
  const [state, setState] = useState<ReceiptKeyState | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)

  const load = useCallback(async () => {
    try {
      setState(await invoke('receipts.key.get', {}))
      setError(null)
    } catch (e) {
      setError(loadErrorMessage(e))
    }
  }, [])
  useEffect(() => {
    void load()
    // The first receipt makes the first key.
    return onEvent('receipts.changed', () => void load())
  }, [load])

  async function rotate() {
    setBusy(true)
    try {
      const next = await invoke('receipts.key.rotate', {})
      setState(next)
      setConfirming(false)
      notifySuccess(
        state?.current ? 'Receipt key rotated' : 'Receipt key created',
        `Key ${next.current?.keyId ?? ''} signs receipts from now on. Export the public key and give it to whoever checks receipts.`,
      )
    } catch (e) {
      notifyError('The receipt key was not rotated', e)
    } finally {
      setBusy(false)
    }
  }

  function exportPublicKey() {
    const file = state?.publicKeyFile
    if (!file) return
    saveBlob(`countersign-receipt-key-${file.keyId}.json`, [`${JSON.stringify(file, null, 2)}\n`], 'application/json')
  }

  const current = state?.current ?? null
  const retired = state ? state.keys.filter((k) => k.keyId !== current?.keyId) : []
  const nameOf = (id: string) => operators.find((o) => o.id === id)?.name ?? id

  return (
    <Card withBorder padding="lg" data-testid="settings-receipt-key">
      <Stack gap="md">
        <Stack gap={2}>
          <Group gap="xs">
            <IconKey size={18} />
            <Title order={4}>Receipt key</Title>
          </Group>
          <Text size="sm" c="dimmed">
            Signs every receipt this workspace issues (Ed25519). Its private half stays in this computer&apos;s secret store; the public key
            is what payees and auditors check receipts against.
          </Text>
        </Stack>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />}>
            {error}
          </Alert>
        ) : null}
        {state && !current ? (
          <Text size="sm" data-testid="receipt-key-none">
            No receipt key yet — one is made with the first receipt{isAdmin ? ', or now with "Create key"' : ''}.
          </Text>
        ) : null}
        {current ? (
          <Stack gap={6} data-testid="receipt-key-current">
            <Row label="Key id">
              <Text size="sm" ff="monospace" fw={600} data-testid="receipt-key-id">
                {current.keyId}
              </Text>
            </Row>
            <Row label="Public key">
              <CopyValue value={current.publicKey} label="public key" testId="receipt-key-public" />
            </Row>
            <Row label="Created">
              <Text size="sm">
                {formatTimestamp(current.createdAt)} by {nameOf(current.createdBy)}
              </Text>
            </Row>
            {retired.length > 0 ? (
              <Row label="Earlier keys">
                <List size="sm" spacing={2}>
                  {retired.map((k) => (
                    <List.Item key={k.keyId}>
                      <Text span size="sm" ff="monospace">
                        {k.keyId}
                      </Text>{' '}
                      <Text span size="sm" c="dimmed">
                        {formatTimestamp(k.createdAt)} – {k.retiredAt ? formatTimestamp(k.retiredAt) : 'now'}
                      </Text>
                    </List.Item>
                  ))}
                </List>
              </Row>
            ) : null}
          </Stack>
        ) : null}
        <Group gap="sm">
          <Button
            size="xs"
            variant="default"
            leftSection={<IconDownload size={14} />}
            onClick={exportPublicKey}
            disabled={!state?.publicKeyFile}
            data-testid="receipt-key-export"
          >
            Export public key
          </Button>
          <Button
            size="xs"
            variant="default"
            color="orange"
            leftSection={<IconRefresh size={14} />}
            onClick={() => setConfirming(true)}
            disabled={!isAdmin || state === null}
            title={isAdmin ? undefined : NOT_ADMIN}
            data-testid="receipt-key-rotate"
          >
            {current ? 'Rotate…' : 'Create key'}
          </Button>
        </Group>
      </Stack>
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={current ? 'Rotate the receipt key?' : 'Create the receipt key?'}
        centered
      >
        <Stack gap="sm">
          {current ? (
            <>
              <Text size="sm">A new key signs every receipt issued from now on.</Text>
              <Text size="sm">
                Receipts already issued stay verifiable: key {current.keyId} signs a hand-over to the new key, and every receipt carries the
                hand-overs back to the first key. Nothing already issued changes.
              </Text>
              <Text size="sm">After rotating, export the public key again and give the new file to whoever checks your receipts.</Text>
            </>
          ) : (
            <Text size="sm">
              A key is made now instead of with the first receipt. Export its public key for whoever checks your receipts.
            </Text>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={() => setConfirming(false)} data-testid="receipt-key-rotate-cancel">
              Keep the current key
            </Button>
            <Button color="orange" onClick={() => void rotate()} loading={busy} data-testid="receipt-key-rotate-confirm">
              {current ? 'Rotate the key' : 'Create the key'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  )
}
