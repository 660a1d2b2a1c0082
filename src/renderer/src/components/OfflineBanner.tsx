import { Alert } from '@mantine/core'
import { IconCloudOff } from '@tabler/icons-react'
import { formatHourMinute } from '../lib/format'
import { useApp } from '../features/app/store'
import { useOffline } from '../features/offline/store'

/**
 * Team mode: the one banner that says the team database is out of reach (features/offline). The
 * views keep what they last loaded under it; the core refuses every change with its own sentence.
 */
export function OfflineBanner() {
  const unreachable = useOffline((s) => s.unreachable)
  const database = useApp((s) => s.info?.database)
  if (!unreachable) return null
  const where = database?.backend === 'postgres' ? `The team database at ${database.location}` : 'The team database'
  const seen = unreachable.lastSeenAt
    ? `showing what this desk last saw at ${formatHourMinute(unreachable.lastSeenAt)}`
    : 'this desk has loaded nothing from it yet'
  return (
    <Alert
      color="orange"
      variant="filled"
      autoContrast
      icon={<IconCloudOff />}
      title="Working offline — read only"
      data-testid="offline-banner"
      role="alert"
      aria-live="assertive"
    >
      <span data-testid="offline-banner-text">{`${where} is unreachable — ${seen}; changes are refused until it is back.`}</span>
    </Alert>
  )
}
