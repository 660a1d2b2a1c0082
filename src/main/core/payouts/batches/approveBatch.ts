/**
 * Approve one version of a batch. Maker-checker, enforced here whatever the UI shows:
 *  - the approver holds the approver role;
 *  - the version approved is the current one (nobody approves something that changed under them);
 *  - whoever created or edited the batch can never approve it;
 *  - one decision per operator per version;
 *  - the daily limits still hold with this batch added.
 * When enough distinct eligible approvers approved the current version, the batch becomes
 * 'approved' in the same transaction.
 */
import type { Operator } from '../../../../shared/workspaceApi'
import { CsError } from '../../../../shared/errors'
import type { BatchDetail } from '../../../../shared/payoutsApi'
import { appendAudit } from '../../audit/appendAudit'
import type { CoreContext } from '../../context'
import { requireRole } from '../../operators/operators'
import { assertDailyLimits } from '../policy/checkDailyLimits'
import { approvalBlocker, countApprovals } from '../policy/describeApprovalStatus'
import { getBatch } from './getBatch'
import { listApprovals } from './listApprovals'
import { AssetCache, batchStateOf, getBatchRow, payoutRowsOf, sumByAsset } from './readBatch'
import { emitBatchChanged, requireBatchState, transitionBatch } from './transitionBatch'

export interface DecideBatchParameters {
  id: string
  version: number
  comment?: string | undefined
}
export type ApproveBatchReturnType = BatchDetail

export async function approveBatch(ctx: CoreContext, operator: Operator | null, input: DecideBatchParameters): Promise<BatchDetail> {
  const approver = requireRole(operator, 'approver', 'approve batches')
  await ctx.db.tx(async () => {
    const row = await checkDecision(ctx, approver, input, 'approve')
    await assertDailyLimits(ctx, row.id)
    await ctx.db.run(
      ctx.db.k.insertInto('approvals').values({
        batch_id: row.id,
        version: row.version,
        operator_id: approver.id,
        decision: 'approve',
        comment: emptyToNull(input.comment),
        at: ctx.clock.now().toISOString(),
      }),
    )
    await appendAudit(ctx, {
      actor: approver.id,
      action: 'batches.approve',
      subject: `batch:${row.id}`,
      change: { version: row.version, comment: emptyToNull(input.comment) },
    })
    const assets = new AssetCache(ctx)
    const { required, eligible } = await countApprovals(
      ctx,
      row,
      await sumByAsset(await payoutRowsOf(ctx, row.id), assets),
      assets,
      await listApprovals(ctx, row.id, row.version),
    )
    if (eligible.length >= required) {
      await transitionBatch(ctx, approver.id, row.id, 'approved', {
        reason: 'approved',
        expectVersion: row.version,
        details: { required, approvers: eligible.map((a) => a.operatorId) },
      })
    }
  })
  emitBatchChanged(ctx, input.id)
  return await getBatch(ctx, { id: input.id }, approver)
}

/** The checks approve and reject share; returns the batch row. Runs inside the decision's tx. */
export async function checkDecision(ctx: CoreContext, operator: Operator, input: DecideBatchParameters, verb: 'approve' | 'reject') {
  const row = await getBatchRow(ctx, input.id)
  if (row.version !== input.version) {
    throw new CsError(
      'APPROVAL_STALE',
      `Batch "${row.name}" changed after you reviewed it: you were shown version ${input.version}, it is now version ${row.version} — review it again (batches show ${row.id}) and ${verb} version ${row.version} if it is still right.`,
    )
  }
  requireBatchState(row.name, batchStateOf(row), ['awaiting_approval'], `${verb} it`)
  const blocker = approvalBlocker(row, operator, await listApprovals(ctx, row.id, row.version))
  if (blocker !== null) {
    const hint = blocker.startsWith('you already') ? '' : ' — another approver must'
    throw new CsError('APPROVAL_NOT_ALLOWED', `${operator.name}: ${blocker}${hint}.`)
  }
  return row
}

function emptyToNull(text: string | undefined): string | null {
  const t = text?.trim() ?? ''
  return t === '' ? null : t
}
