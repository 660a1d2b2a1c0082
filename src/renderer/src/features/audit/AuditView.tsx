import { useOffline } from '../offline/store'
import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react'
import { useEffect, useRef } from 'react'
import { ViewHeader } from '../../components/ViewHeader'
import { onEvent } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { useApp } from '../app/store'
import { AuditTable } from './AuditTable'
import { useAudit } from './store'
import { VerificationPanel } from './VerificationPanel'

/** Re-verify at most this often while rows keep arriving (verification walks the whole chain). */
const REVERIFY_DEBOUNCE_MS = 750

export function AuditView() {
  const { rows, nextBeforeSeq, loading, loadingOlder, error, refresh, loadOlder, verify, verification } = useAudit()
  // Only a break of the chain itself makes rows of the log untrustworthy; a changed book row is named in the panel.
  const chainBroken = verification && !verification.ok && (verification.firstBroken?.kind ?? 'chain') === 'chain'
  const brokenSeq = chainBroken ? (verification.firstBroken?.seq ?? null) : null
  const connectionState = useApp((s) => s.connection?.state)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)

  useEffect(() => {
    void refresh()
    void verify()
    const off = onEvent('audit.appended', () => {
      void refresh()
      if (timer.current) clearTimeout(timer.current)
      timer.current = setTimeout(() => void verify(), REVERIFY_DEBOUNCE_MS)
    })
    return () => {
      off()
      if (timer.current) clearTimeout(timer.current)
    }
  }, [refresh, verify])

  const reconnects = useOffline((s) => s.reconnects)
  useEffect(() => {
    if (connectionState === 'open') void useAudit.getState().refresh()
  }, [connectionState, reconnects])

  return (
    <Stack gap="lg" data-testid="audit">
      <ViewHeader
        title="Audit log"
        description="Every change to this workspace and who made it, newest first. Each row is chained to the one before by its hash, so an edit anywhere breaks the chain."
        actions={
          <Button
            variant="default"
            size="xs"
            leftSection={<IconRefresh size={14} />}
            onClick={() => void refresh()}
            loading={loading}
            data-testid="audit-refresh"
          >
            Refresh
          </Button>
        }
      />

      <VerificationPanel />

      {error ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the audit log" data-testid="audit-error">
          {error}
        </Alert>
      ) : null}

      <AuditTable rows={rows} brokenSeq={brokenSeq} onEndReached={nextBeforeSeq !== null ? () => void loadOlder() : undefined} />

      <Group justify="space-between">
        <Text size="sm" c="dimmed" data-testid="audit-shown">
          {rows.length === 0
            ? 'No rows loaded.'
            : `Showing rows ${formatCount(rows.at(-1)!.seq)}–${formatCount(rows[0]!.seq)} (${formatCount(rows.length)} loaded)`}
          {nextBeforeSeq === null && rows.length > 0 ? ' — the whole log.' : ''}
        </Text>
        {nextBeforeSeq !== null ? (
          <Button variant="default" size="xs" onClick={() => void loadOlder()} loading={loadingOlder} data-testid="audit-load-older">
            Load older rows
          </Button>
        ) : loadingOlder ? (
          <Loader size="xs" />
        ) : null}
      </Group>
    </Stack>
  )
}
