import { useOffline } from '../offline/store'
import { Alert, Button, Card, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react'
import { useEffect } from 'react'
import { ViewHeader } from '../../components/ViewHeader'
import { onEvent } from '../../lib/api'
import { formatClock } from '../../lib/format'
import { useApp } from '../app/store'
import { AssetSummaryCard } from './AssetSummaryCard'
import { BalancesTable } from './BalancesTable'
import { RailBalancesAlert, RailBalancesCard } from './RailBalancesCard'
import { useRailBalances } from './railBalancesStore'
import { useDashboard } from './store'
import { TreasuryChart } from './TreasuryChart'

export function DashboardView() {
  const { summary, balances, loaded, loading, error, loadedAt, refresh } = useDashboard()
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
                  No ledger accounts yet. An admin opens accounts (for example with the CLI: <code>countersign ledger accounts add</code>)
                  and posts opening balances; they appear here as soon as they are booked.
                </Text>
              </Card>
            ) : (
              <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="md">
                {summary.map((s) => (
                  <AssetSummaryCard key={s.assetId} summary={s} />
                ))}
              </SimpleGrid>
            )}
          </Stack>

          {summary.length > 0 ? <TreasuryChart summary={summary} /> : null}

          <RailBalancesCard />

          <Stack gap="sm">
            <Title order={4}>Balances per account</Title>
            <BalancesTable balances={balances} />
          </Stack>
        </>
      ) : null}
    </Stack>
  )
}
