/** How escrow, milestone and action-request states look on screen: one label and one colour each. */
import type { EscrowActionKind, EscrowActionState, EscrowMilestoneState, EscrowState } from '../../../../shared/escrowApi'

export const ESCROW_STATE_LABELS: Record<EscrowState, string> = {
  draft: 'Draft',
  funding: 'Funding',
  held: 'Held',
  in_review: 'In review',
  disputed: 'Disputed',
  released: 'Released',
  resolved: 'Resolved',
  refunded: 'Refunded',
  expired: 'Expired',
  failed: 'Failed',
  cancelled: 'Cancelled',
  closed: 'Closed',
}

export const ESCROW_STATE_COLORS: Record<EscrowState, string> = {
  draft: 'gray',
  funding: 'yellow',
  held: 'blue',
  in_review: 'cyan',
  disputed: 'orange',
  released: 'teal',
  resolved: 'grape',
  refunded: 'violet',
  expired: 'red',
  failed: 'red',
  cancelled: 'dark',
  closed: 'gray',
}

export const MILESTONE_STATE_LABELS: Record<EscrowMilestoneState, string> = {
  draft: 'Draft',
  funding: 'Funding',
  held: 'Held',
  in_review: 'In review',
  released: 'Released',
  disputed: 'Disputed',
  resolved: 'Resolved',
  refunded: 'Refunded',
  expired: 'Expired',
  failed: 'Failed',
}

export const MILESTONE_STATE_COLORS: Record<EscrowMilestoneState, string> = {
  draft: 'gray',
  funding: 'yellow',
  held: 'blue',
  in_review: 'cyan',
  released: 'teal',
  disputed: 'orange',
  resolved: 'grape',
  refunded: 'violet',
  expired: 'red',
  failed: 'red',
}

export const ACTION_STATE_LABELS: Record<EscrowActionState, string> = {
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  executing: 'Executing',
  done: 'Done',
  failed: 'Failed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
}

export const ACTION_STATE_COLORS: Record<EscrowActionState, string> = {
  awaiting_approval: 'yellow',
  approved: 'blue',
  executing: 'indigo',
  done: 'teal',
  failed: 'red',
  rejected: 'orange',
  cancelled: 'dark',
}

export const ACTION_KIND_LABELS: Record<EscrowActionKind, string> = {
  fund: 'Fund',
  release: 'Release',
  dispute: 'Dispute',
  resolve: 'Resolve',
  refund: 'Refund',
}

/** Action requests still in play: a milestone with one of these cannot be asked about again. */
export function isOpenAction(state: EscrowActionState): boolean {
  return state === 'awaiting_approval' || state === 'approved' || state === 'executing'
}

/** Milestones whose money is held and may be asked to go to the payee (or be disputed). */
export function isHeldMilestone(state: EscrowMilestoneState): boolean {
  return state === 'held' || state === 'in_review'
}

/** Escrow states with money still locked: a refund of the open milestones may be asked for. */
export function mayRequestRefund(state: EscrowState): boolean {
  return state === 'held' || state === 'in_review' || state === 'disputed' || state === 'expired'
}

/** An escrow that never moved money may be cancelled (escrow.cancel refuses the others, with its sentence). */
export function mayCancelEscrow(state: EscrowState): boolean {
  return state === 'draft' || state === 'funding'
}
