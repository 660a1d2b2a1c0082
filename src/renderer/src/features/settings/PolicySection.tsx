/**
 * The approval policy, for everyone to read and for admins to change: approvers every batch needs,
 * more approvers above a threshold per asset, and a daily limit per asset. A change is signed with
 * the admin's approval key and audited; where there are two admins it waits for the other one
 * (Admin changes, under Operators) before it applies.
 */
import { ActionIcon, Alert, Button, Card, Group, NumberInput, Select, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core'
import { IconAlertTriangle, IconClockHour4, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { Asset } from '../../../../shared/ledgerApi'
import { POLICY_APPROVERS_MAX, POLICY_RULES_MAX } from '../../../../shared/limits'
import { parseAmount } from '../../../../shared/money'
import type { ApprovalPolicy, PolicySetting } from '../../../../shared/payoutsApi'
import { errorMessage, invoke, loadErrorMessage, onEvent } from '../../lib/api'
import { DisplayAmount } from '../../components/DisplayAmount'
import { formatTimestamp, networkName } from '../../lib/format'
import { notifySuccess } from '../notify/store'
import { hasRole, useSession } from '../session/store'
import { useSettings } from './store'

interface ThresholdDraft {
  assetId: string | null
  above: string
  approversMin: number
}
interface LimitDraft {
  assetId: string | null
  amount: string
}
interface Draft {
  approversMin: number
  thresholds: ThresholdDraft[]
  dailyLimits: LimitDraft[]
}

function toDraft(policy: ApprovalPolicy): Draft {
  return {
    approversMin: policy.approversMin,
    thresholds: policy.thresholds.map((t) => ({ ...t })),
    dailyLimits: policy.dailyLimits.map((l) => ({ assetId: l.assetId, amount: l.amount })),
  }
}

/** The first thing wrong with an amount for its asset, or null (the core checks again). */
function amountProblem(text: string, asset: Asset | undefined): string | null {
  if (!asset) return 'Choose the asset first.'
  if (text.trim() === '') return 'Enter an amount.'
  try {
    parseAmount(text.trim(), asset.scale, { allowZero: true, assetLabel: asset.code })
    return null
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

export function PolicySection() {
  const operator = useSession((s) => s.operator)
  const names = useSession((s) => s.operators)
  const assets = useSettings((s) => s.assets)
  const [setting, setSetting] = useState<PolicySetting | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [draft, setDraft] = useState<Draft | null>(null)
  const [saveError, setSaveError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const [pending, setPending] = useState<{ id: string; summary: string } | null>(null)
  const admin = hasRole(operator, 'admin')

  const load = useCallback(async () => {
    try {
      setSetting(await invoke('settings.policy.get', {}))
      setError(null)
    } catch (e) {
      setError(loadErrorMessage(e))
    }
  }, [])
  useEffect(() => {
    void load()
    // A change approved by the second admin applies the policy: read it again.
    return onEvent('operators.changed', () => void load())
  }, [load])

  const assetOf = (id: string | null) => assets.find((a) => a.id === id)
  const assetLabel = (id: string) => {
    const a = assetOf(id)
    return a ? `${a.code} on ${networkName(a.rail, a.network)}` : id
  }
  // The one display form of every view (trailing zeros trimmed, never rounded), exact on hover
  // and copy; the form's inputs keep the exact value.
  const amountShown = (id: string, decimal: string, testId: string) => {
    const a = assetOf(id)
    return a ? <DisplayAmount value={decimal} scale={a.scale} code={a.code} testId={testId} /> : decimal
  }
  const assetOptions = assets.map((a) => ({ value: a.id, label: `${a.code} on ${networkName(a.rail, a.network)}` }))

  async function save() {
    if (!draft) return
    for (const [i, t] of draft.thresholds.entries()) {
      const problem = amountProblem(t.above, assetOf(t.assetId))
      if (problem) return setSaveError(`Threshold ${i + 1}: ${problem}`)
    }
    for (const [i, l] of draft.dailyLimits.entries()) {
      const problem = amountProblem(l.amount, assetOf(l.assetId))
      if (problem) return setSaveError(`Daily limit ${i + 1}: ${problem}`)
    }
    const policy: ApprovalPolicy = {
      approversMin: draft.approversMin,
      thresholds: draft.thresholds.map((t) => ({ assetId: t.assetId!, above: t.above.trim(), approversMin: t.approversMin })),
      dailyLimits: draft.dailyLimits.map((l) => ({ rail: assetOf(l.assetId)!.rail, assetId: l.assetId!, amount: l.amount.trim() })),
    }
    setSaving(true)
    try {
      const next = await invoke('settings.policy.set', policy)
      setSetting(next)
      setDraft(null)
      setSaveError(null)
      setPending(next.pendingChange ?? null)
      notifySuccess(
        next.pendingChange ? 'Policy change requested' : 'Approval policy saved',
        next.pendingChange
          ? 'It applies once a second admin approves it (Settings → Operators → Admin changes).'
          : 'It applies to every approval from now on.',
      )
    } catch (e) {
      setSaveError(errorMessage(e))
    } finally {
      setSaving(false)
    }
  }

  const p = setting?.policy
  const changedBy = setting?.updatedBy ? (names.find((o) => o.id === setting.updatedBy)?.name ?? setting.updatedBy) : null

  return (
    <Card withBorder padding="lg" data-testid="settings-policy">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={2}>
            <Title order={4}>Approval policy</Title>
            <Text size="sm" c="dimmed">
              Who must approve a batch before it can be paid. Whoever created or edited a batch can never approve it.
            </Text>
          </Stack>
          {admin && p && !draft ? (
            <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => setDraft(toDraft(p))} data-testid="policy-edit">
              Edit policy
            </Button>
          ) : null}
        </Group>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the policy">
            {error}
          </Alert>
        ) : null}
        {pending ? (
          <Alert color="blue" variant="light" icon={<IconClockHour4 />} title="Waiting for a second admin" data-testid="policy-pending">
            {pending.summary}. It applies once another admin approves it under Operators → Admin changes.
          </Alert>
        ) : null}

        {p && !draft ? (
          <Stack gap="sm" data-testid="policy-view">
            <Text size="sm" data-testid="policy-approvers">
              Every batch needs <b>{p.approversMin}</b> {p.approversMin === 1 ? 'approver' : 'approvers'}.
            </Text>
            {p.thresholds.length > 0 ? (
              <Table withTableBorder verticalSpacing={4} data-testid="policy-thresholds">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Asset</Table.Th>
                    <Table.Th ta="right">A batch paying more than</Table.Th>
                    <Table.Th ta="right">needs approvers</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {p.thresholds.map((t) => (
                    <Table.Tr key={`${t.assetId}-${t.above}`} data-testid="policy-threshold">
                      <Table.Td>{assetLabel(t.assetId)}</Table.Td>
                      <Table.Td ta="right">{amountShown(t.assetId, t.above, 'policy-threshold-amount')}</Table.Td>
                      <Table.Td ta="right">{t.approversMin}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <Text size="sm" c="dimmed">
                No thresholds: the same number of approvers whatever the amount.
              </Text>
            )}
            {p.dailyLimits.length > 0 ? (
              <Table withTableBorder verticalSpacing={4} data-testid="policy-limits">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Asset</Table.Th>
                    <Table.Th ta="right">Most approved or paid per UTC day</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {p.dailyLimits.map((l) => (
                    <Table.Tr key={l.assetId} data-testid="policy-limit">
                      <Table.Td>{assetLabel(l.assetId)}</Table.Td>
                      <Table.Td ta="right">{amountShown(l.assetId, l.amount, 'policy-limit-amount-shown')}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <Text size="sm" c="dimmed">
                No daily limits.
              </Text>
            )}
            <Text size="xs" c="dimmed" data-testid="policy-changed">
              {setting?.updatedAt
                ? `Last changed by ${changedBy ?? 'unknown'} at ${formatTimestamp(setting.updatedAt)}`
                : 'The default policy: never changed.'}
              {admin ? '' : ' Only an admin can change it.'} Every change is in the audit log.
            </Text>
          </Stack>
        ) : null}

        {draft ? (
          <Stack gap="md" data-testid="policy-form">
            <NumberInput
              label="Approvers every batch needs"
              min={1}
              max={POLICY_APPROVERS_MAX}
              allowDecimal={false}
              value={draft.approversMin}
              onChange={(v) => setDraft({ ...draft, approversMin: typeof v === 'number' ? v : 1 })}
              w={260}
              data-testid="policy-approvers-input"
            />
            <Stack gap="xs">
              <Text size="sm" fw={600}>
                Thresholds — more approvers for large batches
              </Text>
              {draft.thresholds.map((t, i) => (
                <Group key={i} gap="xs" align="flex-end" wrap="nowrap" data-testid="policy-threshold-row">
                  <Select
                    label={i === 0 ? 'Asset' : undefined}
                    data={assetOptions}
                    value={t.assetId}
                    onChange={(v) =>
                      setDraft({ ...draft, thresholds: draft.thresholds.map((x, j) => (j === i ? { ...x, assetId: v } : x)) })
                    }
                    searchable
                    w={240}
                    data-testid="policy-threshold-asset"
                  />
                  <TextInput
                    label={i === 0 ? 'Batch total above' : undefined}
                    value={t.above}
                    onChange={(e) => {
                      const above = e.currentTarget.value
                      setDraft({ ...draft, thresholds: draft.thresholds.map((x, j) => (j === i ? { ...x, above } : x)) })
                    }}
                    ff="monospace"
                    w={200}
                    data-testid="policy-threshold-above"
                  />
                  <NumberInput
                    label={i === 0 ? 'Approvers' : undefined}
                    min={1}
                    max={POLICY_APPROVERS_MAX}
                    allowDecimal={false}
                    value={t.approversMin}
                    onChange={(v) =>
                      setDraft({
                        ...draft,
                        thresholds: draft.thresholds.map((x, j) => (j === i ? { ...x, approversMin: typeof v === 'number' ? v : 1 } : x)),
                      })
                    }
                    w={110}
                    data-testid="policy-threshold-approvers"
                  />
                  <Tooltip label="Remove this threshold">
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      mb={4}
                      aria-label="Remove this threshold"
                      onClick={() => setDraft({ ...draft, thresholds: draft.thresholds.filter((_, j) => j !== i) })}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              ))}
              <Button
                variant="subtle"
                size="xs"
                w="fit-content"
                leftSection={<IconPlus size={14} />}
                disabled={draft.thresholds.length >= POLICY_RULES_MAX}
                onClick={() =>
                  setDraft({
                    ...draft,
                    thresholds: [...draft.thresholds, { assetId: null, above: '', approversMin: draft.approversMin + 1 }],
                  })
                }
                data-testid="policy-threshold-add"
              >
                Add a threshold
              </Button>
            </Stack>
            <Stack gap="xs">
              <Text size="sm" fw={600}>
                Daily limits — the most approved or paid per asset in one UTC day
              </Text>
              {draft.dailyLimits.map((l, i) => (
                <Group key={i} gap="xs" align="flex-end" wrap="nowrap" data-testid="policy-limit-row">
                  <Select
                    label={i === 0 ? 'Asset' : undefined}
                    data={assetOptions}
                    value={l.assetId}
                    onChange={(v) =>
                      setDraft({ ...draft, dailyLimits: draft.dailyLimits.map((x, j) => (j === i ? { ...x, assetId: v } : x)) })
                    }
                    searchable
                    w={240}
                    data-testid="policy-limit-asset"
                  />
                  <TextInput
                    label={i === 0 ? 'Limit per day' : undefined}
                    value={l.amount}
                    onChange={(e) => {
                      const amount = e.currentTarget.value
                      setDraft({ ...draft, dailyLimits: draft.dailyLimits.map((x, j) => (j === i ? { ...x, amount } : x)) })
                    }}
                    ff="monospace"
                    w={200}
                    data-testid="policy-limit-amount"
                  />
                  <Tooltip label="Remove this limit">
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      mb={4}
                      aria-label="Remove this limit"
                      onClick={() => setDraft({ ...draft, dailyLimits: draft.dailyLimits.filter((_, j) => j !== i) })}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              ))}
              <Button
                variant="subtle"
                size="xs"
                w="fit-content"
                leftSection={<IconPlus size={14} />}
                disabled={draft.dailyLimits.length >= POLICY_RULES_MAX}
                onClick={() => setDraft({ ...draft, dailyLimits: [...draft.dailyLimits, { assetId: null, amount: '' }] })}
                data-testid="policy-limit-add"
              >
                Add a daily limit
              </Button>
            </Stack>
            {saveError ? (
              <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="The policy was not saved" data-testid="policy-error">
                {saveError}
              </Alert>
            ) : null}
            <Group gap="xs">
              <Button loading={saving} onClick={() => void save()} data-testid="policy-save">
                Save policy
              </Button>
              <Button
                variant="default"
                onClick={() => {
                  setDraft(null)
                  setSaveError(null)
                }}
                data-testid="policy-cancel"
              >
                Cancel
              </Button>
            </Group>
            <Text size="xs" c="dimmed">
              Saving signs the change with your approval key and writes it to the audit log; with two admins it waits for the other one.
            </Text>
          </Stack>
        ) : null}
      </Stack>
    </Card>
  )
}
