import { Text } from '@mantine/core'
import { formatClock } from '../lib/format'

/**
 * "Updated 14:05:09" — when a view last read what it shows, or nothing before the first load.
 * Every view that can go stale says it (the books change from other processes and desks too).
 */
export function UpdatedAt({ at, testId }: { at: Date | null; testId?: string }) {
  return at ? (
    <Text size="xs" c="dimmed" data-testid={testId}>
      Updated {formatClock(at)}
    </Text>
  ) : null
}
