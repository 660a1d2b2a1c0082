/**
 * Ends a batch's execution once none of its payouts is in flight: all confirmed -> completed,
 * all failed -> failed, a mix -> partially_failed (retryFailed sends it back to executing).
 * Inside the caller's tx; the caller emits batches.changed after commit.
 *
 * A batch that already finished failed or partially_failed is settled again the same way: a
 * transaction declared dead can land after all (a reorg deeper than confirmationsMin), and its
 * payouts are then confirmed without a new attempt — the batch takes the end state its payouts
 * now give (BATCH_TRANSITIONS allows exactly those moves). A cancelled batch keeps its state.
 *
 * A reorg deeper than confirmationsMin after a batch completed moves its payouts back to
 * broadcast but leaves the batch completed (BATCH_TRANSITIONS has no way back, by design:
 * confirmationsMin is the finality the desk chose); the payouts re-confirm and are booked once.
 */
import { BATCH_TRANSITIONS, canTransition, type BatchState } from '../../../../shared/payoutStates'
import { SYSTEM_ACTOR, type CoreContext } from '../../context'
import { transitionBatch } from '../batches/transitionBatch'

const SETTLING: readonly string[] = ['executing', 'failed', 'partially_failed']

export async function finishBatchIfDone(ctx: CoreContext, batchId: string): Promise<BatchState | null> {
  const batch = await ctx.db.first(ctx.db.k.selectFrom('batches').select(['state']).where('id', '=', batchId))
  if (!batch || !SETTLING.includes(batch.state)) return null
  const from = batch.state as BatchState
  const counts = await ctx.db.all(
    ctx.db.k
      .selectFrom('payouts')
      .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
      .where('batch_id', '=', batchId)
      .groupBy('state'),
  )
  const n = (s: string) => Number(counts.find((c) => c.state === s)?.n ?? 0)
  const inFlight = n('pending') + n('planned') + n('signed') + n('broadcast')
  if (inFlight > 0) return null
  const to: BatchState = n('failed') === 0 ? 'completed' : n('confirmed') === 0 ? 'failed' : 'partially_failed'
  if (from !== 'executing' && (to === from || !canTransition(BATCH_TRANSITIONS, from, to))) return null
  await transitionBatch(ctx, SYSTEM_ACTOR, batchId, to, {
    reason: from === 'executing' ? 'execution finished' : 'a transaction declared dead landed after all',
    details: { confirmed: n('confirmed'), failed: n('failed') },
  })
  return to
}
