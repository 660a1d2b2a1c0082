import { useOffline } from '../offline/store'
import { Alert, Badge, Button, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { IconAddressBook, IconAlertTriangle, IconArrowRight, IconRefresh } from '@tabler/icons-react'
import { useEffect, useMemo } from 'react'
import { ViewHeader } from '../../components/ViewHeader'
import { onEvent } from '../../lib/api'
import { formatClock, formatCount } from '../../lib/format'
import { useApp } from '../app/store'
import { useNav } from '../nav/store'
import { AssetSummaryCard } from './AssetSummaryCard'
import { BalancesTable } from './BalancesTable'
import { RailBalancesAlert, RailBalancesCard } from './RailBalancesCard'
import { useRailBalances } from './railBalancesStore'
import { useDashboard } from './store'
import { TreasuryChart } from './TreasuryChart'

export function DashboardView() {
  const { summary, balances, payees, payeesByAsset, loaded, loading, error, loadedAt, refresh } = useDashboard()
  // Payee accounts are one grouped line (the Payees view lists them), not hundreds of rows here.
  const accountBalances = useMemo(() => balances.filter((b) => b.kind !== 'payee'), [balances])
  const payeeAccounts = balances.length - accountBalances.length
  const connectionState = useApp((s) => s.connection?.state)
  const sandbox = useApp((s) => s.info?.sandbox === true)
  const refreshRailBalances = useRailBalances((s) => s.refresh)

  useEffect(() => {
    void refresh()
    return onEvent('ledger.changed', () => void refresh())
  }, [refresh])

  useEffect(() => {
    void refreshRailBalances()
    return onEvent('recon.balances.changed', () => void refreshRailBalances())
  }, [refreshRailBalances])

  // Events sent while the browser-mode connection was down are lost: reload when it is back.
  const reconnects = useOffline((s) => s.reconnects)
  useEffect(() => {
    if (connectionState !== 'open') return
    void useDashboard.getState().refresh()
    void useRailBalances.getState().refresh()
  }, [connectionState, reconnects])

  return (
    <Stack gap="xl" data-testid="dashboard">
      <ViewHeader
        title="Dashboard"
        description={
          loadedAt
            ? `Balances from the local ledger, updated live · last loaded ${formatClock(loadedAt)}`
            : 'Balances from the local ledger, updated live'
        }
        actions={
          <Button
            variant="default"
            size="xs"
            leftSection={<IconRefresh size={14} />}
            onClick={() => void refresh()}
            loading={loading}
            data-testid="dashboard-refresh"
          >
            Refresh
          </Button>
        }
      />

      {error ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the balances" data-testid="dashboard-error">
          {error}
        </Alert>
      ) : null}

      <RailBalancesAlert sandbox={sandbox} />

      {!loaded && !error ? <Loader size="sm" /> : null}

      {loaded ? (
        <>
          <Stack gap="sm">
            <Title order={4}>Balances per asset</Title>
            {summary.length === 0 ? (
              <Card withBorder p="lg" data-testid="dashboard-no-accounts">
                <Text size="sm" c="dimmed">
                  No ledger accounts yet. Ask an admin to open the treasury accounts and post their opening balances; they appear here as
                  soon as they are booked.
                </Text>
              </Card>
            ) : (
              <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="md">
                {summary.map((s) => (
                  <AssetSummaryCard key={s.assetId} summary={s} payees={payeesByAsset[s.assetId] ?? 0} />
                ))}
              </SimpleGrid>
            )}
          </Stack>

          {summary.length > 0 ? <TreasuryChart summary={summary} /> : null}

          <RailBalancesCard />

          <Stack gap="sm">
            <Title order={4}>Balances per account</Title>
            <PayeesLine payees={payees} accounts={payeeAccounts} />
            <BalancesTable balances={accountBalances} />
          </Stack>
        </>
      ) : null}
    </Stack>
  )
}

/** All payee accounts as one line: how many payees and accounts, and the way to the Payees view. */
function PayeesLine({ payees, accounts }: { payees: number; accounts: number }) {
  const go = useNav((s) => s.go)
  return (
    <Card withBorder p="sm" data-testid="dashboard-payees">
      <Group justify="space-between" wrap="nowrap" gap="md">
        <Group gap="sm" wrap="nowrap">
          <IconAddressBook size={20} stroke={1.6} color="var(--mantine-color-teal-6)" />
          <Stack gap={0}>
            <Group gap={6} wrap="nowrap">
              <Text size="sm" fw={600}>
                Payees
              </Text>
              <Badge size="xs" variant="light" radius="sm" color="teal">
                payee
              </Badge>
            </Group>
            <Text size="xs" c="dimmed" data-testid="dashboard-payees-count">
              {formatCount(payees)} {payees === 1 ? 'payee' : 'payees'} in {formatCount(accounts)} {accounts === 1 ? 'account' : 'accounts'}{' '}
              (one per payee and asset) — their balances are in the Payees view
            </Text>
          </Stack>
        </Group>
        <Button
          variant="light"
          size="xs"
          rightSection={<IconArrowRight size={14} />}
          onClick={() => go('payees')}
          data-testid="dashboard-open-payees"
        >
          Open payees
        </Button>
      </Group>
    </Card>
  )
}
