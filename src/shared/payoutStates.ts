/**
 * The states of batches, payouts and submissions, and the only transitions allowed between
 * them. Shared by the core (which enforces them) and the renderer (which explains them).
 */

export const BATCH_STATES = [
  'draft',
  'awaiting_approval',
  'approved',
  'executing',
  'completed',
  'partially_failed',
  'failed',
  'cancelled',
] as const
export type BatchState = (typeof BATCH_STATES)[number]

/** from -> allowed next states. An edit after approval sends a batch back to draft. */
export const BATCH_TRANSITIONS: Readonly<Record<BatchState, readonly BatchState[]>> = {
  draft: ['awaiting_approval', 'cancelled'],
  awaiting_approval: ['approved', 'draft', 'cancelled'],
  approved: ['executing', 'draft', 'cancelled'],
  executing: ['completed', 'partially_failed', 'failed'],
  // A retry of failed payouts runs the batch again; nothing already confirmed is touched.
  // A transaction declared dead that lands after all (a reorg deeper than confirmationsMin took
  // away the one that had used its nonce) pays its payouts: a finished batch then takes the end
  // state its payouts now give — completed when all are confirmed, partially failed when some.
  partially_failed: ['executing', 'completed'],
  failed: ['executing', 'cancelled', 'completed', 'partially_failed'],
  completed: [],
  cancelled: [],
}

export const PAYOUT_STATES = ['pending', 'planned', 'signed', 'broadcast', 'confirmed', 'failed'] as const
export type PayoutState = (typeof PAYOUT_STATES)[number]

export const PAYOUT_TRANSITIONS: Readonly<Record<PayoutState, readonly PayoutState[]>> = {
  pending: ['planned', 'failed'],
  planned: ['signed', 'pending', 'failed'],
  signed: ['broadcast', 'failed'],
  // A reorg can take a confirmed payout back to broadcast; it is booked once either way.
  broadcast: ['confirmed', 'failed'],
  confirmed: ['broadcast'],
  // A failed payout may be retried (a new attempt) only once its last submission is provably dead.
  // It is confirmed without a new attempt when that dead transaction lands after all (a deep reorg).
  failed: ['pending', 'confirmed'],
}

export const SUBMISSION_STATES = ['planned', 'signed', 'broadcast', 'confirmed', 'failed', 'dead'] as const
export type SubmissionState = (typeof SUBMISSION_STATES)[number]

export const SUBMISSION_TRANSITIONS: Readonly<Record<SubmissionState, readonly SubmissionState[]>> = {
  planned: ['signed', 'dead'],
  signed: ['broadcast', 'confirmed', 'dead'],
  broadcast: ['confirmed', 'failed', 'dead'],
  confirmed: ['broadcast'],
  // failed: it landed and reverted (the nonce is used; the payouts were not paid).
  failed: [],
  // dead: provably never landing (its nonce was consumed by another tx, its time bound passed), or
  // cancelled before it was ever signed. "Provably" holds only down to confirmationsMin: a reorg
  // deeper than that can take away the transaction that used the nonce, and a SIGNED dead one can
  // then land after all — confirmed (it paid; the engine books it once) or failed (it reverted,
  // its fee is booked). The rail keeps signed dead ones under watch for its reorg window.
  dead: ['confirmed', 'failed'],
}

export function canTransition<S extends string>(table: Readonly<Record<S, readonly S[]>>, from: S, to: S): boolean {
  return table[from]?.includes(to) ?? false
}
