/** A statement's warnings in plain words: what kind, the core's sentence, and where it applies. */
import { Alert, Badge, List, Stack, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
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
  /** What has changed since the warning was given (an account linked afterwards), or null. */
  note?: (warning: StatementWarning) => string | null
}) {
  if (warnings.length === 0) return null
  const n = warnings.length
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconAlertTriangle />}
      title={title ?? `${formatCount(n)} ${n === 1 ? 'warning' : 'warnings'}`}
      data-testid={testId}
    >
      <List size="sm" spacing={6}>
        {warnings.map((w, i) => (
          <List.Item key={i} data-testid="recon-warning" data-code={w.code}>
            <Stack gap={0}>
              <Text size="sm" fw={600} span>
                {WARNING_LABELS[w.code]}
              </Text>
              <Text size="sm" span>
                {w.message}
              </Text>
              {note?.(w) ? (
                <Text size="sm" c="teal" span data-testid="recon-warning-note">
                  {note(w)}
                </Text>
              ) : null}
              {w.where ? (
                <Text size="xs" c="dimmed" span style={{ overflowWrap: 'anywhere' }}>
                  Where: {w.where}
                </Text>
              ) : null}
            </Stack>
          </List.Item>
        ))}
      </List>
    </Alert>
  )
}

/** The count of a statement's warnings as a badge, its kinds in the tooltip; "—" when there are none. */
export function WarningsBadge({ warnings }: { warnings: StatementWarning[] }) {
  if (warnings.length === 0)
    return (
      <Text span size="sm" c="dimmed" data-testid="recon-warnings-none">
        —
      </Text>
    )
  const n = warnings.length
  return (
    <Badge
      color="orange"
      variant="light"
      size="sm"
      radius="sm"
      leftSection={<IconAlertTriangle size={12} />}
      title={warnings.map((w) => `${WARNING_LABELS[w.code]}: ${w.message}`).join('\n')}
      data-testid="recon-warnings-badge"
    >
      {formatCount(n)} {n === 1 ? 'warning' : 'warnings'}
    </Badge>
  )
}
