/**
 * Ends a batch's execution once none of its payouts is in flight: all confirmed -> completed,
 * all failed -> failed, a mix -> partially_failed (retryFailed sends it back to executing).
 * Inside the caller's tx; the caller emits batches.changed after commit.
 *
 * A reorg deeper than confirmationsMin after a batch completed moves its payouts back to
 * broadcast but leaves the batch completed (BATCH_TRANSITIONS has no way back, by design:
 * confirmationsMin is the finality the desk chose); the payouts re-confirm and are booked once.
 */
import type { BatchState } from '../../../../shared/payoutStates'
import { SYSTEM_ACTOR, type CoreContext } from '../../context'
import { transitionBatch } from '../batches/transitionBatch'

export function finishBatchIfDone(ctx: CoreContext, batchId: string): BatchState | null {
  const batch = ctx.db.first(ctx.db.k.selectFrom('batches').select(['state']).where('id', '=', batchId))
  if (!batch || batch.state !== 'executing') return null
  const counts = ctx.db.sqlite.prepare(`SELECT state, COUNT(*) AS n FROM payouts WHERE batch_id = ? GROUP BY state`).all(batchId) as {
    state: string
    n: number
  }[]
  const n = (s: string) => counts.find((c) => c.state === s)?.n ?? 0
  const inFlight = n('pending') + n('planned') + n('signed') + n('broadcast')
  if (inFlight > 0) return null
  const to: BatchState = n('failed') === 0 ? 'completed' : n('confirmed') === 0 ? 'failed' : 'partially_failed'
  transitionBatch(ctx, SYSTEM_ACTOR, batchId, to, {
    reason: 'execution finished',
    details: { confirmed: n('confirmed'), failed: n('failed') },
  })
  return to
}
