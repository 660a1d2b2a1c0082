/**
 * Reject one version of a batch. Decision (a finance desk's habit): a rejection sends the batch
 * back to its preparer as a draft, with the comment, and bumps the version — so every approval
 * already given is void and the resubmitted batch needs a full set again. The same people may
 * reject as may approve (approver role, never a creator or editor): a preparer who wants their
 * batch back edits or cancels it instead.
 */
import type { Operator } from '../../../../shared/workspaceApi'
import type { BatchDetail } from '../../../../shared/payoutsApi'
import { appendAudit } from '../../audit/appendAudit'
import type { CoreContext } from '../../context'
import { requireRole } from '../../operators/operators'
import { checkDecision, type DecideBatchParameters } from './approveBatch'
import { getBatch } from './getBatch'
import { emitBatchChanged, transitionBatch } from './transitionBatch'

export type RejectBatchReturnType = BatchDetail

export async function rejectBatch(ctx: CoreContext, operator: Operator | null, input: DecideBatchParameters): Promise<BatchDetail> {
  const approver = requireRole(operator, 'approver', 'reject batches')
  await ctx.db.tx(async () => {
    const row = await checkDecision(ctx, approver, input, 'reject')
    const comment = input.comment?.trim() ? input.comment.trim() : null
    await ctx.db.run(
      ctx.db.k.insertInto('approvals').values({
        batch_id: row.id,
        version: row.version,
        operator_id: approver.id,
        decision: 'reject',
        comment,
        at: ctx.clock.now().toISOString(),
        key_id: null,
        digest: null,
        signature: null,
      }),
    )
    await appendAudit(ctx, {
      actor: approver.id,
      action: 'batches.reject',
      subject: `batch:${row.id}`,
      change: { version: row.version, comment },
    })
    await transitionBatch(ctx, approver.id, row.id, 'draft', {
      reason: 'rejected',
      expectVersion: row.version,
      bumpVersion: true,
      details: { comment },
    })
  })
  emitBatchChanged(ctx, input.id)
  return await getBatch(ctx, { id: input.id }, approver)
}
