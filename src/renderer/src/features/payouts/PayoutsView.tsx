import { useOffline } from '../offline/store'
import { Alert, Button, Group, SegmentedControl, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconFileImport, IconRefresh } from '@tabler/icons-react'
import { useCallback, useEffect, useState, type DragEvent } from 'react'
import { BATCH_STATES } from '../../../../shared/payoutStates'
import type { BatchStateName } from '../../../../shared/blocks'
import type { BatchSummary } from '../../../../shared/payoutsApi'
import { UpdatedAt } from '../../components/UpdatedAt'
import { OpenLink } from '../../components/OpenLink'
import { ViewHeader } from '../../components/ViewHeader'
import { onEvent } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { useApp } from '../app/store'
import { useNav } from '../nav/store'
import { hasRole, useSession } from '../session/store'
import { BatchDetailView } from './BatchDetail'
import { BatchTable } from './BatchTable'
import { ImportPanel } from './ImportPanel'
import { BATCH_STATE_LABELS } from './states'
import { usePayouts } from './store'

const ALL = 'all'

export function PayoutsView() {
  const selectedId = usePayouts((s) => s.selectedId)
  const connectionState = useApp((s) => s.connection?.state)
  const operatorId = useSession((s) => s.operator?.id)

  // The detail says what the caller may do ("You can approve…"): never show another operator's.
  useEffect(() => {
    usePayouts.setState({ detail: null, detailComplete: false })
    void usePayouts.getState().refreshDetail()
  }, [operatorId])

  useEffect(() => {
    const s = usePayouts.getState()
    void s.refreshList()
    void s.loadAssets()
    const touched = (ids: string[]) => {
      const st = usePayouts.getState()
      void st.refreshList()
      if (st.selectedId && ids.includes(st.selectedId)) void st.refreshDetail()
    }
    const offs = [
      onEvent('batches.changed', (p) => touched([p.batchId])),
      onEvent('payouts.changed', (p) => touched(p.batchIds)),
      onEvent('execution.progress', (p) => {
        usePayouts.getState().addProgress(p)
        if (usePayouts.getState().selectedId === p.batchId) void usePayouts.getState().refreshDetail()
      }),
    ]
    return () => offs.forEach((off) => off())
  }, [])

  // Events sent while the browser-mode connection was down are lost: reload when it is back.
  // The same when the team database link comes back: other desks' changes were not heard.
  const reconnects = useOffline((s) => s.reconnects)
  useEffect(() => {
    if (connectionState === 'open') {
      void usePayouts.getState().refreshList()
      void usePayouts.getState().refreshDetail()
    }
  }, [connectionState, reconnects])

  return selectedId ? <BatchDetailView /> : <BatchListView />
}

function BatchListView() {
  const { batches, filter, setFilter, nextBefore, listLoaded, listLoadedAt, listLoading, listError, refreshList, loadMore, open } =
    usePayouts()
  const operator = useSession((s) => s.operator)
  const [importing, setImporting] = useState(false)
  const [dropped, setDropped] = useState<File | null>(null)
  const [dragOver, setDragOver] = useState(false)
  const canImport = hasRole(operator, 'preparer')
  const onOpen = useCallback((id: string) => open(id), [open])

  // The "i" shortcut (from any view) lands here and opens the import panel.
  const importRequests = useNav((s) => s.importRequests)
  useEffect(() => {
    if (importRequests > 0 && canImport) setImporting(true)
  }, [importRequests, canImport])

  // A CSV dropped anywhere on the list opens the import panel with it (preparers only).
  const hasFiles = (e: DragEvent) => canImport && Array.from(e.dataTransfer.types).includes('Files')
  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return
    e.preventDefault()
    e.dataTransfer.dropEffect = 'copy'
    setDragOver(true)
  }
  const onDrop = (e: DragEvent) => {
    // The import panel's own drop zone took it already.
    if (e.defaultPrevented || !hasFiles(e)) return
    e.preventDefault()
    setDragOver(false)
    const [first] = Array.from(e.dataTransfer.files)
    if (!first) return
    setDropped(first)
    setImporting(true)
  }

  return (
    <Stack
      gap="lg"
      data-testid="payouts"
      data-drag-over={dragOver || undefined}
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragOver(false)
      }}
      onDrop={onDrop}
      style={dragOver ? { outline: '2px dashed var(--mantine-color-indigo-5)', outlineOffset: 6, borderRadius: 8 } : undefined}
    >
      <ViewHeader
        title="Payouts"
        description="Payout batches: imported or built by a preparer, approved by someone else, signed and executed by a signer."
        actions={
          <>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconRefresh size={14} />}
              onClick={() => void refreshList()}
              loading={listLoading}
              data-testid="payouts-refresh"
            >
              Refresh
            </Button>
            <Button
              size="xs"
              leftSection={<IconFileImport size={14} />}
              onClick={() => setImporting(true)}
              disabled={!canImport || importing}
              title={canImport ? undefined : 'You do not have the preparer role, so you cannot import payouts.'}
              data-testid="import-open"
            >
              Import CSV
            </Button>
          </>
        }
      />

      {importing ? (
        <ImportPanel
          initialFile={dropped}
          onClose={() => {
            setImporting(false)
            setDropped(null)
          }}
        />
      ) : null}

      <Group justify="space-between" wrap="wrap">
        <SegmentedControl
          size="xs"
          value={filter ?? ALL}
          onChange={(v) => setFilter(v === ALL ? null : (v as BatchStateName))}
          data={[{ value: ALL, label: 'All' }, ...BATCH_STATES.map((s) => ({ value: s, label: BATCH_STATE_LABELS[s] }))]}
          data-testid="batch-filter"
        />
        <Group gap="sm">
          <Text size="sm" c="dimmed" data-testid="batch-count">
            {listLoaded ? `${formatCount(batches.length)} ${batches.length === 1 ? 'batch' : 'batches'}${nextBefore ? ' loaded' : ''}` : ''}
          </Text>
          <UpdatedAt at={listLoadedAt} testId="batches-updated" />
        </Group>
      </Group>

      {listError ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the batches" data-testid="payouts-error">
          {listError}
        </Alert>
      ) : null}

      <SigningStoppedAlert batches={batches} signer={hasRole(operator, 'signer')} onOpen={onOpen} />

      <BatchTable batches={batches} onOpen={onOpen} onEndReached={nextBefore ? () => void loadMore() : undefined} resetKey={filter} />
    </Stack>
  )
}

/**
 * Batches whose signing stopped part-way (the device stopped, or the app signing them was closed):
 * nothing carries them on by itself, so the list says so above everything else — to a signer,
 * with the batch to open and resume.
 */
function SigningStoppedAlert({ batches, signer, onOpen }: { batches: BatchSummary[]; signer: boolean; onOpen: (id: string) => void }) {
  const stopped = batches.filter((b) => b.signingStopped !== null)
  if (stopped.length === 0) return null
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconAlertTriangle />}
      title={stopped.length === 1 ? 'Signing stopped part-way' : `Signing stopped part-way in ${formatCount(stopped.length)} batches`}
      data-testid="signing-stopped-alert"
    >
      <Stack gap={4}>
        {stopped.map((b) => (
          <Text key={b.id} size="sm">
            <OpenLink onOpen={() => onOpen(b.id)} testId="signing-stopped-open">
              {b.name}
            </OpenLink>
            {`: ${formatCount(b.signingStopped!.signed)} of ${formatCount(b.signingStopped!.total)} transactions signed, ${formatCount(b.signingStopped!.unsigned)} waiting. `}
            {signer
              ? 'Open it, have the Ledger ready and press Resume signing — what was signed stays signed.'
              : 'A signer must open it and press Resume signing — nothing carries it on by itself.'}
          </Text>
        ))}
      </Stack>
    </Alert>
  )
}
