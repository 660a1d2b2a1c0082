/**
 * One statement: its account, period and file, the four balances (opening, in, out, closing) in
 * full, its warnings, and its lines a page at a time.
 */
import { Alert, Button, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconArrowLeft, IconRefresh } from '@tabler/icons-react'
import type { StatementSummary, StatementWarning } from '../../../../shared/reconApi'
import { formatClock, formatCount, formatTimestamp } from '../../lib/format'
import { useSession } from '../session/store'
import { LinesTable } from './LinesTable'
import { StatementWarnings } from './StatementWarnings'
import { formatPeriod, formatStatementAmount, warningResolution } from './statementWords'
import { useRecon } from './store'

export function StatementPage() {
  const {
    selectedId,
    statements,
    accounts,
    ledgerAccounts,
    lines,
    linesTotal,
    linesLoading,
    linesError,
    linesLoadedAt,
    listLoaded,
    close,
    loadMoreLines,
    refreshLines,
  } = useRecon()
  const statement = statements.find((s) => s.id === selectedId)
  const account = accounts.find((a) => a.id === statement?.accountId)
  // The warnings are kept as they were at import; one resolved since (a link made) is shown resolved.
  const linkedSince = (w: StatementWarning): string | null =>
    warningResolution(w, account, (id) => ledgerAccounts.find((a) => a.id === id)?.name)
  const back = (
    <Button variant="subtle" size="xs" leftSection={<IconArrowLeft size={14} />} onClick={close} data-testid="recon-back" w="fit-content">
      All statements
    </Button>
  )
  if (!statement)
    return (
      <Stack gap="lg" data-testid="recon-statement-page">
        {back}
        {listLoaded ? (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle />}
            title="This statement is not in the list"
            data-testid="recon-statement-missing"
          >
            Only the newest statements are listed — go back to all statements and open it from there.
          </Alert>
        ) : (
          <Loader size="sm" />
        )}
      </Stack>
    )

  return (
    <Stack gap="lg" data-testid="recon-statement-page" data-statement-id={statement.id}>
      {back}
      <Header statement={statement} />
      <Balances statement={statement} />
      <StatementWarnings warnings={statement.warnings} testId="recon-statement-warnings" note={linkedSince} />
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Title order={4}>Lines</Title>
          <Group gap="sm">
            <Text size="sm" c="dimmed" data-testid="recon-lines-count">
              {linesLoadedAt
                ? `${formatCount(lines.length)} of ${formatCount(linesTotal)} ${linesTotal === 1 ? 'line' : 'lines'} · updated ${formatClock(linesLoadedAt)}`
                : ''}
            </Text>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconRefresh size={14} />}
              onClick={() => void refreshLines()}
              loading={linesLoading}
              data-testid="recon-lines-refresh"
            >
              Refresh
            </Button>
          </Group>
        </Group>
        {linesError ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the lines" data-testid="recon-lines-error">
            {linesError}
          </Alert>
        ) : null}
        <LinesTable
          lines={lines}
          emptyText={linesLoading ? 'Loading the lines…' : 'This statement has no lines.'}
          onEndReached={() => void loadMoreLines()}
          resetKey={statement.id}
        />
      </Stack>
    </Stack>
  )
}

function Header({ statement: s }: { statement: StatementSummary }) {
  const operators = useSession((st) => st.operators)
  const importer = operators.find((o) => o.id === s.importedBy)?.name ?? s.importedBy
  return (
    <Stack gap={4}>
      <Title order={2} data-testid="view-title">
        {s.statementRef ?? s.fileName}
      </Title>
      <Text size="sm" c="dimmed" data-testid="recon-statement-meta" style={{ overflowWrap: 'anywhere' }}>
        <span style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{s.accountId}</span> ·{' '}
        {s.sequence !== null ? `sequence ${s.sequence}` : 'no sequence number'} · {formatPeriod(s.fromDate, s.toDate)} · {s.format} file{' '}
        {s.fileName} · imported {formatTimestamp(s.importedAt)} by {importer}
      </Text>
    </Stack>
  )
}

function Balances({ statement: s }: { statement: StatementSummary }) {
  const cells: { key: string; label: string; value: string | null; hint: string }[] = [
    { key: 'opening', label: 'Opening', value: s.opening, hint: 'Balance at the start, as the bank gave it' },
    { key: 'in', label: 'In', value: s.credits, hint: 'Money in, booked lines' },
    { key: 'out', label: 'Out', value: s.debits, hint: 'Money out, booked lines' },
    {
      key: 'closing',
      label: 'Closing',
      value: s.closing,
      hint: s.opening !== null ? 'Opening + in + out: checked on import' : 'As the bank gave it',
    },
  ]
  return (
    <SimpleGrid cols={{ base: 2, lg: 4 }} spacing="md" data-testid="recon-statement-balances">
      {cells.map((c) => (
        <Card key={c.key} withBorder padding="md" data-testid={`recon-balance-${c.key}`}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {c.label}
          </Text>
          <Text
            size="md"
            fw={700}
            ff="monospace"
            c={c.key === 'out' && c.value?.startsWith('-') ? 'red' : undefined}
            style={{ overflowWrap: 'anywhere' }}
            data-testid="recon-balance-amount"
          >
            {c.value === null ? '—' : `${formatStatementAmount(c.value)} ${s.currency}`}
          </Text>
          <Text size="xs" c="dimmed">
            {c.value === null && (c.key === 'opening' || c.key === 'closing') ? 'The file gave no balance to check against' : c.hint}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  )
}
