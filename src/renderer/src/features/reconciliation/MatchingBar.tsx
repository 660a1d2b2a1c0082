/**
 * Above every matching tab: which statement account is worked on (and the ledger account it is
 * matched against), Run matching, its Preview (a dry run that lists what would be matched and
 * stores nothing), Pull rail records (the rails' own records as statement lines), and what the
 * last run or preview found.
 */
import { Alert, Badge, Button, Card, CloseButton, Group, Select, Stack, Table, Text } from '@mantine/core'
import { IconCloudDownload, IconEye, IconLink, IconPlayerPlay } from '@tabler/icons-react'
import { useState } from 'react'
import { formatCount, formatTimestamp } from '../../lib/format'
import { LinkAccountDialog } from './AccountsTable'
import { Amount } from './Amount'
import { pullRailRecords, runMatching } from './matchActions'
import { GuardedButton } from './matchParts'
import { useReconMatch, type LastRun } from './matchStore'
import { exceptionCounts, isZeroDecimal, MATCH_KIND_LABELS, runSentence, signedMoney } from './matchWords'
import { useRecon } from './store'

/** Matches a preview lists one by one; the rest are counted. */
const PREVIEW_ROWS_MAX = 50

export function MatchingBar({ canWork, notWorker }: { canWork: boolean; notWorker: string }) {
  const accounts = useRecon((s) => s.accounts)
  const ledgerAccounts = useRecon((s) => s.ledgerAccounts)
  const accountId = useReconMatch((s) => s.accountId)
  const chooseAccount = useReconMatch((s) => s.chooseAccount)
  const lastRun = useReconMatch((s) => s.lastRun)
  const tab = useReconMatch((s) => s.tab)
  const [busy, setBusy] = useState<'run' | 'preview' | 'pull' | null>(null)
  const [linking, setLinking] = useState(false)
  const account = accounts.find((a) => a.id === accountId)
  const nameOf = new Map(ledgerAccounts.map((a) => [a.id, a.name]))
  const unlinked = account !== undefined && account.ledgerAccountId === null
  const refused = !account ? 'Choose a statement account first.' : null

  async function go(kind: 'run' | 'preview' | 'pull') {
    if (!accountId) return
    setBusy(kind)
    if (kind === 'pull') await pullRailRecords()
    else await runMatching(accountId, kind === 'preview')
    setBusy(null)
  }

  return (
    <Card withBorder padding="md" data-testid="recon-match-bar">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
          <Select
            label="Statement account"
            placeholder={accounts.length === 0 ? 'None yet — import a statement first' : 'Choose…'}
            value={accountId}
            onChange={(v) => chooseAccount(v)}
            data={accounts.map((a) => ({ value: a.id, label: `${a.id}${a.ledgerAccountId ? '' : ' (not linked)'}` }))}
            renderOption={({ option }) => {
              const a = accounts.find((x) => x.id === option.value)
              return (
                <Stack gap={0}>
                  <Text size="sm" ff="monospace">
                    {option.value}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {a?.ledgerAccountId
                      ? `matched against ${nameOf.get(a.ledgerAccountId) ?? a.ledgerAccountId}`
                      : 'not linked to a ledger account'}
                  </Text>
                </Stack>
              )
            }}
            allowDeselect={false}
            disabled={accounts.length === 0}
            style={{ flex: '1 1 300px', maxWidth: 420 }}
            comboboxProps={{ width: 'target' }}
            data-testid="recon-match-account"
          />
          {canWork ? (
            <Group gap="xs" wrap="wrap">
              <GuardedButton
                variant="default"
                size="sm"
                leftSection={<IconCloudDownload size={16} />}
                refusedBecause={null}
                loading={busy === 'pull'}
                onClick={() => void go('pull')}
                testId="recon-pull"
              >
                Pull rail records
              </GuardedButton>
              <GuardedButton
                variant="default"
                size="sm"
                leftSection={<IconEye size={16} />}
                refusedBecause={refused}
                loading={busy === 'preview'}
                onClick={() => void go('preview')}
                testId="recon-preview"
              >
                Preview (dry run)
              </GuardedButton>
              <GuardedButton
                size="sm"
                leftSection={<IconPlayerPlay size={16} />}
                refusedBecause={refused}
                loading={busy === 'run'}
                onClick={() => void go('run')}
                testId="recon-run"
              >
                Run matching
              </GuardedButton>
            </Group>
          ) : (
            <Text size="sm" c="dimmed" maw={360} data-testid="recon-match-readonly">
              {notWorker}
            </Text>
          )}
        </Group>
        {unlinked ? (
          <Alert
            color="orange"
            variant="light"
            title="This statement account is not linked to a ledger account"
            data-testid="recon-match-unlinked"
          >
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Text size="sm">Its lines have nothing to be matched against: link it to the ledger account whose movements it shows.</Text>
              <Button
                size="xs"
                variant="default"
                leftSection={<IconLink size={14} />}
                onClick={() => setLinking(true)}
                disabled={!canWork}
                title={canWork ? undefined : notWorker}
              >
                Link…
              </Button>
            </Group>
          </Alert>
        ) : account?.ledgerAccountId ? (
          <Text size="xs" c="dimmed" data-testid="recon-match-ledger">
            Statement lines of {account.id} are matched against the ledger account{' '}
            <b>{nameOf.get(account.ledgerAccountId) ?? account.ledgerAccountId}</b> ({account.ledgerAccountId}): exact keys first, then the
            matching rules. Preview shows what a run would do without storing anything.
          </Text>
        ) : null}
        {lastRun && lastRun.accountId === accountId && lastRun.tab === tab ? <RunOutcome run={lastRun} /> : null}
      </Stack>
      {linking && account ? <LinkAccountDialog account={account} onClose={() => setLinking(false)} /> : null}
    </Card>
  )
}

function RunOutcome({ run }: { run: LastRun }) {
  const setLastRun = useReconMatch((s) => s.setLastRun)
  const setTab = useReconMatch((s) => s.setTab)
  const shown = run.matches.slice(0, PREVIEW_ROWS_MAX)
  const more = run.matches.length - shown.length + run.more
  return (
    <Alert
      color={run.dryRun ? 'blue' : 'teal'}
      variant="light"
      title={`${run.dryRun ? 'Preview — nothing was stored' : 'Matching done'} · ${formatTimestamp(run.at.toISOString())}`}
      data-testid={run.dryRun ? 'recon-preview-result' : 'recon-run-result'}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
          <Text size="sm" data-testid="recon-run-sentence">
            {runSentence(run.stats, run.dryRun)}
          </Text>
          <CloseButton size="sm" onClick={() => setLastRun(null)} aria-label="Dismiss" />
        </Group>
        <Text size="xs" c="dimmed" data-testid="recon-run-exceptions">
          Exceptions by reason: {exceptionCounts(run.stats)}
        </Text>
        {run.dryRun ? (
          shown.length === 0 ? (
            <Text size="sm" data-testid="recon-preview-empty">
              A run would match nothing new now: every open item is in the exceptions queue or already matched.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={0} type="native">
              <Table verticalSpacing={4} fz="sm" data-testid="recon-preview-table" style={{ tableLayout: 'fixed' }}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={150}>Kind · would be</Table.Th>
                    <Table.Th>Why</Table.Th>
                    <Table.Th w={150} ta="right">
                      Statement
                    </Table.Th>
                    <Table.Th w={130} ta="right">
                      Difference
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {shown.map((m, i) => (
                    <Table.Tr key={`${m.id}-${i}`} data-testid="recon-preview-row" data-kind={m.kind}>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {MATCH_KIND_LABELS[m.kind]}
                        </Text>
                        <Badge size="xs" radius="sm" variant="light" color={m.state === 'confirmed' ? 'teal' : 'blue'}>
                          {m.state === 'confirmed' ? 'matched at once' : 'suggested'}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="recon-preview-summary">
                          {m.summary}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {m.ruleName} · {formatCount(m.statement.length)} {m.statement.length === 1 ? 'line' : 'lines'} ↔{' '}
                          {formatCount(m.ledger.length)} {m.ledger.length === 1 ? 'posting' : 'postings'}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Amount value={m.statementTotal} currency={m.currency} testId="recon-preview-amount" tone="out" />
                      </Table.Td>
                      <Table.Td ta="right">
                        <Text
                          span
                          size="sm"
                          ff="monospace"
                          c={isZeroDecimal(m.variance) ? 'dimmed' : 'orange'}
                          style={{ whiteSpace: 'nowrap' }}
                        >
                          {isZeroDecimal(m.variance) ? 'none' : signedMoney(m.variance, m.currency)}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        ) : (
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={() => setTab('matches')} data-testid="recon-run-review">
              Review {formatCount(run.stats.suggested)} {run.stats.suggested === 1 ? 'suggestion' : 'suggestions'}
            </Button>
            <Button size="xs" variant="default" onClick={() => setTab('exceptions')}>
              Open the exceptions queue
            </Button>
          </Group>
        )}
        {run.dryRun && more > 0 ? (
          <Text size="xs" c="dimmed">
            …and {formatCount(more)} more.
          </Text>
        ) : null}
      </Stack>
    </Alert>
  )
}
