import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  useMantineColorScheme,
  type MantineColorScheme,
} from '@mantine/core'
import { IconAlertTriangle, IconLock } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { ROLES, type Role } from '../../../../shared/blocks'
import { RoleBadges, ROLE_LABELS } from '../../components/RoleBadges'
import { ViewHeader } from '../../components/ViewHeader'
import { formatTimestamp, networkLabel } from '../../lib/format'
import { modeLabel, useApp } from '../app/store'
import { addOperator } from '../session/actions'
import { hasRole, useSession } from '../session/store'
import { SignersSection } from './SignersSection'
import { StripeSection } from './StripeSection'
import { DatabaseSection } from './DatabaseSection'
import { useSettings } from './store'

export function SettingsView() {
  const loadAssets = useSettings((s) => s.loadAssets)
  useEffect(() => {
    void loadAssets()
  }, [loadAssets])

  return (
    <Stack gap="xl" data-testid="settings">
      <ViewHeader title="Settings" description="Operators, signers, the Stripe key, assets, appearance and this workspace." />
      <OperatorsSection />
      <SignersSection />
      <DatabaseSection />
      <StripeSection />
      <AssetsSection />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <AppearanceSection />
        <AboutSection />
      </SimpleGrid>
    </Stack>
  )
}

function OperatorsSection() {
  const operators = useSession((s) => s.operators)
  const me = useSession((s) => s.operator)
  const error = useSession((s) => s.error)
  const isAdmin = hasRole(me, 'admin')
  return (
    <Card withBorder padding="lg" data-testid="settings-operators">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={4}>Operators</Title>
          <Text size="sm" c="dimmed">
            Profiles of the people who share this desk. Roles decide what each may do: preparers build batches, approvers approve someone
            else&apos;s, signers sign on the Ledger, admins manage the workspace.
          </Text>
        </Stack>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />}>
            {error}
          </Alert>
        ) : null}
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" highlightOnHover data-testid="operators-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Id</Table.Th>
                <Table.Th>Added</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {operators.map((o) => (
                <Table.Tr key={o.id} data-testid="operator-row">
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Text size="sm" fw={500}>
                        {o.name}
                      </Text>
                      {me?.id === o.id ? (
                        <Badge size="xs" variant="outline" radius="sm">
                          you
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <RoleBadges roles={o.roles} size="xs" />
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" c="dimmed">
                      {o.id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {formatTimestamp(o.createdAt)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {isAdmin ? (
          <AddOperatorForm />
        ) : (
          <Group gap={6}>
            <IconLock size={14} opacity={0.6} />
            <Text size="xs" c="dimmed">
              Only an admin can add operators.
            </Text>
          </Group>
        )}
      </Stack>
    </Card>
  )
}

function AddOperatorForm() {
  const [name, setName] = useState('')
  const [roles, setRoles] = useState<Role[]>([])
  const [busy, setBusy] = useState(false)
  const submit = async () => {
    setBusy(true)
    const ok = await addOperator(name.trim(), roles)
    setBusy(false)
    if (ok) {
      setName('')
      setRoles([])
    }
  }
  return (
    <Card withBorder padding="md" radius="md" bg="var(--mantine-color-default-hover)" data-testid="add-operator-form">
      <Stack gap="sm">
        <Text fw={600} size="sm">
          Add an operator
        </Text>
        <Group align="flex-end" gap="lg" wrap="wrap">
          <TextInput
            label="Name"
            placeholder="e.g. Carol Signer"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={80}
            w={260}
            data-testid="add-operator-name"
          />
          <Checkbox.Group label="Roles" value={roles} onChange={(v) => setRoles(v as Role[])}>
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
            Add operator
          </Button>
        </Group>
      </Stack>
    </Card>
  )
}

function AssetsSection() {
  const { assets, error } = useSettings()
  return (
    <Card withBorder padding="lg" data-testid="settings-assets">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={4}>Assets registry</Title>
          <Text size="sm" c="dimmed">
            Every asset the ledger can hold, with its scale: amounts with more decimals than the scale are refused, never rounded.
          </Text>
        </Stack>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the assets">
            {error}
          </Alert>
        ) : null}
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="xs" highlightOnHover data-testid="assets-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Asset</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Network</Table.Th>
                <Table.Th ta="right">Decimals</Table.Th>
                <Table.Th>Issuer / contract</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {assets.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {a.code}
                    </Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {a.id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{a.name}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color="gray" radius="sm" tt="none">
                      {networkLabel(a.rail, a.network)}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm" ff="monospace">
                      {a.scale}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" c={a.issuer ? undefined : 'dimmed'} style={{ wordBreak: 'break-all' }}>
                      {a.issuer ?? (a.rail === 'stripe' ? 'fiat (Stripe)' : 'native')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Card>
  )
}

function AppearanceSection() {
  const { colorScheme, setColorScheme } = useMantineColorScheme()
  return (
    <Card withBorder padding="lg" data-testid="settings-appearance">
      <Stack gap="sm">
        <Title order={4}>Appearance</Title>
        <Text size="sm" c="dimmed">
          Auto follows the operating system. Remembered on this computer.
        </Text>
        <SegmentedControl
          value={colorScheme}
          onChange={(v) => setColorScheme(v as MantineColorScheme)}
          data={[
            { value: 'light', label: 'Light' },
            { value: 'dark', label: 'Dark' },
            { value: 'auto', label: 'Auto' },
          ]}
          w="fit-content"
          data-testid="theme-control"
        />
      </Stack>
    </Card>
  )
}

function AboutSection() {
  const { info, error } = useApp()
  const rows: [string, string][] = info
    ? [
        ['Version', info.version],
        ['Mode', modeLabel(info)],
        ['Data folder', info.dataDir],
        [
          'Database',
          info.database.backend === 'postgres'
            ? `Team database (PostgreSQL) at ${info.database.location}`
            : `This computer only (SQLite) — ${info.database.location}`,
        ],
        ['Database schema', info.schemaVersion],
      ]
    : []
  return (
    <Card withBorder padding="lg" data-testid="settings-about">
      <Stack gap="sm">
        <Title order={4}>About this workspace</Title>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />}>
            {error}
          </Alert>
        ) : null}
        <Table verticalSpacing={6} withRowBorders={false}>
          <Table.Tbody>
            {rows.map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Td w={150}>
                  <Text size="sm" c="dimmed">
                    {k}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text
                    size="sm"
                    ff={k === 'Data folder' || k === 'Database schema' ? 'monospace' : undefined}
                    style={{ overflowWrap: 'anywhere' }}
                    data-testid={`about-${k.toLowerCase().replace(/ /g, '-')}`}
                  >
                    {v}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Card>
  )
}
