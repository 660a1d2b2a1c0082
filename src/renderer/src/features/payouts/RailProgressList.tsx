/**
 * Execution in plain words, from stored state (executionProgress.ts): per rail a bar and
 * "N of M confirmed" with where it stands, and once execution has ended a summary — what was
 * paid, what failed and what to do about it, and the network fees, all exact.
 */
import { Alert, Group, List, Progress, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react'
import { formatCount, formatDisplay } from '../../lib/format'
import { assetLabels, railStatusSentence, type AssetAmount, type ExecutionSummary, type RailProgress } from './executionProgress'

/** Failed payouts listed by name in the summary; the rest are counted (the payouts table lists every one). */
const FAILED_ROWS_SHOWN_MAX = 10

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : (part / whole) * 100
}

function amounts(list: readonly AssetAmount[]): string {
  const labels = assetLabels(list)
  return list.map((a, i) => `${formatDisplay(a.amount, a.scale, a.assetCode)} ${labels[i]}`).join(' · ')
}

export function RailProgressList({ rails }: { rails: readonly RailProgress[] }) {
  return (
    <Stack gap="sm" data-testid="rail-progress-list">
      {rails.map((r) => (
        <Stack key={r.key} gap={4} data-testid="rail-progress" data-rail={r.key} data-phase={r.phase}>
          <Group justify="space-between" gap="xs" wrap="wrap">
            <Text size="sm" fw={600}>
              {r.title}
            </Text>
            <Text size="sm" data-testid="rail-progress-count">
              {formatCount(r.confirmed)} of {formatCount(r.payouts)} confirmed
              {r.failed > 0 ? ` · ${formatCount(r.failed)} failed` : ''}
            </Text>
          </Group>
          <Progress.Root size="lg" aria-label={`${r.title}: ${r.confirmed} of ${r.payouts} payouts confirmed`}>
            <Progress.Section value={percent(r.confirmed, r.payouts)} color="teal" />
            <Progress.Section value={percent(r.sent, r.payouts)} color="indigo" striped animated={r.phase === 'confirming'} />
            {/* Not yet signed (Stripe: not yet sent): pale, so a stopped batch does not look sent. */}
            <Progress.Section value={percent(r.toSign, r.payouts)} color="indigo.2" />
            <Progress.Section value={percent(r.failed, r.payouts)} color="red" />
          </Progress.Root>
          <Text size="sm" c={r.phase === 'stopped' ? 'orange.8' : 'dimmed'} data-testid="rail-progress-status">
            {railStatusSentence(r)}
          </Text>
        </Stack>
      ))}
    </Stack>
  )
}

export function ExecutionSummaryCard({ summary, nextStep }: { summary: ExecutionSummary; nextStep: string }) {
  const { paid, failed, fees } = summary
  const shown = failed.rows.slice(0, FAILED_ROWS_SHOWN_MAX)
  return (
    <Alert
      color={failed.payouts > 0 ? 'orange' : 'teal'}
      variant="light"
      icon={failed.payouts > 0 ? <IconAlertTriangle /> : <IconCircleCheck />}
      title={
        <Title order={5}>
          {failed.payouts > 0 ? 'Execution finished — some payouts failed' : 'Execution finished — every payout paid'}
        </Title>
      }
      data-testid="execution-summary"
    >
      <Stack gap={6}>
        <Text size="sm" data-testid="summary-paid">
          <b>Paid:</b> {formatCount(paid.payouts)} {paid.payouts === 1 ? 'payout' : 'payouts'}
          {paid.totals.length > 0 ? ` — ${amounts(paid.totals)}` : ''}
        </Text>
        {failed.payouts > 0 ? (
          <Stack gap={4} data-testid="summary-failed">
            <Text size="sm">
              <b>Failed:</b> {formatCount(failed.payouts)} {failed.payouts === 1 ? 'payout' : 'payouts'} — {amounts(failed.totals)}, not
              paid
            </Text>
            <List size="sm" spacing={2}>
              {shown.map((f) => (
                <List.Item key={f.id} data-testid="summary-failed-row">
                  Row {f.rowNo}, {f.who}, {formatDisplay(f.amount.amount, f.amount.scale, f.amount.assetCode)} {f.amount.assetCode}:{' '}
                  {f.reason}
                </List.Item>
              ))}
            </List>
            {failed.rows.length > shown.length ? (
              <Text size="sm" c="dimmed">
                … and {formatCount(failed.rows.length - shown.length)} more in the payouts table.
              </Text>
            ) : null}
            <Text size="sm" fw={500} data-testid="summary-next-step">
              {nextStep}
            </Text>
          </Stack>
        ) : null}
        <Text size="sm" data-testid="summary-fees">
          <b>Network fees:</b> {fees.length > 0 ? amounts(fees) : 'none'}
        </Text>
      </Stack>
    </Alert>
  )
}
