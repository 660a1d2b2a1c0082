/**
 * One audit row whole, in a pane at the side: when (local and UTC), who, what, about which
 * subject, the entire change as indented JSON (no summary, nothing cut), and both hashes — with
 * one click to see only this subject's or this person's rows.
 */
import { Button, Code, Drawer, Group, ScrollArea, Stack, Table, Text } from '@mantine/core'
import { IconFilter } from '@tabler/icons-react'
import { useMemo, type ReactNode } from 'react'
import { AUDIT_SYSTEM_ACTOR } from '../../../../shared/workspaceApi'
import { formatTimestamp } from '../../lib/format'
import { useSession } from '../session/store'
import { actorLabel } from './auditWords'
import { useAudit } from './store'

const DRAWER_WIDTH_PX = 560

export function AuditDrawer() {
  const row = useAudit((s) => s.selected)
  const close = useAudit((s) => s.close)
  const setFilter = useAudit((s) => s.setFilter)
  const operators = useSession((s) => s.operators)
  const names = useMemo(() => new Map(operators.map((o) => [o.id, o.name])), [operators])
  const changeText = useMemo(() => (row ? (JSON.stringify(row.change, null, 2) ?? 'null') : ''), [row])

  return (
    <Drawer
      opened={row !== null}
      onClose={close}
      position="right"
      size={DRAWER_WIDTH_PX}
      padding="lg"
      title={<Text fw={700}>{row ? `Audit row ${row.seq}` : 'Audit row'}</Text>}
      closeButtonProps={{ 'aria-label': 'Close the audit row' }}
    >
      {row ? (
        <Stack gap="md" data-testid="audit-detail" data-seq={row.seq}>
          <Table variant="vertical" layout="fixed" withTableBorder fz="sm">
            <Table.Tbody>
              <Field label="When">
                <span data-testid="audit-detail-at">{formatTimestamp(row.at)}</span>
                <Text span size="xs" c="dimmed" ff="monospace" display="block">
                  {row.at} (UTC)
                </Text>
              </Field>
              <Field label="Who">
                <span data-testid="audit-detail-actor">{actorLabel(row.actor, names)}</span>
                {row.actor !== AUDIT_SYSTEM_ACTOR && names.has(row.actor) ? (
                  <Text span size="xs" c="dimmed" ff="monospace" display="block">
                    {row.actor}
                  </Text>
                ) : null}
              </Field>
              <Field label="Action">
                <Text span size="sm" ff="monospace" fw={600} data-testid="audit-detail-action">
                  {row.action}
                </Text>
              </Field>
              <Field label="Subject">
                <Text span size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }} data-testid="audit-detail-subject">
                  {row.subject}
                </Text>
              </Field>
            </Table.Tbody>
          </Table>

          <Group gap="xs">
            <Button
              size="xs"
              variant="light"
              leftSection={<IconFilter size={14} />}
              onClick={() => {
                setFilter({ subject: row.subject, actor: null, actions: [] })
                close()
              }}
              data-testid="audit-detail-filter-subject"
            >
              Only this subject
            </Button>
            <Button
              size="xs"
              variant="light"
              leftSection={<IconFilter size={14} />}
              onClick={() => {
                setFilter({
                  actor: row.actor,
                  subject: '',
                  actions: [],
                  ...(row.actor === AUDIT_SYSTEM_ACTOR ? { hideSystem: false } : {}),
                })
                close()
              }}
              data-testid="audit-detail-filter-actor"
            >
              Only {row.actor === AUDIT_SYSTEM_ACTOR ? 'the system' : actorLabel(row.actor, names)}
            </Button>
          </Group>

          <Stack gap={4}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              The change
            </Text>
            <ScrollArea.Autosize mah="calc(100vh - 520px)" type="auto" offsetScrollbars>
              <Code block fz="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="audit-detail-change">
                {changeText}
              </Code>
            </ScrollArea.Autosize>
          </Stack>

          <Stack gap={4}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Chain
            </Text>
            <Hash label="Hash" value={row.hash} testId="audit-detail-hash" />
            <Hash label="Previous row's hash" value={row.prevHash} testId="audit-detail-prev-hash" />
          </Stack>
        </Stack>
      ) : null}
    </Drawer>
  )
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={110}>{label}</Table.Th>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{children}</Table.Td>
    </Table.Tr>
  )
}

function Hash({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }} data-testid={testId}>
        {value}
      </Text>
    </div>
  )
}
