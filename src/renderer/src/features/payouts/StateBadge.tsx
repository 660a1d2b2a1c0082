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

/** Failure codes of a dead submission that a person chose (or that made it unnecessary), not a network fault. */
const WITHDRAWN_CODES: ReadonlySet<string> = new Set(['CANCELLED', 'SUPERSEDED'])

/**
 * A submission's state as a finance person reads it: one that was cancelled before it was signed is
 * "cancelled", not "dead" (which means the network can provably never take it).
 */
export function SubmissionStateBadge({ state, failureCode }: { state: SubmissionState; failureCode?: string | undefined }) {
  const withdrawn = state === 'dead' && failureCode !== undefined && WITHDRAWN_CODES.has(failureCode)
  return (
    <Badge
      color={withdrawn ? 'gray' : SUBMISSION_STATE_COLORS[state]}
      variant="light"
      size="sm"
      radius="sm"
      data-testid="submission-state"
      data-state={state}
    >
      {withdrawn ? 'cancelled' : state}
    </Badge>
  )
}
