/**
 * The Reconciliation view. Statements: bring statements in (drop a file, check it, import it),
 * list them with their balances exactly, open one to read its lines, link each statement account
 * to its ledger account, keep the CSV column mappings. Then, per statement account: both sides
 * side by side, the matches to confirm, the exceptions queue, the adjustments a second person
 * approves, the drift and the closing of months. Reloads on `recon.changed`, and after a
 * reconnect (events sent meanwhile are lost).
 */
import { Alert, Badge, Button, Card, Group, Stack, Tabs, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconFileImport, IconRefresh } from '@tabler/icons-react'
import { useCallback, useEffect, useState, type ReactNode } from 'react'
import { RECON_LIST_MAX } from '../../../../shared/limits'
import { ViewHeader } from '../../components/ViewHeader'
import { onEvent } from '../../lib/api'
import { formatClock, formatCount } from '../../lib/format'
import { useApp } from '../app/store'
import { notifyError } from '../notify/store'
import { useOffline } from '../offline/store'
import { hasRole, useSession } from '../session/store'
import { AccountsTable } from './AccountsTable'
import { AdjustmentsPanel } from './AdjustmentsPanel'
import { CsvMappingsCard } from './CsvMappingsCard'
import { DriftPanel } from './DriftPanel'
import { FileDropZone } from '../../components/FileDropZone'
import { STATEMENT_FILE_ACCEPT } from './statementFile'
import { ExceptionsPanel } from './ExceptionsPanel'
import { ImportStatementDialog } from './ImportStatementDialog'
import { MatchesPanel } from './MatchesPanel'
import { MatchingBar } from './MatchingBar'
import { useReconMatch, type ReconTab } from './matchStore'
import { SideBySide } from './SideBySide'
import { StatementPage } from './StatementPage'
import { StatementTable } from './StatementTable'
import { useRecon } from './store'

const NOT_IMPORTER = 'You need the preparer or admin role to import statements and link accounts.'
const NOT_WORKER = 'You need the preparer or admin role to run matching and work the exceptions queue.'
const FORMATS_HINT = 'camt.052/053/054, MT940/942, BAI2, OFX, or a CSV with a saved column mapping — checked before anything is stored.'

export function ReconciliationView() {
  const selectedId = useRecon((s) => s.selectedId)
  const connectionState = useApp((s) => s.connection?.state)
  const reconnects = useOffline((s) => s.reconnects)

  useEffect(() => {
    const s = useRecon.getState()
    void s.refreshList()
    void s.loadChoices()
    const offs = [
      onEvent('recon.changed', () => {
        const st = useRecon.getState()
        void st.refreshList()
        if (st.selectedId) void st.refreshLines()
        void useReconMatch.getState().refreshAll()
      }),
      // A ledger account opened meanwhile may be the one to link to.
      onEvent('ledger.changed', () => void useRecon.getState().loadChoices()),
    ]
    return () => offs.forEach((off) => off())
  }, [])

  useEffect(() => {
    if (connectionState === 'open') {
      const s = useRecon.getState()
      void s.refreshList()
      if (s.selectedId) void s.refreshLines()
      void useReconMatch.getState().refreshAll()
    }
  }, [connectionState, reconnects])

  // The account matching works on: the chosen one while it exists, else the first linked one.
  const accounts = useRecon((s) => s.accounts)
  useEffect(() => {
    const { accountId, chooseAccount } = useReconMatch.getState()
    if (accountId && accounts.some((a) => a.id === accountId)) return
    const next = accounts.find((a) => a.ledgerAccountId !== null) ?? accounts[0]
    if (next) chooseAccount(next.id)
  }, [accounts])

  return selectedId ? <StatementPage /> : <ReconListView />
}

/** A tab's label with a count of what waits there (none shown at zero). */
function TabLabel({ children, count, color, testId }: { children: ReactNode; count?: number; color?: string; testId: string }) {
  return (
    <Group gap={6} wrap="nowrap">
      <span>{children}</span>
      {count !== undefined && count > 0 ? (
        <Badge size="sm" variant="filled" color={color ?? 'indigo'} radius="xl" data-testid={testId}>
          {formatCount(count)}
        </Badge>
      ) : null}
    </Group>
  )
}

/** The tabs that work on one statement account, under the account bar. */
const MATCH_TABS: { value: Exclude<ReconTab, 'statements'>; panel: (canWork: boolean) => ReactNode }[] = [
  { value: 'sideBySide', panel: (canWork) => <SideBySide canWork={canWork} notWorker={NOT_WORKER} /> },
  { value: 'matches', panel: (canWork) => <MatchesPanel canWork={canWork} notWorker={NOT_WORKER} /> },
  { value: 'exceptions', panel: (canWork) => <ExceptionsPanel canWork={canWork} notWorker={NOT_WORKER} /> },
  { value: 'adjustments', panel: () => <AdjustmentsPanel /> },
  { value: 'drift', panel: () => <DriftPanel /> },
]

function ReconListView() {
  const { statements, accounts, listLoaded, listLoading, listError, listLoadedAt, refreshList, open } = useRecon()
  const operator = useSession((s) => s.operator)
  const canImport = hasRole(operator, 'preparer') || hasRole(operator, 'admin')
  const [dialog, setDialog] = useState<{ file: File | null } | null>(null)
  const onOpen = useCallback((id: string) => open(id), [open])
  const updated = listLoadedAt ? ` · updated ${formatClock(listLoadedAt)}` : ''
  const { tab, setTab, suggestionsTotal, openExceptions, proposedAdjustments } = useReconMatch()

  return (
    <Stack gap="lg" data-testid="reconciliation">
      <ViewHeader
        title="Reconciliation"
        description="Bank, Stripe and chain statements, kept line by line exactly as the bank wrote them and checked against their own balances, matched against the ledger with the reason for every match; what does not match waits in the exceptions queue."
        actions={
          <>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconRefresh size={14} />}
              onClick={() => void refreshList()}
              loading={listLoading}
              data-testid="recon-refresh"
            >
              Refresh
            </Button>
            <Button
              size="xs"
              leftSection={<IconFileImport size={14} />}
              onClick={() => setDialog({ file: null })}
              disabled={!canImport}
              title={canImport ? undefined : NOT_IMPORTER}
              data-testid="recon-import-open"
            >
              Import statement
            </Button>
          </>
        }
      />

      <Tabs value={tab} onChange={(v) => v && setTab(v as ReconTab)} keepMounted={false} data-testid="recon-tabs">
        <Tabs.List>
          <Tabs.Tab value="statements" data-testid="recon-tab-statements">
            Statements
          </Tabs.Tab>
          <Tabs.Tab value="sideBySide" data-testid="recon-tab-side">
            Side by side
          </Tabs.Tab>
          <Tabs.Tab value="matches" data-testid="recon-tab-matches">
            <TabLabel count={suggestionsTotal} testId="recon-tab-matches-count">
              Matches
            </TabLabel>
          </Tabs.Tab>
          <Tabs.Tab value="exceptions" data-testid="recon-tab-exceptions">
            <TabLabel count={openExceptions} color="red" testId="recon-tab-exceptions-count">
              Exceptions
            </TabLabel>
          </Tabs.Tab>
          <Tabs.Tab value="adjustments" data-testid="recon-tab-adjustments">
            <TabLabel count={proposedAdjustments} color="orange" testId="recon-tab-adjustments-count">
              Adjustments
            </TabLabel>
          </Tabs.Tab>
          <Tabs.Tab value="drift" data-testid="recon-tab-drift">
            Drift &amp; close
          </Tabs.Tab>
        </Tabs.List>

        <Tabs.Panel value="statements" pt="lg">
          <Stack gap="lg">
            <FileDropZone
              accept={STATEMENT_FILE_ACCEPT}
              fileWord="statement file"
              testId="recon-drop"
              title="Drop a statement file here to check and import it"
              hint={FORMATS_HINT}
              onFile={(file) => setDialog({ file })}
              onRefused={(message) => notifyError('Nothing was imported', new Error(message))}
              disabled={!canImport}
              disabledReason={NOT_IMPORTER}
            />

            {listError ? (
              <Alert
                color="red"
                variant="light"
                icon={<IconAlertTriangle />}
                title="Could not load the statements"
                data-testid="recon-error"
              >
                {listError}
              </Alert>
            ) : null}

            <Stack gap="xs">
              <Group justify="space-between" wrap="wrap">
                <Title order={4}>Statements</Title>
                <Text size="sm" c="dimmed" data-testid="recon-statements-count">
                  {listLoaded
                    ? `${formatCount(statements.length)} ${statements.length === 1 ? 'statement' : 'statements'}${statements.length >= RECON_LIST_MAX ? ' (the newest)' : ''}${updated}`
                    : ''}
                </Text>
              </Group>
              <StatementTable statements={statements} onOpen={onOpen} />
            </Stack>

            <Card withBorder padding="lg" data-testid="recon-accounts">
              <Stack gap="sm">
                <Group justify="space-between" wrap="wrap">
                  <Title order={4}>Statement accounts</Title>
                  <Text size="sm" c="dimmed" data-testid="recon-accounts-count">
                    {listLoaded ? `${formatCount(accounts.length)} ${accounts.length === 1 ? 'account' : 'accounts'}${updated}` : ''}
                  </Text>
                </Group>
                <AccountsTable accounts={accounts} canLink={canImport} notImporter={NOT_IMPORTER} />
              </Stack>
            </Card>
            <CsvMappingsCard canSave={canImport} notImporter={NOT_IMPORTER} />
          </Stack>
        </Tabs.Panel>
        {MATCH_TABS.map(({ value, panel }) => (
          <Tabs.Panel key={value} value={value} pt="lg">
            <Stack gap="md">
              <MatchingBar canWork={canImport} notWorker={NOT_WORKER} />
              {panel(canImport)}
            </Stack>
          </Tabs.Panel>
        ))}
      </Tabs>

      <ImportStatementDialog
        opened={dialog !== null}
        initialFile={dialog?.file ?? null}
        onClose={() => setDialog(null)}
        onShowStatement={onOpen}
      />
    </Stack>
  )
}
