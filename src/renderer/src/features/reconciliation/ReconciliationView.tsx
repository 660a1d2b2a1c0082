/**
 * The Reconciliation view, first layer: bring statements in (drop a file, check it, import it),
 * list them with their balances exactly, open one to read its lines, and link each statement
 * account to its ledger account. Reloads on `recon.changed`, and after a reconnect (events sent
 * meanwhile are lost). Matching lines with the ledger comes in a later layer.
 */
import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconFileImport, IconRefresh } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import { RECON_LIST_MAX } from '../../../../shared/limits'
import { ViewHeader } from '../../components/ViewHeader'
import { onEvent } from '../../lib/api'
import { formatClock, formatCount } from '../../lib/format'
import { useApp } from '../app/store'
import { notifyError } from '../notify/store'
import { useOffline } from '../offline/store'
import { hasRole, useSession } from '../session/store'
import { AccountsTable } from './AccountsTable'
import { DropZone } from './DropZone'
import { ImportStatementDialog } from './ImportStatementDialog'
import { StatementPage } from './StatementPage'
import { StatementTable } from './StatementTable'
import { useRecon } from './store'

const NOT_IMPORTER = 'You need the preparer or admin role to import statements and link accounts.'
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
    }
  }, [connectionState, reconnects])

  return selectedId ? <StatementPage /> : <ReconListView />
}

function ReconListView() {
  const { statements, accounts, listLoaded, listLoading, listError, listLoadedAt, refreshList, open } = useRecon()
  const operator = useSession((s) => s.operator)
  const canImport = hasRole(operator, 'preparer') || hasRole(operator, 'admin')
  const [dialog, setDialog] = useState<{ file: File | null } | null>(null)
  const onOpen = useCallback((id: string) => open(id), [open])
  const updated = listLoadedAt ? ` · updated ${formatClock(listLoadedAt)}` : ''

  return (
    <Stack gap="lg" data-testid="reconciliation">
      <ViewHeader
        title="Reconciliation"
        description="Bank, Stripe and chain statements, kept line by line exactly as the bank wrote them and checked against their own balances. Link each statement account to its ledger account; matching comes next."
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

      <DropZone
        testId="recon-drop"
        title="Drop a statement file here to check and import it"
        hint={FORMATS_HINT}
        onFile={(file) => setDialog({ file })}
        onRefused={(message) => notifyError('Nothing was imported', new Error(message))}
        disabled={!canImport}
        disabledReason={NOT_IMPORTER}
      />

      {listError ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the statements" data-testid="recon-error">
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

      <ImportStatementDialog
        opened={dialog !== null}
        initialFile={dialog?.file ?? null}
        onClose={() => setDialog(null)}
        onShowStatement={onOpen}
      />
    </Stack>
  )
}
