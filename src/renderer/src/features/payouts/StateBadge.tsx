import { Badge } from '@mantine/core'
import type { BatchState, PayoutState, SubmissionState } from '../../../../shared/payoutStates'
import { BATCH_STATE_COLORS, BATCH_STATE_LABELS, PAYOUT_STATE_COLORS, SUBMISSION_STATE_COLORS } from './states'

export function BatchStateBadge({ state, size = 'sm', testId }: { state: BatchState; size?: 'sm' | 'md' | 'lg'; testId?: string }) {
  return (
    <Badge color={BATCH_STATE_COLORS[state]} variant="light" size={size} radius="sm" data-testid={testId} data-state={state}>
      {BATCH_STATE_LABELS[state]}
    </Badge>
  )
}

export function PayoutStateBadge({ state }: { state: PayoutState }) {
  return (
    <Badge color={PAYOUT_STATE_COLORS[state]} variant="light" size="sm" radius="sm" data-testid="payout-state" data-state={state}>
      {state}
    </Badge>
  )
}

export function SubmissionStateBadge({ state }: { state: SubmissionState }) {
  return (
    <Badge color={SUBMISSION_STATE_COLORS[state]} variant="light" size="sm" radius="sm" data-testid="submission-state" data-state={state}>
      {state}
    </Badge>
  )
}
