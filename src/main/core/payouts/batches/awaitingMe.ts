/**
 * The batches waiting for the caller's approval: awaiting approval, and the caller may approve the
 * current version (the approver role, neither its creator nor an editor, not yet decided on it) —
 * the same rule approveBatch enforces (approvalBlocker). The navigation counts them.
 */
import type { AwaitingMe } from '../../../../shared/payoutsApi'
import type { Operator } from '../../../../shared/workspaceApi'
import type { CoreContext } from '../../context'
import { approvalBlocker } from '../policy/describeApprovalStatus'
import { listApprovals } from './listApprovals'

export async function awaitingMe(ctx: CoreContext, operator: Operator | null): Promise<AwaitingMe> {
  if (operator === null || !operator.roles.includes('approver')) return { count: 0, batchIds: [] }
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('batches').selectAll().where('state', '=', 'awaiting_approval').orderBy('updated_at', 'desc').orderBy('id'),
  )
  const batchIds: string[] = []
  for (const row of rows) {
    if (approvalBlocker(row, operator, await listApprovals(ctx, row.id, row.version)) === null) batchIds.push(row.id)
  }
  return { count: batchIds.length, batchIds }
}
