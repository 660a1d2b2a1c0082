/** How batch, payout and submission states look on screen: one label and one colour each. */
import type { BatchState, PayoutState, SubmissionState } from '../../../../shared/payoutStates'

export const BATCH_STATE_LABELS: Record<BatchState, string> = {
  draft: 'Draft',
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  executing: 'Executing',
  completed: 'Completed',
  partially_failed: 'Partially failed',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

export const BATCH_STATE_COLORS: Record<BatchState, string> = {
  draft: 'gray',
  awaiting_approval: 'yellow',
  approved: 'blue',
  executing: 'indigo',
  completed: 'teal',
  partially_failed: 'orange',
  failed: 'red',
  cancelled: 'dark',
}

export const PAYOUT_STATE_COLORS: Record<PayoutState, string> = {
  pending: 'gray',
  planned: 'blue',
  signed: 'violet',
  broadcast: 'indigo',
  confirmed: 'teal',
  failed: 'red',
}

export const SUBMISSION_STATE_COLORS: Record<SubmissionState, string> = {
  planned: 'blue',
  signed: 'violet',
  broadcast: 'indigo',
  confirmed: 'teal',
  failed: 'red',
  dead: 'red',
}

/** Batches the signer can (re)start: approved ones, and failed ones for a retry. */
export function canRetry(state: BatchState): boolean {
  return state === 'partially_failed' || state === 'failed'
}

/** States a batch may be cancelled from (see BATCH_TRANSITIONS). */
export function canCancel(state: BatchState): boolean {
  return state === 'draft' || state === 'awaiting_approval' || state === 'approved' || state === 'failed'
}
