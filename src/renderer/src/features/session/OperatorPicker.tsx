import { Alert, Badge, Button, Center, Checkbox, Group, Loader, Paper, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core'
import { IconAlertTriangle, IconChevronRight, IconShieldCheck, IconUserCircle } from '@tabler/icons-react'
import { useState } from 'react'
import { ROLES, type Role } from '../../../../shared/blocks'
import { RoleBadges, ROLE_LABELS } from '../../components/RoleBadges'
import { ConnectionBanner } from '../../components/ConnectionBanner'
import { OfflineBanner } from '../../components/OfflineBanner'
import { modeLabel, useApp } from '../app/store'
import { addOperator, loadOperators } from './actions'
import { useSession } from './store'
import classes from './OperatorPicker.module.css'

/** The launch screen: a finance team shares the desk, so each person picks their profile. */
export function OperatorPicker() {
  const { operators, loaded, loading, error } = useSession()
  const pick = useSession((s) => s.pick)
  const info = useApp((s) => s.info)

  return (
    <Center mih="100vh" p="lg" className={classes.backdrop}>
      <Paper withBorder shadow="sm" p="xl" w={520} maw="100%" radius="lg" data-testid="operator-picker">
        <Stack gap="lg">
          <Group gap="sm" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <IconShieldCheck size={30} stroke={1.7} color="var(--mantine-color-indigo-6)" />
              <Stack gap={0}>
                <Title order={3}>Countersign</Title>
                <Text size="xs" c="dimmed">
                  {info ? `${modeLabel(info)} · v${info.version}` : 'Treasury payouts, countersigned'}
                </Text>
              </Stack>
            </Group>
            <ConnectionBanner />
          </Group>

          <OfflineBanner />

          <Stack gap={4}>
            <Title order={4}>Who is at the desk?</Title>
            <Text size="sm" c="dimmed">
              Pick your operator profile. Every change you make is recorded in the audit log under this name, and what you may do follows
              its roles.
            </Text>
          </Stack>

          {error ? (
            <Alert
              color="red"
              variant="light"
              icon={<IconAlertTriangle />}
              title="Could not load the operator profiles"
              data-testid="operators-error"
            >
              <Stack gap="xs">
                <span>{error}</span>
                <Button size="xs" variant="light" color="red" w="fit-content" onClick={() => void loadOperators()} loading={loading}>
                  Try again
                </Button>
              </Stack>
            </Alert>
          ) : null}

          {!loaded && !error ? (
            <Center py="lg">
              <Loader size="sm" />
            </Center>
          ) : null}

          {loaded && operators.length > 0 ? (
            <Stack gap="xs" data-testid="operator-list">
              {operators.map((op) => (
                <UnstyledButton
                  key={op.id}
                  className={classes.option}
                  onClick={() => pick(op)}
                  data-testid="operator-option"
                  data-operator-name={op.name}
                  aria-label={`Continue as ${op.name}`}
                >
                  <Group justify="space-between" wrap="nowrap">
                    <Group gap="sm" wrap="nowrap">
                      <IconUserCircle size={28} stroke={1.4} />
                      <Stack gap={4}>
                        <Text fw={600} size="sm">
                          {op.name}
                        </Text>
                        <RoleBadges roles={op.roles} size="xs" />
                      </Stack>
                    </Group>
                    <IconChevronRight size={18} opacity={0.5} />
                  </Group>
                </UnstyledButton>
              ))}
            </Stack>
          ) : null}

          {loaded && operators.length === 0 ? <FirstOperatorForm /> : null}
        </Stack>
      </Paper>
    </Center>
  )
}

/** A new workspace has no operators: the first one is created here, as an admin. */
function FirstOperatorForm() {
  const [name, setName] = useState('')
  const [roles, setRoles] = useState<Role[]>(['admin'])
  const [busy, setBusy] = useState(false)
  const submit = async () => {
    setBusy(true)
    await addOperator(name.trim(), roles)
    setBusy(false)
  }
  return (
    <Stack gap="sm" data-testid="first-operator-form">
      <Badge variant="light" color="indigo" w="fit-content">
        New workspace
      </Badge>
      <Text size="sm">
        This workspace has no operators yet. Create the first profile — it should include the admin role, so it can add the rest of the team
        in Settings.
      </Text>
      <TextInput label="Name" placeholder="e.g. Dana Admin" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={80} />
      <Checkbox.Group label="Roles" value={roles} onChange={(v) => setRoles(v as Role[])}>
        <Group gap="md" mt={6}>
          {ROLES.map((r) => (
            <Checkbox key={r} value={r} label={ROLE_LABELS[r]} />
          ))}
        </Group>
      </Checkbox.Group>
      <Button onClick={() => void submit()} loading={busy} disabled={name.trim() === '' || roles.length === 0} w="fit-content">
        Create profile
      </Button>
    </Stack>
  )
}
