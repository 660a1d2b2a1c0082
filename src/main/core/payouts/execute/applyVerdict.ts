/**
 * Applies one rail verdict to one submission in ONE transaction: its state, its payouts' states,
 * the booking (or its reversal) and the batch's end state commit together or not at all.
 * Re-checks the submission's state first: a verdict computed from an older read (another sweep,
 * another process) is dropped instead of applied twice.
 *
 * A watched dead submission can be confirmed (it landed after all, after a deep reorg): it first
 * takes back its payouts from any later attempt of its chunk (takeBackPayouts.ts), then is
 * confirmed and booked exactly like any other — bookConfirmed books each payout once.
 */
import { SYSTEM_ACTOR, type CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import type { Rail, Verdict } from '../../rails/Rail'
import { bookConfirmed, bookFailedFee, reverseBookings } from './bookSubmission'
import { crashPoint } from '../../util/crashPoint'
import { getSubmission, moveSubmission, movePayoutsOf, payoutsOfSubmission } from './executionStore'
import { finishBatchIfDone } from './finishBatch'
import { assertNever } from '../../util/invariant'
import { paidElsewhere, takeBackPayouts } from './takeBackPayouts'

export interface AppliedVerdict {
  changed: boolean
  batchId: string
  batchFinished: boolean
}

export async function applyVerdict(ctx: CoreContext, rail: Rail, seen: SubmissionRow, verdict: Verdict): Promise<AppliedVerdict> {
  const none = { changed: false, batchId: seen.batch_id, batchFinished: false }
  if (verdict.kind === 'unchanged') return none
  if (verdict.kind === 'pending') {
    if (seen.state !== 'signed' || !verdict.seenByNetwork) return none
    // The node has it: a 'signed' submission (crash after broadcast) is in fact broadcast.
    return await ctx.db.tx(async () => {
      const sub = await getSubmission(ctx, seen.id)
      if (sub.state !== 'signed' || !(await moveSubmission(ctx, SYSTEM_ACTOR, sub, 'broadcast', {}, { how: 'seen by the network' })))
        return none
      await movePayoutsOf(ctx, sub.id, 'broadcast')
      return { ...none, changed: true }
    })
  }
  if (verdict.kind === 'confirmed') crashPoint('before-confirm')
  return await ctx.db.tx(async () => {
    const sub = await getSubmission(ctx, seen.id)
    if (sub.state !== seen.state) return none
    // Another attempt's confirmation of the same payouts is still on our books (its reorg is
    // applied first, by this sweep or the next): never confirm a payout twice.
    if (verdict.kind === 'confirmed' && sub.state === 'dead' && (await paidElsewhere(ctx, sub))) return none
    let finished = false
    switch (verdict.kind) {
      case 'confirmed':
        await applyConfirmed(ctx, rail, sub, verdict)
        finished = (await finishBatchIfDone(ctx, sub.batch_id)) !== null
        break
      case 'failed':
        await applyFailed(ctx, sub, verdict)
        finished = (await finishBatchIfDone(ctx, sub.batch_id)) !== null
        break
      case 'dead':
        await applyDead(ctx, sub, verdict)
        finished = (await finishBatchIfDone(ctx, sub.batch_id)) !== null
        break
      case 'reorged':
        await applyReorged(ctx, rail, sub, verdict)
        break
      default:
        assertNever(verdict, 'verdict')
    }
    return { changed: true, batchId: sub.batch_id, batchFinished: finished }
  })
}

async function applyConfirmed(
  ctx: CoreContext,
  rail: Rail,
  sub: SubmissionRow,
  verdict: Extract<Verdict, { kind: 'confirmed' }>,
): Promise<void> {
  const takenBack = sub.state === 'dead' ? await takeBackPayouts(ctx, rail, sub) : null
  const payouts = await payoutsOfSubmission(ctx, sub.id)
  await moveSubmission(
    ctx,
    SYSTEM_ACTOR,
    sub,
    'confirmed',
    {
      block_number: verdict.blockNumber,
      block_hash: verdict.blockHash,
      fee_paid: verdict.feePaid.toString(),
      // A dead one that landed after all is no longer a nonce conflict.
      ...(takenBack === null ? {} : { failure_code: null, failure_message: null }),
    },
    {
      blockNumber: verdict.blockNumber,
      blockHash: verdict.blockHash,
      txHash: sub.tx_hash,
      feePaid: verdict.feePaid.toString(),
      ...(takenBack === null ? {} : { landedAfterDead: true, takenBack }),
    },
  )
  await movePayoutsOf(ctx, sub.id, 'confirmed', { failure_code: null, failure_message: null })
  // Test hook: a kill here, inside the transaction, must leave neither the state nor the booking.
  crashPoint('confirm-before-book')
  await bookConfirmed(ctx, {
    submission: sub,
    payouts,
    confirmed: verdict.payouts,
    feePaid: verdict.feePaid,
    feeAssetId: verdict.feeAssetId,
    blockNumber: verdict.blockNumber,
    blockHash: verdict.blockHash,
  })
}

async function applyFailed(ctx: CoreContext, sub: SubmissionRow, verdict: Extract<Verdict, { kind: 'failed' }>): Promise<void> {
  const code = verdict.code ?? 'REVERTED'
  await moveSubmission(
    ctx,
    SYSTEM_ACTOR,
    sub,
    'failed',
    {
      block_number: verdict.blockNumber,
      block_hash: verdict.blockHash,
      fee_paid: verdict.feePaid.toString(),
      failure_code: code,
      failure_message: verdict.reason,
    },
    { reason: verdict.reason, txHash: sub.tx_hash, ...(sub.state === 'dead' ? { landedAfterDead: true } : {}) },
  )
  // A dead one that landed and reverted carries no payouts that could move (they are failed under
  // it already, or a later attempt carries them): only its fee is new.
  await movePayoutsOf(ctx, sub.id, 'failed', { failure_code: code, failure_message: verdict.reason })
  await bookFailedFee(ctx, sub, verdict.feePaid, verdict.feeAssetId, verdict.blockNumber, verdict.blockHash)
}

async function applyDead(ctx: CoreContext, sub: SubmissionRow, verdict: Extract<Verdict, { kind: 'dead' }>): Promise<void> {
  const code = verdict.code ?? 'NONCE_CONFLICT'
  // block_number of a dead submission: the head its death was proven at, from which the rail
  // keeps a signed one under watch for its reorg window (Rail.ts, RailReorgWatch).
  await moveSubmission(
    ctx,
    SYSTEM_ACTOR,
    sub,
    'dead',
    { failure_code: code, failure_message: verdict.reason, block_number: verdict.atBlock ?? null },
    { reason: verdict.reason, ...(verdict.atBlock === undefined ? {} : { atBlock: verdict.atBlock }) },
  )
  await movePayoutsOf(ctx, sub.id, 'failed', { failure_code: code, failure_message: verdict.reason })
}

async function applyReorged(
  ctx: CoreContext,
  rail: Rail,
  sub: SubmissionRow,
  verdict: Extract<Verdict, { kind: 'reorged' }>,
): Promise<void> {
  const payouts = await payoutsOfSubmission(ctx, sub.id)
  await reverseBookings(ctx, sub, payouts, rail.feeAssetId)
  await moveSubmission(
    ctx,
    SYSTEM_ACTOR,
    sub,
    'broadcast',
    { block_number: null, block_hash: null, fee_paid: null },
    { reason: verdict.reason, previousBlock: sub.block_number, previousBlockHash: sub.block_hash, feeReversed: sub.fee_paid ?? '0' },
  )
  await movePayoutsOf(ctx, sub.id, 'broadcast')
}
