/**
 * The audit log's filters: who, what, which subject, which UTC days, and whether the rows
 * Countersign wrote by itself are shown. Every change asks the core again (it filters with its
 * indexes); the subject waits for typing to settle.
 */
import { Button, Group, MultiSelect, Select, Switch, Text, TextInput } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconFilterOff } from '@tabler/icons-react'
import { useEffect, useMemo, useState } from 'react'
import { AUDIT_FILTER_TEXT_CHARS_MAX } from '../../../../shared/limits'
import { AUDIT_SYSTEM_ACTOR } from '../../../../shared/workspaceApi'
import { useSession } from '../session/store'
import { actorLabel, groupActions } from './auditWords'
import { auditDateProblem, isNarrowed, useAudit } from './store'

/** Typing settles this long before the subject filter runs. */
const SUBJECT_SETTLE_MS = 300

export function AuditFilters() {
  const filter = useAudit((s) => s.filter)
  const setFilter = useAudit((s) => s.setFilter)
  const resetFilter = useAudit((s) => s.resetFilter)
  const facets = useAudit((s) => s.facets)
  const operators = useSession((s) => s.operators)
  const names = useMemo(() => new Map(operators.map((o) => [o.id, o.name])), [operators])

  const [subject, setSubject] = useState(filter.subject)
  const [settled] = useDebouncedValue(subject, SUBJECT_SETTLE_MS)
  useEffect(() => {
    if (settled !== useAudit.getState().filter.subject) useAudit.getState().setFilter({ subject: settled })
  }, [settled])
  // A subject set from elsewhere (the detail pane's "only this subject") shows in the box.
  useEffect(() => setSubject(filter.subject), [filter.subject])

  const people = useMemo(() => {
    const actors = new Set([...facets.actors, ...operators.map((o) => o.id)])
    if (filter.hideSystem) actors.delete(AUDIT_SYSTEM_ACTOR)
    return [...actors]
      .map((a) => ({ value: a, label: actorLabel(a, names) }))
      .sort((a, b) => (a.value === AUDIT_SYSTEM_ACTOR ? 1 : b.value === AUDIT_SYSTEM_ACTOR ? -1 : a.label.localeCompare(b.label)))
  }, [facets.actors, operators, names, filter.hideSystem])
  const actions = useMemo(() => groupActions(facets.actions), [facets.actions])
  const problem = auditDateProblem(filter)

  return (
    <Group gap="sm" align="flex-end" wrap="wrap" data-testid="audit-filters">
      <Select
        label="Person"
        placeholder="Anyone"
        data={people}
        value={filter.actor}
        onChange={(v) => setFilter({ actor: v })}
        searchable
        clearable
        nothingFoundMessage="Nobody of that name"
        w={200}
        data-testid="audit-filter-actor"
      />
      <MultiSelect
        label="Action"
        placeholder={filter.actions.length === 0 ? 'Any action' : undefined}
        data={actions}
        value={filter.actions}
        onChange={(v) => setFilter({ actions: v })}
        searchable
        clearable
        maxDropdownHeight={320}
        nothingFoundMessage="No action of that name"
        style={{ flex: '1 1 220px', minWidth: 200, maxWidth: 380 }}
        data-testid="audit-filter-action"
      />
      <TextInput
        label="Subject"
        placeholder="e.g. batch:b_12"
        value={subject}
        onChange={(e) => setSubject(e.currentTarget.value)}
        maxLength={AUDIT_FILTER_TEXT_CHARS_MAX}
        w={190}
        data-testid="audit-filter-subject"
      />
      <TextInput
        label="From (UTC)"
        type="date"
        value={filter.from}
        onChange={(e) => setFilter({ from: e.currentTarget.value })}
        w={140}
        data-testid="audit-filter-from"
      />
      <TextInput
        label="To (UTC)"
        type="date"
        value={filter.to}
        onChange={(e) => setFilter({ to: e.currentTarget.value })}
        w={140}
        data-testid="audit-filter-to"
      />
      <Switch
        label="Hide automatic rows"
        description="Confirmations, syncs and sweeps by the system"
        checked={filter.hideSystem}
        onChange={(e) =>
          setFilter({
            hideSystem: e.currentTarget.checked,
            ...(e.currentTarget.checked && filter.actor === AUDIT_SYSTEM_ACTOR ? { actor: null } : {}),
          })
        }
        data-testid="audit-filter-hide-system"
        mb={4}
      />
      {isNarrowed(filter) ? (
        <Button
          variant="subtle"
          size="xs"
          leftSection={<IconFilterOff size={14} />}
          onClick={resetFilter}
          mb={6}
          data-testid="audit-filter-clear"
        >
          Clear filters
        </Button>
      ) : null}
      {problem ? (
        <Text size="sm" c="orange.8" w="100%" data-testid="audit-date-problem">
          {problem}
        </Text>
      ) : null}
    </Group>
  )
}
