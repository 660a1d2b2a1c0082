import {
  Alert,
  Badge,
  Card,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  useMantineColorScheme,
  type MantineColorScheme,
} from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useEffect } from 'react'
import { ViewHeader } from '../../components/ViewHeader'
import { networkName } from '../../lib/format'
import { modeLabel, useApp } from '../app/store'
import { SignersSection } from './SignersSection'
import { StripeSection } from './StripeSection'
import { DatabaseSection } from './DatabaseSection'
import { BackupsSection } from './BackupsSection'
import { OperatorsSection } from './OperatorsSection'
import { PolicySection } from './PolicySection'
import { OrganisationSection } from './OrganisationSection'
import { ReceiptKeySection } from './ReceiptKeySection'
import { useSettings } from './store'

export function SettingsView() {
  const loadAssets = useSettings((s) => s.loadAssets)
  useEffect(() => {
    void loadAssets()
  }, [loadAssets])

  return (
    <Stack gap="xl" data-testid="settings">
      <ViewHeader
        title="Settings"
        description="Operators, the approval policy, signers, the Stripe key, the organisation and key on receipts, assets, appearance and this workspace."
      />
      <OperatorsSection />
      <PolicySection />
      <SignersSection />
      <DatabaseSection />
      <BackupsSection />
      <StripeSection />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <OrganisationSection />
        <ReceiptKeySection />
      </SimpleGrid>
      <AssetsSection />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <AppearanceSection />
        <AboutSection />
      </SimpleGrid>
    </Stack>
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
                      {networkName(a.rail, a.network)}
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
