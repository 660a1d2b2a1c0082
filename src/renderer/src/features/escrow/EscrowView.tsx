/**
 * The Escrow view: the list of escrows (filtered by state) with what is held per asset, or one
 * escrow's page. Reloads on `escrow.changed`, and after a reconnect (events sent meanwhile are lost).
 */
import { Alert, Button, Card, Group, Select, SimpleGrid, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconFileImport, IconPlus, IconRefresh } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import { ESCROW_STATES, type EscrowState } from '../../../../shared/escrowApi'
import { ViewHeader } from '../../components/ViewHeader'
import { onEvent } from '../../lib/api'
import { formatCount, networkNameOfAsset } from '../../lib/format'
import { DisplayAmount } from '../../components/DisplayAmount'
import { useApp } from '../app/store'
import { useOffline } from '../offline/store'
import { hasRole, useSession } from '../session/store'
import { CreateEscrowDialog } from './CreateEscrowDialog'
import { EscrowPage } from './EscrowPage'
import { EscrowTable } from './EscrowTable'
import { ImportEscrowDialog } from './ImportEscrowDialog'
import { ESCROW_STATE_LABELS } from './states'
import { useEscrow } from './store'

const ALL = 'all'
const NOT_PREPARER = 'You do not have the preparer role, so you cannot create escrows.'

export function EscrowView() {
  const selectedId = useEscrow((s) => s.selectedId)
  const connectionState = useApp((s) => s.connection?.state)
  const operatorId = useSession((s) => s.operator?.id)
  const reconnects = useOffline((s) => s.reconnects)

  // The detail says what the caller may do (canApprove, sentences): never show another operator's.
  useEffect(() => {
    useEscrow.setState({ detail: null })
    void useEscrow.getState().refreshDetail()
  }, [operatorId])

  useEffect(() => {
    const s = useEscrow.getState()
    void s.refreshList()
    void s.loadAssets()
    return onEvent('escrow.changed', (p) => {
      const st = useEscrow.getState()
      void st.refreshList()
      if (st.selectedId === p.escrowId) void st.refreshDetail()
    })
  }, [])

  useEffect(() => {
    if (connectionState === 'open') {
      void useEscrow.getState().refreshList()
      void useEscrow.getState().refreshDetail()
    }
  }, [connectionState, reconnects])

  return selectedId ? <EscrowPage /> : <EscrowListView />
}

function EscrowListView() {
  const { escrows, inEscrow, filter, setFilter, listLoaded, listLoading, listError, refreshList, open } = useEscrow()
  const operator = useSession((s) => s.operator)
  const [dialog, setDialog] = useState<'create' | 'import' | null>(null)
  const canCreate = hasRole(operator, 'preparer')
  const onOpen = useCallback((id: string) => open(id), [open])

  return (
    <Stack gap="lg" data-testid="escrow">
      <ViewHeader
        title="Escrow"
        description="Money held for a payee until each milestone is released, refunded or split after a dispute. Every release, refund and split is approved like a batch."
        actions={
          <>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconRefresh size={14} />}
              onClick={() => void refreshList()}
              loading={listLoading}
              data-testid="escrow-refresh"
            >
              Refresh
            </Button>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconFileImport size={14} />}
              onClick={() => setDialog('import')}
              disabled={!canCreate}
              title={canCreate ? undefined : NOT_PREPARER}
              data-testid="escrow-import-open"
            >
              Import CSV
            </Button>
            <Button
              size="xs"
              leftSection={<IconPlus size={14} />}
              onClick={() => setDialog('create')}
              disabled={!canCreate}
              title={canCreate ? undefined : NOT_PREPARER}
              data-testid="escrow-new"
            >
              New escrow
            </Button>
          </>
        }
      />

      {inEscrow.length > 0 ? (
        <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md" data-testid="escrow-held-per-asset">
          {inEscrow.map((a) => (
            <Card key={a.assetId} withBorder padding="md" data-testid={`escrow-held-${a.assetId}`}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                Held in escrow
              </Text>
              <Text size="lg" fw={700} style={{ overflowWrap: 'anywhere' }}>
                <DisplayAmount value={a.held} scale={a.scale} code={a.assetCode} size="lg" fw={700} testId="escrow-held-amount" />
              </Text>
              <Text size="xs" c="dimmed" title={a.assetId} data-testid="escrow-held-asset">
                {a.assetCode} on {networkNameOfAsset(a.assetId)}
              </Text>
            </Card>
          ))}
        </SimpleGrid>
      ) : null}

      <Group justify="space-between" wrap="wrap">
        <Select
          size="xs"
          w={220}
          aria-label="Filter by state"
          value={filter ?? ALL}
          onChange={(v) => setFilter(!v || v === ALL ? null : (v as EscrowState))}
          data={[{ value: ALL, label: 'All states' }, ...ESCROW_STATES.map((s) => ({ value: s, label: ESCROW_STATE_LABELS[s] }))]}
          allowDeselect={false}
          data-testid="escrow-filter"
        />
        <Text size="sm" c="dimmed" data-testid="escrow-count">
          {listLoaded ? `${formatCount(escrows.length)} ${escrows.length === 1 ? 'escrow' : 'escrows'}` : ''}
        </Text>
      </Group>

      {listError ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the escrows" data-testid="escrow-error">
          {listError}
        </Alert>
      ) : null}

      <EscrowTable escrows={escrows} onOpen={onOpen} resetKey={filter} />

      <CreateEscrowDialog opened={dialog === 'create'} onClose={() => setDialog(null)} />
      <ImportEscrowDialog opened={dialog === 'import'} onClose={() => setDialog(null)} />
    </Stack>
  )
}
