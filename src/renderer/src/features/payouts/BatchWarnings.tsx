/**
 * The warnings a batch keeps (the core stores them with it), one line per kind with its count —
 * never one line per row. Each kind opens to its rows and can filter the payouts table to them.
 * Look-alike addresses stand apart in red: they are how invoice fraud redirects a payment.
 * The preparer sees them before submitting; the approver sees them beside the approve button.
 */
import { Alert, Anchor, Button, Collapse, Group, List, Stack, Text } from '@mantine/core'
import {
  IconAlertOctagon,
  IconAlertTriangle,
  IconChevronDown,
  IconChevronRight,
  IconFilter,
  IconUserExclamation,
} from '@tabler/icons-react'
import { useState } from 'react'
import { BLOCKING_WARNING_CODES, type BatchWarningGroup } from '../../../../shared/batchWarningGroups'
import { formatCount } from '../../lib/format'

/** Rows listed under an opened kind; the table (filtered) shows them all. */
const ROWS_LISTED_MAX = 50

export function BatchWarnings({
  groups,
  draft,
  filterCode,
  onFilter,
}: {
  groups: BatchWarningGroup[]
  draft: boolean
  filterCode: string | null
  onFilter: (code: string | null) => void
}) {
  if (groups.length === 0) return null
  const danger = groups.filter((g) => g.danger)
  // Rows that cannot be paid as things stand (network not set up, account that cannot receive): their own, louder box.
  const blocking = groups.filter((g) => !g.danger && BLOCKING_WARNING_CODES.has(g.code))
  const others = groups.filter((g) => !g.danger && !BLOCKING_WARNING_CODES.has(g.code))
  const blockingRows = new Set(blocking.flatMap((g) => g.payoutIds)).size
  const rows = new Set(others.flatMap((g) => g.payoutIds)).size
  return (
    <Stack gap="sm" data-testid="batch-warnings">
      {danger.length > 0 ? (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertOctagon size={24} />}
          title={draft ? 'Look-alike addresses — check before you submit' : 'Look-alike addresses — check before you approve'}
          data-testid="warnings-lookalike"
          styles={{ root: { borderLeft: '4px solid var(--mantine-color-red-6)' } }}
        >
          {danger.map((g) => (
            <WarningKind key={g.code} group={g} active={filterCode === g.code} onFilter={onFilter} defaultOpen />
          ))}
        </Alert>
      ) : null}
      {blocking.length > 0 ? (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle size={22} />}
          title={`Cannot be paid as things stand — ${formatCount(blockingRows)} ${blockingRows === 1 ? 'payout' : 'payouts'}`}
          data-testid="warnings-blocking"
        >
          <Stack gap={6}>
            {blocking.map((g) => (
              <WarningKind key={g.code} group={g} active={filterCode === g.code} onFilter={onFilter} />
            ))}
          </Stack>
        </Alert>
      ) : null}
      {others.length > 0 ? (
        <Alert
          color="yellow"
          variant="light"
          icon={<IconUserExclamation size={22} />}
          title={`${draft ? 'Check before you submit' : 'Flagged on this batch'} — ${formatCount(rows)} ${rows === 1 ? 'payout' : 'payouts'} concerned`}
          data-testid="warnings-other"
        >
          <Stack gap={6}>
            {others.map((g) => (
              <WarningKind key={g.code} group={g} active={filterCode === g.code} onFilter={onFilter} />
            ))}
          </Stack>
        </Alert>
      ) : null}
    </Stack>
  )
}

function WarningKind({
  group,
  active,
  onFilter,
  defaultOpen = false,
}: {
  group: BatchWarningGroup
  active: boolean
  onFilter: (code: string | null) => void
  defaultOpen?: boolean
}) {
  const [open, setOpen] = useState(defaultOpen)
  const listed = group.warnings.slice(0, ROWS_LISTED_MAX)
  const rowBound = group.warnings.some((w) => w.row !== null)
  return (
    <Stack gap={4} data-testid="warning-kind" data-code={group.code} data-count={group.count}>
      <Group gap="xs" wrap="nowrap" justify="space-between">
        <Anchor
          component="button"
          type="button"
          size="sm"
          c="inherit"
          fw={600}
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          data-testid="warning-kind-toggle"
          style={{ textAlign: 'left' }}
        >
          <Group gap={6} wrap="nowrap">
            {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
            <span data-testid="warning-kind-title">{group.title}</span>
          </Group>
        </Anchor>
        {rowBound ? (
          <Button
            size="compact-xs"
            variant={active ? 'filled' : 'default'}
            color={group.danger ? 'red' : 'yellow'}
            leftSection={<IconFilter size={12} />}
            onClick={() => onFilter(active ? null : group.code)}
            data-testid="warning-kind-filter"
            style={{ flexShrink: 0 }}
          >
            {active ? 'Show all payouts' : `Show ${group.payoutIds.length === 1 ? 'this payout' : 'these payouts'}`}
          </Button>
        ) : null}
      </Group>
      <Collapse expanded={open}>
        <Stack gap={4} pl={20}>
          <Text size="xs" c="dimmed">
            {group.advice}
          </Text>
          <List size="sm" spacing={2} data-testid="warning-kind-rows">
            {listed.map((w, i) => (
              <List.Item key={i} data-testid="warning-row">
                {w.row !== null ? <b>Row {w.row}: </b> : null}
                {w.problem}
              </List.Item>
            ))}
          </List>
          {group.warnings.length > listed.length ? (
            <Text size="xs" c="dimmed">
              and {formatCount(group.warnings.length - listed.length)} more — {`"Show these payouts"`} lists them all in the table.
            </Text>
          ) : null}
        </Stack>
      </Collapse>
    </Stack>
  )
}
