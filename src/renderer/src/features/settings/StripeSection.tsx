/**
 * Settings → Stripe: whether a secret key is stored (its last 4 characters only — the key never
 * comes back to this window), what protects it, and a field to replace it (admin). Where the OS
 * cannot encrypt it (Linux without a keyring), the warning is shown and saving needs a tick.
 */
import { Alert, Badge, Button, Card, Checkbox, Group, PasswordInput, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconKey } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { StripeSettings } from '../../../../shared/stripeApi'
import { errorMessage, invoke } from '../../lib/api'
import { notifyError, notifySuccess } from '../notify/store'
import { hasRole, useSession } from '../session/store'
import { PROTECTION_LABELS } from './protectionLabels'

export function StripeSection() {
  const operator = useSession((s) => s.operator)
  const isAdmin = hasRole(operator, 'admin')
  const [settings, setSettings] = useState<StripeSettings | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [key, setKey] = useState('')
  const [consent, setConsent] = useState(false)
  const [busy, setBusy] = useState(false)

  const load = useCallback(async () => {
    try {
      setSettings(await invoke('settings.stripe.get', {}))
      setError(null)
    } catch (e) {
      setError(errorMessage(e))
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])

  async function save() {
    setBusy(true)
    try {
      const next = await invoke('settings.stripe.setKey', { secretKey: key.trim(), ...(consent ? { acceptWeakProtection: true } : {}) })
      setSettings(next)
      setKey('')
      notifySuccess('Stripe key saved', `Key …${next.key.last4} (${next.key.mode} mode) is in use.`)
    } catch (e) {
      notifyError('Stripe key not saved', e)
    } finally {
      setBusy(false)
    }
  }

  async function clear() {
    setBusy(true)
    try {
      setSettings(await invoke('settings.stripe.clearKey', {}))
      notifySuccess('Stripe key removed', 'Stripe payouts and the sync stop until a key is set again.')
    } catch (e) {
      notifyError('Stripe key not removed', e)
    } finally {
      setBusy(false)
    }
  }

  const warning = settings?.weakProtectionWarning ?? null
  return (
    <Card withBorder padding="lg" data-testid="settings-stripe">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Title order={4}>Stripe</Title>
            <Text size="sm" c="dimmed">
              The secret key of the platform account. It is kept by this computer, never shown again — only its last 4 characters.
            </Text>
          </Stack>
          <Badge
            variant="light"
            color={settings?.key.present ? 'teal' : 'gray'}
            leftSection={<IconKey size={14} />}
            // Key characters are case-sensitive: never upper-case them.
            tt="none"
            styles={{ label: { textTransform: 'none' } }}
            data-testid="stripe-key-badge"
          >
            {settings?.key.present ? `…${settings.key.last4} · ${settings.key.mode}` : 'No key'}
          </Badge>
        </Group>
        {error ? <Alert color="red">{error}</Alert> : null}
        {settings ? (
          <Text size="sm">
            API: <b>{settings.configured ? settings.apiUrl : 'Stripe is not in the rails configuration'}</b> · Protection:{' '}
            <b data-testid="stripe-protection">{PROTECTION_LABELS[settings.protection]}</b>
          </Text>
        ) : null}
        {isAdmin && settings?.writable ? (
          <Stack gap="xs">
            <Group align="flex-end" gap="sm">
              <PasswordInput
                label={settings.key.present ? 'Replace the secret key' : 'Secret key'}
                placeholder="sk_live_…"
                value={key}
                onChange={(e) => setKey(e.currentTarget.value)}
                autoComplete="off"
                w={420}
                data-testid="stripe-key-input"
              />
              <Button
                onClick={() => void save()}
                loading={busy}
                disabled={key.trim() === '' || (warning !== null && !consent)}
                data-testid="stripe-key-save"
              >
                Check and save
              </Button>
              {settings.key.present ? (
                <Button variant="default" color="red" onClick={() => void clear()} disabled={busy}>
                  Remove key
                </Button>
              ) : null}
            </Group>
            {warning ? (
              <Alert
                color="orange"
                icon={<IconAlertTriangle size={16} />}
                title="This computer cannot encrypt the key"
                data-testid="stripe-weak-warning"
              >
                <Stack gap="xs">
                  <Text size="sm">{warning}</Text>
                  <Checkbox
                    label="I understand; store it unencrypted anyway"
                    checked={consent}
                    onChange={(e) => setConsent(e.currentTarget.checked)}
                  />
                </Stack>
              </Alert>
            ) : null}
          </Stack>
        ) : settings && !settings.writable ? (
          <Text size="sm" c="dimmed">
            This session reads the key from COUNTERSIGN_SECRET_STRIPE_SECRET_KEY.
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            Only an admin can change the key.
          </Text>
        )}
      </Stack>
    </Card>
  )
}
