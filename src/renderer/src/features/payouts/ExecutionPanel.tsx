/**
 * A batch's execution: execute / resume / retry, what executing will ask of the signer (before
 * Execute), per rail how many payouts are confirmed and where it stands, why it stopped (the
 * core's sentence and the lines its details list), a summary once it has ended — and, behind
 * Details, every transaction attempt and the signing log. Everything but the live device prompt
 * and the log is derived from stored state (executionProgress.ts), so it is right after a reload
 * and while another process executes the batch.
 */
import { Alert, Button, Card, Group, List, Loader, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconDeviceUsb, IconPlayerPlay, IconPlayerTrackNext, IconRefreshAlert } from '@tabler/icons-react'
import { useState } from 'react'
import type { Rail } from '../../../../shared/blocks'
import type { BatchDetail, Submission } from '../../../../shared/payoutsApi'
import { formatCount } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { executeBatch, resumeBatch, retryFailed } from './actions'
import { CancelRefusedTransaction, refusedSubmission } from './CancelRefusedTransaction'
import { ExecutionDetails } from './ExecutionDetails'
import { ExecutionSummaryCard, RailProgressList } from './RailProgressList'
import { canResumeSigning, executionFinished, executionSummary, failedNextStep, railProgress, unsignedOnDevice } from './executionProgress'
import { ExternalSigning } from './ExternalSigning'
import { SigningPlanNote } from './SigningPlanNote'
import { canRetry } from './states'
import { usePayouts } from './store'

const NOT_SIGNER = 'You do not have the signer role, so you cannot execute batches.'
const NOT_CANCELLER = 'You need the signer or admin role to cancel a transaction.'

/** What the panel says about how this batch's rails pay: device signing only where there is any. */
function howItPays(rails: readonly Rail[]): string {
  const device = rails.some((r) => r !== 'stripe')
  const stripe = rails.includes('stripe')
  const confirms = 'A payout counts as paid once the network confirms it.'
  if (device && stripe)
    return `EVM and Stellar payouts go out in transactions you confirm one by one on the Ledger; Stripe transfers are sent by the app, with nothing to sign. ${confirms}`
  if (stripe)
    return 'Each payout is one Stripe transfer, sent by the app with its own idempotency key — nothing to sign on a device. A payout counts as paid once Stripe confirms it.'
  return `Payouts go out in transactions: you confirm each one on the Ledger, and the app sends it. ${confirms}`
}

/** Execute (signer), what it will ask of the signer, per-rail progress, the summary, and the details. */
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
  const unsigned = unsignedOnDevice(submissions)
  const canResume = canResumeSigning(detail, submissions, executionError !== undefined)
  const rails = state === 'approved' ? [] : railProgress(detail, submissions, busy)
  const finished = executionFinished(detail) && submissions.length > 0
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
            <Text size="sm" c="dimmed" data-testid="execution-how">
              {howItPays(detail.batch.rails)}
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

        {state === 'approved' || canRetry(state) ? <SigningPlanNote plan={detail.signingPlan} /> : null}

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

        {busy && last?.kind === 'signing' ? (
          // The prompt on the device now: the one thing the signer must act on.
          <Alert
            color="violet"
            variant="light"
            icon={<IconDeviceUsb size={20} />}
            data-testid="execution-progress-panel"
            data-kind={last.kind}
          >
            <Text size="sm" fw={500} data-testid="execution-progress">
              {last.message}
            </Text>
          </Alert>
        ) : busy ? (
          <Group gap="xs" data-testid="execution-progress-panel" data-kind={last?.kind ?? 'planned'}>
            <Loader size="xs" />
            <Text size="sm" data-testid="execution-progress">
              {last?.message ?? 'Preparing the transactions…'}
            </Text>
          </Group>
        ) : null}

        {rails.length > 0 ? <RailProgressList rails={rails} /> : null}

        {finished ? (
          <ExecutionSummaryCard summary={executionSummary(detail, submissions)} nextStep={failedNextStep(canRetry(state), signer)} />
        ) : null}

        {submissionsError ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the transactions">
            {submissionsError}
          </Alert>
        ) : null}

        <ExecutionDetails submissions={submissions} progress={progress} />
      </Stack>
    </Card>
  )
}
