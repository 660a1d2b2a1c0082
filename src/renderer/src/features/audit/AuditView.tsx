import { useOffline } from '../offline/store'
import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconFileTypeCsv, IconRefresh } from '@tabler/icons-react'
import { useEffect, useRef } from 'react'
import { ViewHeader } from '../../components/ViewHeader'
import { onEvent } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { useApp } from '../app/store'
import { AuditDrawer } from './AuditDetail'
import { AuditFilters } from './AuditFilters'
import { AuditTable } from './AuditTable'
import { isNarrowed, useAudit } from './store'
import { VerificationPanel } from './VerificationPanel'

/** Re-verify at most this often while rows keep arriving (verification walks the whole chain). */
const REVERIFY_DEBOUNCE_MS = 750

export function AuditView() {
  const {
    rows,
    nextBeforeSeq,
    loading,
    loadingOlder,
    error,
    refresh,
    loadOlder,
    verify,
    verification,
    filter,
    open,
    setFilter,
    exportCsv,
    exporting,
  } = useAudit()
  // Only a break of the chain itself makes rows of the log untrustworthy; a changed book row is named in the panel.
  const chainBroken = verification && !verification.ok && (verification.firstBroken?.kind ?? 'chain') === 'chain'
  const brokenSeq = chainBroken ? (verification.firstBroken?.seq ?? null) : null
  const connectionState = useApp((s) => s.connection?.state)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)

  useEffect(() => {
    void refresh()
    void verify()
    void useAudit.getState().loadFacets()
    const off = onEvent('audit.appended', (e) => {
      void refresh()
      // A new person or a new kind of action: offer it in the filters.
      const { facets, loadFacets } = useAudit.getState()
      if (!facets.actions.includes(e.action) || !facets.actors.includes(e.actor)) void loadFacets()
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
          <Group gap="xs" wrap="nowrap">
            <Button
              variant="default"
              size="xs"
              leftSection={<IconFileTypeCsv size={14} />}
              onClick={() => void exportCsv()}
              loading={exporting}
              title="The rows these filters match, oldest first, as a CSV file"
              data-testid="audit-export"
            >
              Export CSV
            </Button>
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
          </Group>
        }
      />

      <VerificationPanel />

      {error ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the audit log" data-testid="audit-error">
          {error}
        </Alert>
      ) : null}

      <AuditFilters />
      {brokenSeq !== null && filter.hideSystem ? (
        // The row that broke may be one the system wrote: never hide what the alert points at.
        <Alert color="orange" variant="light" data-testid="audit-broken-hidden">
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm">Automatic rows by the system are hidden, so a row marked broken may not be shown.</Text>
            <Button size="xs" variant="white" color="orange" onClick={() => setFilter({ hideSystem: false })} style={{ flexShrink: 0 }}>
              Show every row
            </Button>
          </Group>
        </Alert>
      ) : null}

      <AuditTable
        rows={rows}
        brokenSeq={brokenSeq}
        onOpen={open}
        resetKey={filter}
        onEndReached={nextBeforeSeq !== null ? () => void loadOlder() : undefined}
      />

      <Group justify="space-between">
        <Text size="sm" c="dimmed" data-testid="audit-shown">
          {shownText(rows.length, rows.at(-1)?.seq, rows[0]?.seq, nextBeforeSeq === null, isNarrowed(filter), filter.hideSystem)}
        </Text>
        {nextBeforeSeq !== null ? (
          <Button variant="default" size="xs" onClick={() => void loadOlder()} loading={loadingOlder} data-testid="audit-load-older">
            Load older rows
          </Button>
        ) : loadingOlder ? (
          <Loader size="xs" />
        ) : null}
      </Group>
      <AuditDrawer />
    </Stack>
  )
}

/** What the table holds: which rows, and whether that is everything the filters match. */
function shownText(
  loaded: number,
  oldest: number | undefined,
  newest: number | undefined,
  complete: boolean,
  narrowed: boolean,
  hideSystem: boolean,
): string {
  const hidden = hideSystem ? ' Automatic rows by the system are hidden.' : ''
  if (loaded === 0 || oldest === undefined || newest === undefined)
    return narrowed ? `No rows match these filters.${hidden}` : `No rows loaded.${hidden}`
  const seqs = oldest === newest ? formatCount(oldest) : `${formatCount(oldest)}–${formatCount(newest)}`
  const range = `${formatCount(loaded)} ${loaded === 1 ? 'row' : 'rows'} loaded, seq ${seqs}`
  const whole = complete ? (narrowed || hideSystem ? ' — every row that matches.' : ' — the whole log.') : '.'
  return `${range}${whole}${hidden}`
}
