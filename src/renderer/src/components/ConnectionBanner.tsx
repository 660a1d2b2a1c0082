import { Badge, Tooltip } from '@mantine/core'
import { useApp } from '../features/app/store'

/** Browser mode only: says when the WebSocket to the core is down (Electron's IPC cannot drop). */
export function ConnectionBanner() {
  const connection = useApp((s) => s.connection)
  if (!connection || connection.state === 'open') return null
  const text =
    connection.state === 'no-token'
      ? 'No access token'
      : connection.everOpened
        ? 'Reconnecting…'
        : connection.failures > 2
          ? 'Cannot connect'
          : 'Connecting…'
  const hint =
    connection.state === 'no-token' || (!connection.everOpened && connection.failures > 2)
      ? 'Open the full link printed by `npm run start:web` (it ends with #token=…), and check the server is running.'
      : 'The connection to the Countersign server dropped; retrying. Changes are not possible until it is back.'
  return (
    <Tooltip label={hint} multiline w={300}>
      <Badge color={connection.everOpened ? 'yellow' : 'red'} variant="filled" data-testid="connection-status">
        {text}
      </Badge>
    </Tooltip>
  )
}
