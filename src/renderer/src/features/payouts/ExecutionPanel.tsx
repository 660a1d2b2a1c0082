/**
 * A batch's execution: execute / resume / retry, the live progress of signing and broadcasting,
 * why it stopped (the core's sentence and the lines its details list), and the submissions.
 */
import { Alert, Button, Card, Group, List, Loader, Stack, Table, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconDeviceUsb, IconPlayerPlay, IconPlayerTrackNext, IconRefreshAlert } from '@tabler/icons-react'
import { useState } from 'react'
import type { BatchDetail, Submission } from '../../../../shared/payoutsApi'
import { formatClock, formatCount } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { executeBatch, resumeBatch, retryFailed } from './actions'
import { CancelRefusedTransaction, refusedSubmission } from './CancelRefusedTransaction'
import { ExternalSigning } from './ExternalSigning'
import { TxLink } from './PayoutsTable'
import { SubmissionStateBadge } from './StateBadge'
import { canRetry } from './states'
import { usePayouts } from './store'

const NOT_SIGNER = 'You do not have the signer role, so you cannot execute batches.'
const NOT_CANCELLER = 'You need the signer or admin role to cancel a transaction.'

/** Execute (signer), the live progress of signing and broadcasting, and the submissions chunk by chunk. */
export function ExecutionPanel({ detail, submissions }: { detail: BatchDetail; submissions: Submission[] }) {
  const operator = useSession((s) => s.operator)
  const progress = usePayouts((s) => s.progress[detail.batch.id]) ?? []
  const submissionsError = usePayouts((s) => s.submissionsError)
  const executionError = usePayouts((s) => s.executionError[detail.batch.id])
  const [busy, setBusy] = useState(false)
  const state = detail.batch.state
  const signer = hasRole(operator, 'signer')
  const shown = state === 'approved' || state === 'executing' || state === 'completed' || canRetry(state) || submissions.length > 0
  if (!shown) return null
  const last = progress.at(-1)
  // Signing stopped half-way (device locked, a prompt rejected, unplugged, the app that signed it
  // closed): the planned rest waits for a signer. Not while someone is signing it now — the core
  // reports it stopped only when no one holds the batch; this window's own failed run says so too.
  const unsigned = submissions.filter((s) => s.state === 'planned').length
  const stopped = detail.batch.signingStopped !== null || executionError !== undefined
  const canResume = state === 'executing' && unsigned > 0 && stopped
  // The device refused a transaction: it may be cancelled (never signed) so the later ones close its nonce gap.
  const refused = canResume && executionError?.code === 'DEVICE_REJECTED' ? refusedSubmission(submissions) : null
  const mayCancel = signer || hasRole(operator, 'admin')

  async function run(action: (id: string) => Promise<boolean>) {
    setBusy(true)
    await action(detail.batch.id)
    setBusy(false)
  }

  return (
    <Card withBorder padding="lg" data-testid="execution-panel">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Title order={4}>Execution</Title>
            <Text size="sm" c="dimmed">
              Each chunk of payouts is one transaction, signed on the Ledger and broadcast; the payouts confirm as blocks arrive. On Stripe,
              each payout is one transfer sent with its own idempotency key, nothing to sign.
            </Text>
          </Stack>
          <Group gap="xs">
            {state === 'approved' ? (
              <Button
                leftSection={<IconPlayerPlay size={16} />}
                color="violet"
                onClick={() => void run(executeBatch)}
                loading={busy}
                disabled={!signer}
                title={signer ? undefined : NOT_SIGNER}
                data-testid="batch-execute"
              >
                Execute
              </Button>
            ) : null}
            {canResume ? (
              <Button
                leftSection={<IconPlayerTrackNext size={16} />}
                color="violet"
                onClick={() => void run(resumeBatch)}
                loading={busy}
                disabled={!signer}
                title={signer ? undefined : NOT_SIGNER}
                data-testid="batch-resume"
              >
                Resume signing ({formatCount(unsigned)} left)
              </Button>
            ) : null}
            {refused ? (
              <CancelRefusedTransaction
                batchId={detail.batch.id}
                submission={refused}
                later={unsigned - 1}
                disabled={!mayCancel || busy}
                title={mayCancel ? undefined : NOT_CANCELLER}
              />
            ) : null}
            {canRetry(state) ? (
              <Button
                leftSection={<IconRefreshAlert size={16} />}
                color="orange"
                onClick={() => void run(retryFailed)}
                loading={busy}
                disabled={!signer}
                title={signer ? undefined : NOT_SIGNER}
                data-testid="batch-retry"
              >
                Retry failed payouts
              </Button>
            ) : null}
            <ExternalSigning detail={detail} unsigned={unsigned} disabled={!signer} />
          </Group>
        </Group>

        {!signer && (state === 'approved' || canRetry(state)) ? (
          <Text size="sm" c="dimmed" data-testid="execute-disabled-reason">
            {NOT_SIGNER}
          </Text>
        ) : null}

        {executionError && !busy ? (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle />}
            title={executionError.code === null ? 'Signing stopped' : `Signing stopped (${executionError.code})`}
            data-testid="execution-error"
            data-code={executionError.code ?? ''}
          >
            <Text size="sm">{executionError.message}</Text>
            {executionError.items.length > 0 ? (
              <List size="sm" mt={6} spacing={2} data-testid="execution-error-items">
                {executionError.items.map((item, i) => (
                  <List.Item key={i}>{item}</List.Item>
                ))}
              </List>
            ) : null}
            {canResume ? (
              <Text size="sm" mt={6}>
                What was signed stays signed and is never signed again. Fix this, then press Resume signing
                {refused ? `, or cancel transaction ${refused.chunkIndex + 1} if it should not be paid` : ''}.
              </Text>
            ) : null}
          </Alert>
        ) : !executionError && canResume && detail.batch.signingStopped ? (
          // Stopped elsewhere (the app or command that signed it was closed or killed): no error
          // here to show, but the batch waits for a signer all the same.
          <Alert
            color="orange"
            variant="light"
            icon={<IconAlertTriangle />}
            title={`Signing stopped at transaction ${formatCount(detail.batch.signingStopped.signed + 1)} of ${formatCount(detail.batch.signingStopped.total)}`}
            data-testid="execution-stopped"
          >
            <Text size="sm">
              The signing of this batch was interrupted (the app or command that signed it was closed) and nothing carries it on by itself.{' '}
              {signer ? 'Have the Ledger ready and press Resume signing' : 'A signer must press Resume signing'} — what was signed stays
              signed and is never signed again.
            </Text>
          </Alert>
        ) : null}

        {last ? (
          <Alert
            color={busy ? 'violet' : 'gray'}
            variant="light"
            icon={busy && last.kind === 'signing' ? <IconDeviceUsb size={20} /> : busy ? <Loader size={16} /> : undefined}
            title={<span data-testid="execution-progress">{last.message}</span>}
            data-testid="execution-progress-panel"
            data-kind={last.kind}
          >
            <Stack gap={2} data-testid="execution-progress-log">
              {progress.map((p, i) => (
                <Text key={i} size="xs" ff="monospace" c="dimmed">
                  {formatClock(new Date(p.at))} · {p.message}
                </Text>
              ))}
            </Stack>
          </Alert>
        ) : null}

        {state === 'executing' && !busy && !canResume ? (
          <Group gap="xs" data-testid="execution-waiting">
            <Loader size="xs" />
            <Text size="sm">Broadcast — waiting for the payouts to confirm on chain.</Text>
          </Group>
        ) : null}

        {submissionsError ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the submissions">
            {submissionsError}
          </Alert>
        ) : null}

        {submissions.length > 0 ? (
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
                  <Table.Td ff="monospace">
                    {s.rail}:{s.network}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace">
                    {formatCount(s.payoutCount)}
                  </Table.Td>
                  <Table.Td>
                    <SubmissionStateBadge state={s.state} failureCode={s.failure?.code} />
                  </Table.Td>
                  <Table.Td>{s.txHash ? <TxLink hash={s.txHash} url={s.explorerUrl} /> : '—'}</Table.Td>
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
        ) : null}
      </Stack>
    </Card>
  )
}
