/**
 * Settings → Team database: shown on a team workspace (PostgreSQL) — where the books are, whether
 * this desk has the database password saved and what protects it, and a field to replace it
 * (admin). The password is checked against the server before it is saved and never comes back to
 * this window. A single-desk workspace has no such section: its books are a file on this computer.
 */
import { Alert, Badge, Button, Card, Checkbox, Group, PasswordInput, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconDatabase } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { DatabaseSettings } from '../../../../shared/workspaceApi'
import { invoke, loadErrorMessage } from '../../lib/api'
import { notifyError, notifySuccess } from '../notify/store'
import { hasRole, useSession } from '../session/store'
import { PROTECTION_LABELS } from './protectionLabels'

export function DatabaseSection() {
  const operator = useSession((s) => s.operator)
  const isAdmin = hasRole(operator, 'admin')
  const [settings, setSettings] = useState<DatabaseSettings | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [password, setPassword] = useState('')
  const [consent, setConsent] = useState(false)
  const [busy, setBusy] = useState(false)

  const load = useCallback(async () => {
    try {
      setSettings(await invoke('settings.database.get', {}))
      setError(null)
    } catch (e) {
      setError(loadErrorMessage(e))
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])

  async function save() {
    setBusy(true)
    try {
      setSettings(await invoke('settings.database.setPassword', { password, ...(consent ? { acceptWeakProtection: true } : {}) }))
      setPassword('')
      notifySuccess('Database password saved', 'The team database accepted it; this desk uses it from its next start.')
    } catch (e) {
      notifyError('Database password not saved', e)
    } finally {
      setBusy(false)
    }
  }

  if (!settings || settings.backend !== 'postgres' || !settings.password) return null
  const pw = settings.password
  return (
    <Card withBorder padding="lg" data-testid="settings-database">
      <Stack gap="sm">
        <Group gap="xs">
          <IconDatabase size={18} />
          <Title order={4}>Team database</Title>
        </Group>
        <Text size="sm">
          This desk keeps no books of its own: they are in the PostgreSQL database{' '}
          <Text span ff="monospace" data-testid="settings-database-location">
            {settings.location}
          </Text>
          , shared with every desk whose workspace names it.
        </Text>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />}>
            {error}
          </Alert>
        ) : null}
        <Group gap="xs">
          <Text size="sm" c="dimmed">
            Password on this desk:
          </Text>
          <Badge color={pw.saved ? 'green' : 'gray'} variant="light" data-testid="settings-database-password">
            {pw.saved ? 'saved' : 'not saved'}
          </Badge>
          <Text size="sm" c="dimmed">
            {PROTECTION_LABELS[pw.protection]}
          </Text>
        </Group>
        {isAdmin && pw.writable ? (
          <Stack gap="xs">
            {pw.weakProtectionWarning ? (
              <Checkbox
                label={pw.weakProtectionWarning}
                checked={consent}
                onChange={(e) => setConsent(e.currentTarget.checked)}
                data-testid="settings-database-consent"
              />
            ) : null}
            <Group align="flex-end" gap="sm">
              <PasswordInput
                label={pw.saved ? 'Replace the password' : 'Password'}
                description="Checked against the server before it is saved; never shown again."
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                style={{ flex: 1 }}
                data-testid="settings-database-password-input"
              />
              <Button onClick={() => void save()} loading={busy} disabled={password.length === 0} data-testid="settings-database-save">
                Save
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Stack>
    </Card>
  )
}
