/**
 * The technical record of an execution, behind a "Details" disclosure: every transaction attempt
 * (its number in the batch, attempt, network, nonce / sequence, state, hash, failure) and the
 * signing log of this window. The main view says the same in plain words; this is for checking
 * a transaction on an explorer or telling support exactly what happened.
 */
import { Stack, Table, Text } from '@mantine/core'
import type { Submission } from '../../../../shared/payoutsApi'
import { formatClock, formatCount, networkName } from '../../lib/format'
import { RailReference } from '../../components/RailReference'
import { SubmissionStateBadge } from './StateBadge'
import type { ProgressLine } from './store'

export function ExecutionDetails({ submissions, progress }: { submissions: readonly Submission[]; progress: readonly ProgressLine[] }) {
  if (submissions.length === 0 && progress.length === 0) return null
  return (
    <details data-testid="execution-details">
      <summary style={{ cursor: 'pointer' }}>
        <Text span size="sm" fw={500}>
          Details — {formatCount(submissions.length)} {submissions.length === 1 ? 'transaction attempt' : 'transaction attempts'} and the
          signing log
        </Text>
      </summary>
      <Stack gap="sm" mt="sm">
        {submissions.length > 0 ? (
          <Table.ScrollContainer minWidth={760} type="native">
            <Table striped withTableBorder verticalSpacing={6} data-testid="submissions-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Chunk</Table.Th>
                  <Table.Th>Attempt</Table.Th>
                  <Table.Th>Network</Table.Th>
                  <Table.Th ta="right">Payouts</Table.Th>
                  {/* Wide enough for the longest state badge ("confirmed", "cancelled") not to be clipped. */}
                  <Table.Th miw={112}>State</Table.Th>
                  <Table.Th>Transaction</Table.Th>
                  <Table.Th ta="right">Nonce</Table.Th>
                  <Table.Th>Failure</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {submissions.map((s) => (
                  <Table.Tr key={s.id} data-testid="submission-row" data-state={s.state}>
                    <Table.Td>{s.chunkIndex + 1}</Table.Td>
                    <Table.Td>{s.attempt}</Table.Td>
                    <Table.Td title={`${s.rail}:${s.network}`}>{networkName(s.rail, s.network)}</Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {formatCount(s.payoutCount)}
                    </Table.Td>
                    <Table.Td>
                      <SubmissionStateBadge state={s.state} failureCode={s.failure?.code} />
                    </Table.Td>
                    <Table.Td>{s.railRef ? <RailReference rail={s.rail} reference={s.railRef} url={s.explorerUrl} /> : '—'}</Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {s.nonce ?? '—'}
                    </Table.Td>
                    <Table.Td>
                      {s.failure ? (
                        <Text size="sm" c="red" data-testid="submission-failure">
                          {s.failure.message}
                        </Text>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
        {progress.length > 0 ? (
          <Stack gap={2} data-testid="execution-progress-log">
            {progress.map((p, i) => (
              <Text key={i} size="xs" ff="monospace" c="dimmed">
                {formatClock(new Date(p.at))} · {p.message}
              </Text>
            ))}
          </Stack>
        ) : null}
      </Stack>
    </details>
  )
}
