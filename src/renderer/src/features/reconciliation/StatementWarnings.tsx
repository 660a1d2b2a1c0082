/**
 * A statement's warnings in plain words: what kind, the core's sentence, and where it applies.
 * A warning is kept as it was given at import; one that no longer holds (the account was linked
 * since) is shown resolved — grey, with what changed — and is not counted as a warning any more.
 */
import { Alert, Badge, List, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react'
import type { StatementWarning } from '../../../../shared/reconApi'
import { formatCount } from '../../lib/format'
import { WARNING_LABELS } from './statementWords'

export function StatementWarnings({
  warnings,
  title,
  testId,
  note,
}: {
  warnings: StatementWarning[]
  title?: string
  testId: string
  /** What has changed since the warning was given (an account linked afterwards): the warning is resolved. */
  note?: (warning: StatementWarning) => string | null
}) {
  if (warnings.length === 0) return null
  const active = warnings.filter((w) => !note?.(w)).length
  const resolved = warnings.length - active
  const allResolved = active === 0
  return (
    <Alert
      color={allResolved ? 'gray' : 'orange'}
      variant="light"
      icon={allResolved ? <IconCircleCheck /> : <IconAlertTriangle />}
      title={
        title ??
        (allResolved
          ? `${formatCount(resolved)} ${resolved === 1 ? 'warning' : 'warnings'} from the import, resolved since`
          : `${formatCount(active)} ${active === 1 ? 'warning' : 'warnings'}${resolved > 0 ? ` (and ${formatCount(resolved)} resolved since)` : ''}`)
      }
      data-testid={testId}
      data-resolved={allResolved || undefined}
    >
      <List size="sm" spacing={6}>
        {warnings.map((w, i) => {
          const since = note?.(w) ?? null
          return (
            <List.Item key={i} data-testid="recon-warning" data-code={w.code} data-resolved={since !== null || undefined}>
              <Stack gap={0}>
                <Text size="sm" fw={600} span c={since ? 'dimmed' : undefined} td={since ? 'line-through' : undefined}>
                  {WARNING_LABELS[w.code]}
                </Text>
                <Text size="sm" span c={since ? 'dimmed' : undefined}>
                  {w.message}
                </Text>
                {since ? (
                  <Text size="sm" c="teal" span data-testid="recon-warning-note">
                    {since}
                  </Text>
                ) : null}
                {w.where ? (
                  <Text size="xs" c="dimmed" span style={{ overflowWrap: 'anywhere' }}>
                    Where: {w.where}
                  </Text>
                ) : null}
              </Stack>
            </List.Item>
          )
        })}
      </List>
    </Alert>
  )
}

/**
 * The count of a statement's warnings as a badge, its kinds in the tooltip; grey "resolved" when
 * every one was resolved since (`note`, as for StatementWarnings); "—" when there are none.
 */
export function WarningsBadge({ warnings, note }: { warnings: StatementWarning[]; note?: (warning: StatementWarning) => string | null }) {
  if (warnings.length === 0)
    return (
      <Text span size="sm" c="dimmed" data-testid="recon-warnings-none">
        —
      </Text>
    )
  const active = warnings.filter((w) => !note?.(w))
  const title = warnings.map((w) => `${WARNING_LABELS[w.code]}: ${w.message}${note?.(w) ? ` — resolved: ${note(w)}` : ''}`).join('\n')
  if (active.length === 0)
    return (
      <Badge
        color="gray"
        variant="light"
        size="sm"
        radius="sm"
        leftSection={<IconCircleCheck size={12} />}
        title={title}
        data-testid="recon-warnings-resolved"
      >
        {warnings.length === 1 ? 'resolved' : `${formatCount(warnings.length)} resolved`}
      </Badge>
    )
  const n = active.length
  return (
    <Badge
      color="orange"
      variant="light"
      size="sm"
      radius="sm"
      leftSection={<IconAlertTriangle size={12} />}
      title={title}
      data-testid="recon-warnings-badge"
    >
      {formatCount(n)} {n === 1 ? 'warning' : 'warnings'}
    </Badge>
  )
}
