/**
 * Drift and closing. The chart draws ledger − statement at each statement's closing date (drawn
 * with rounded numbers; every figure in words is exact). The newest difference is explained by
 * what is still open: in the ledger but not on the statement yet, on the statement but not in the
 * ledger, adjustments waiting for approval — and what remains unexplained, orange unless zero.
 * Closing a month locks its matches; the core refuses while suggestions or adjustments of the
 * month wait, and says how many.
 */
import { LineChart } from '@mantine/charts'
import { Alert, Button, Card, Group, Modal, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconCircleCheck, IconLock } from '@tabler/icons-react'
import { useMemo, useState } from 'react'
import type { ReconDrift } from '../../../../shared/reconMatchApi'
import { detailsOf } from '../../lib/api'
import { formatCount, formatTimestamp } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { Amount } from './Amount'
import { closePeriod } from './matchActions'
import { EmptyNote, GuardedButton, RefusalAlert, refusalOf, UpdatedAt, useOperatorName, type Refusal } from './matchParts'
import { useReconMatch } from './matchStore'
import { isZeroDecimal, lastFullMonth, money, periodLabel, recentMonths, scaleOf, signedMoney, sumDecimals } from './matchWords'
import { formatStatementAmount } from './statementWords'

const NOT_CLOSER = 'Closing a period needs the approver or admin role — ask an approver.'
/** Months the period picker offers, back from the last full one. */
const PERIOD_CHOICES_MAX = 12
const CHART_HEIGHT_PX = 220

export function DriftPanel() {
  const { accountId, drift, periods, driftSection } = useReconMatch()
  if (!accountId)
    return <EmptyNote testId="recon-drift-none">Choose a statement account above to see its drift and close its months.</EmptyNote>
  return (
    <Stack gap="md" data-testid="recon-drift">
      {driftSection.error ? (
        <RefusalAlert refusal={{ code: null, message: driftSection.error, items: [] }} testId="recon-drift-error" />
      ) : null}
      <SimpleGrid type="container" cols={{ base: 1, '900px': 2 }} spacing="md">
        <DriftChart drift={drift} />
        <DriftExplained drift={drift} />
      </SimpleGrid>
      <ClosePeriodCard accountId={accountId} closed={periods.map((p) => p.period)} />
      <Card withBorder padding="md" data-testid="recon-periods">
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={5}>Closed periods</Title>
            <UpdatedAt at={driftSection.loadedAt} testId="recon-periods-updated" />
          </Group>
          {periods.length === 0 ? (
            <EmptyNote testId="recon-periods-empty">
              No month of this account is closed yet. Close the last full month above once its suggestions are decided and its adjustments
              approved.
            </EmptyNote>
          ) : (
            <Table layout="fixed" verticalSpacing={6} data-testid="recon-periods-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Period</Table.Th>
                  <Table.Th>Closed by</Table.Th>
                  <Table.Th ta="right">Matches locked</Table.Th>
                  <Table.Th ta="right">Open exceptions</Table.Th>
                  <Table.Th ta="right">Drift</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {periods.map((p) => (
                  <PeriodRow key={p.period} period={p} currency={drift?.currency ?? ''} />
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      </Card>
    </Stack>
  )
}

function PeriodRow({
  period: p,
  currency,
}: {
  period: { period: string; closedAt: string; closedBy: string; matches: number; openExceptions: number; drift: string | null }
  currency: string
}) {
  const nameOf = useOperatorName()
  return (
    <Table.Tr data-testid="recon-period" data-period={p.period}>
      <Table.Td>
        <Text size="sm" fw={600}>
          {periodLabel(p.period)}
        </Text>
        <Text size="xs" c="dimmed">
          {p.period}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{nameOf(p.closedBy)}</Text>
        <Text size="xs" c="dimmed">
          {formatTimestamp(p.closedAt)}
        </Text>
      </Table.Td>
      <Table.Td ta="right" data-testid="recon-period-matches">
        {formatCount(p.matches)}
      </Table.Td>
      <Table.Td ta="right" data-testid="recon-period-open">
        <Text span size="sm" c={p.openExceptions > 0 ? 'orange' : undefined}>
          {formatCount(p.openExceptions)}
        </Text>
      </Table.Td>
      <Table.Td ta="right">
        <Amount value={p.drift} currency={currency} testId="recon-period-drift" />
      </Table.Td>
    </Table.Tr>
  )
}

function DriftChart({ drift }: { drift: ReconDrift | null }) {
  // Drawn only: the chart needs numbers, so it gets rounded ones; every figure in words stays exact.
  const data = useMemo(
    () => (drift?.points ?? []).map((p) => ({ date: p.date, 'Ledger − statement': Number(p.difference), exact: p.difference })),
    [drift],
  )
  const scale = scaleOf(drift?.points[0]?.difference ?? '0')
  return (
    <Card withBorder padding="md" data-testid="recon-drift-chart">
      <Stack gap="xs">
        <Title order={5}>Drift at each statement</Title>
        <Text size="xs" c="dimmed">
          Ledger balance minus the statement’s closing balance, at each statement’s closing date. Zero is where both agree; the chart is
          drawn rounded, the figures beside it are exact.
        </Text>
        {data.length === 0 ? (
          <EmptyNote testId="recon-drift-chart-empty">
            No statement with a closing balance yet — the drift is drawn from the first imported statement on.
          </EmptyNote>
        ) : (
          <LineChart
            h={CHART_HEIGHT_PX}
            data={data}
            dataKey="date"
            series={[{ name: 'Ledger − statement', color: 'indigo.6' }]}
            curveType="linear"
            withDots
            referenceLines={[{ y: 0, color: 'gray.5', label: 'agree' }]}
            valueFormatter={(v) => `${formatStatementAmount(v.toFixed(scale))} ${drift?.currency ?? ''}`}
            yAxisProps={{
              width: 72,
              // Zero always in view: the distance from where both agree is what the chart is for.
              domain: [(min: number) => Math.min(min, 0), (max: number) => Math.max(max, 0)],
              tickFormatter: (v: number) => formatStatementAmount(v.toFixed(scale)),
            }}
            yAxisLabel={drift?.currency}
            gridAxis="y"
          />
        )}
        {data.length === 1 ? (
          <Text size="xs" c="dimmed">
            One statement so far: the line grows with each statement imported.
          </Text>
        ) : null}
      </Stack>
    </Card>
  )
}

function DriftExplained({ drift }: { drift: ReconDrift | null }) {
  const latest = drift?.latest ?? null
  if (!drift || !latest)
    return (
      <Card withBorder padding="md" data-testid="recon-drift-explained">
        <Title order={5}>The newest difference</Title>
        <EmptyNote testId="recon-drift-explained-empty">Nothing to explain yet: import a statement with a closing balance.</EmptyNote>
      </Card>
    )
  const c = drift.currency
  const scale = scaleOf(latest.difference)
  const negate = (v: string) => (v.startsWith('-') ? v.slice(1) : isZeroDecimal(v) ? v : `-${v}`)
  // Each part as it adds to the difference: ledger-only items add, statement-only items and adjustments waiting take away.
  const parts = [
    {
      key: 'ledger',
      label: 'In the ledger, not on the statement yet',
      hint: 'postings in transit or missing at the bank',
      value: latest.ledgerNotOnStatement,
    },
    {
      key: 'statement',
      label: 'On the statement, not in the ledger',
      hint: 'lines nobody has booked or matched',
      value: negate(latest.statementNotInLedger),
    },
    {
      key: 'adjustments',
      label: 'Adjustments waiting for approval',
      hint: 'differences to be booked',
      value: negate(latest.proposedAdjustments),
    },
  ]
  const unexplained = !isZeroDecimal(latest.unexplained)
  const check = sumDecimals([...parts.map((p) => p.value), latest.unexplained], scale)
  return (
    <Card withBorder padding="md" data-testid="recon-drift-explained">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={0}>
            <Title order={5}>The newest difference</Title>
            <Text size="xs" c="dimmed">
              Ledger − statement on {latest.date}
            </Text>
          </Stack>
          <Text
            size="xl"
            fw={700}
            ff="monospace"
            c={isZeroDecimal(latest.difference) ? 'teal' : undefined}
            data-testid="recon-drift-difference"
          >
            {signedMoney(latest.difference, c)}
          </Text>
        </Group>
        <Table verticalSpacing={4} data-testid="recon-drift-parts">
          <Table.Tbody>
            {parts.map((p) => (
              <Table.Tr key={p.key} data-testid={`recon-drift-${p.key}`}>
                <Table.Td>
                  <Text size="sm">{p.label}</Text>
                  <Text size="xs" c="dimmed">
                    {p.hint}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text
                    span
                    size="sm"
                    ff="monospace"
                    c={isZeroDecimal(p.value) ? 'dimmed' : undefined}
                    style={{ whiteSpace: 'nowrap' }}
                    data-testid="recon-drift-part-amount"
                  >
                    {signedMoney(p.value, c)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr data-testid="recon-drift-unexplained" data-unexplained={unexplained || undefined}>
              <Table.Td>
                <Text size="sm" fw={600} c={unexplained ? 'orange' : undefined}>
                  Unexplained
                </Text>
                <Text size="xs" c="dimmed">
                  {unexplained
                    ? 'not accounted for by any open item — look for a missing statement or a posting on the wrong account'
                    : 'every cent of the difference is accounted for'}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text
                  span
                  size="sm"
                  ff="monospace"
                  fw={600}
                  c={unexplained ? 'orange' : 'teal'}
                  style={{ whiteSpace: 'nowrap' }}
                  data-testid="recon-drift-part-amount"
                >
                  {signedMoney(latest.unexplained, c)}
                </Text>
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
        {check !== latest.difference && !(isZeroDecimal(check) && isZeroDecimal(latest.difference)) ? (
          <Text size="xs" c="orange">
            The parts add up to {money(check, c)}, not {money(latest.difference, c)}: reload the view.
          </Text>
        ) : null}
        {unexplained ? (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle />} data-testid="recon-drift-warning">
            {money(latest.unexplained, c)} of the difference is unexplained.
          </Alert>
        ) : (
          <Group gap={6} data-testid="recon-drift-ok">
            <IconCircleCheck size={16} color="var(--mantine-color-teal-6)" />
            <Text size="sm" c="teal">
              Nothing unexplained.
            </Text>
          </Group>
        )}
      </Stack>
    </Card>
  )
}

function ClosePeriodCard({ accountId, closed }: { accountId: string; closed: string[] }) {
  const me = useSession((s) => s.operator)
  const canClose = hasRole(me, 'approver') || hasRole(me, 'admin')
  const months = useMemo(() => recentMonths(new Date(), PERIOD_CHOICES_MAX), [])
  const fallback = lastFullMonth(new Date())
  const [period, setPeriod] = useState<string>(closed.includes(fallback) ? (months.find((m) => !closed.includes(m)) ?? fallback) : fallback)
  const [confirming, setConfirming] = useState(false)
  const isClosed = closed.includes(period)
  return (
    <Card withBorder padding="md" data-testid="recon-close">
      <Stack gap="sm">
        <Title order={5}>Close a month</Title>
        <Text size="sm" c="dimmed">
          Closing locks the month’s confirmed matches: nothing in it can be unmatched or confirmed afterwards. It is refused while
          suggestions of the month wait for a decision or its adjustments for approval.
        </Text>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <Select
            label="Period"
            value={period}
            onChange={(v) => v && setPeriod(v)}
            data={months.map((m) => ({ value: m, label: `${m} · ${periodLabel(m)}${closed.includes(m) ? ' · closed' : ''}` }))}
            allowDeselect={false}
            w={300}
            data-testid="recon-close-period"
          />
          <GuardedButton
            leftSection={<IconLock size={16} />}
            refusedBecause={!canClose ? NOT_CLOSER : isClosed ? `${periodLabel(period)} is closed already.` : null}
            onClick={() => setConfirming(true)}
            testId="recon-close-open"
          >
            Close {periodLabel(period)}…
          </GuardedButton>
        </Group>
      </Stack>
      {confirming ? <CloseDialog accountId={accountId} period={period} onClose={() => setConfirming(false)} /> : null}
    </Card>
  )
}

function CloseDialog({ accountId, period, onClose }: { accountId: string; period: string; onClose: () => void }) {
  const setTab = useReconMatch((s) => s.setTab)
  const [busy, setBusy] = useState(false)
  const [refusal, setRefusal] = useState<(Refusal & { open: { suggested: number; proposedAdjustments: number } | null }) | null>(null)

  async function submit() {
    setBusy(true)
    setRefusal(null)
    try {
      await closePeriod(accountId, period)
      onClose()
    } catch (error) {
      setRefusal({ ...refusalOf(error), open: detailsOf(error, 'RECON_PERIOD_OPEN_ITEMS') ?? null })
    } finally {
      setBusy(false)
    }
  }

  function go(tab: 'matches' | 'adjustments') {
    setTab(tab)
    onClose()
  }

  return (
    <Modal opened onClose={onClose} title={`Close ${periodLabel(period)}`} size="lg" centered data-testid="recon-close-dialog">
      <Stack gap="md">
        <Text size="sm">
          Close <b>{periodLabel(period)}</b> ({period}) of{' '}
          <span style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{accountId}</span>? Its confirmed matches are locked from now
          on; open exceptions stay in the queue and are counted in the closing summary.
        </Text>
        {refusal ? (
          <RefusalAlert refusal={refusal} testId="recon-close-error">
            {refusal.open ? (
              <Stack gap={6} mt="xs" data-testid="recon-close-waiting">
                {refusal.open.suggested > 0 ? (
                  <Group justify="space-between" wrap="nowrap" gap="xs">
                    <Text size="sm" data-testid="recon-close-waiting-suggested">
                      {formatCount(refusal.open.suggested)} suggested {refusal.open.suggested === 1 ? 'match waits' : 'matches wait'} for a
                      decision
                    </Text>
                    <Button size="compact-xs" variant="default" onClick={() => go('matches')}>
                      Review suggestions
                    </Button>
                  </Group>
                ) : null}
                {refusal.open.proposedAdjustments > 0 ? (
                  <Group justify="space-between" wrap="nowrap" gap="xs">
                    <Text size="sm" data-testid="recon-close-waiting-adjustments">
                      {formatCount(refusal.open.proposedAdjustments)} proposed{' '}
                      {refusal.open.proposedAdjustments === 1 ? 'adjustment waits' : 'adjustments wait'} for approval
                    </Text>
                    <Button size="compact-xs" variant="default" onClick={() => go('adjustments')}>
                      Open adjustments
                    </Button>
                  </Group>
                ) : null}
              </Stack>
            ) : null}
          </RefusalAlert>
        ) : null}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button leftSection={<IconLock size={16} />} onClick={() => void submit()} loading={busy} data-testid="recon-close-submit">
            Close {periodLabel(period)}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
