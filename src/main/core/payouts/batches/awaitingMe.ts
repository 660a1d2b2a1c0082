/**
 * The batches waiting for the caller's approval: awaiting approval, and the caller may approve the
 * current version (the approver role, neither its creator nor an editor, not yet decided on it) —
 * the same rule approveBatch enforces (approvalBlocker). The navigation counts them; one query
 * however many batches wait.
 */
import type { AwaitingMe } from '../../../../shared/payoutsApi'
import type { Operator } from '../../../../shared/workspaceApi'
import type { CoreContext } from '../../context'
import { approvalBlocker } from '../policy/describeApprovalStatus'

export async function awaitingMe(ctx: CoreContext, operator: Operator | null): Promise<AwaitingMe> {
  if (operator === null || !operator.roles.includes('approver')) return { count: 0, batchIds: [] }
  // One query, not one per batch: the batches awaiting approval on whose current version the caller
  // has not decided; the creator and editor rules are then approvalBlocker's own.
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('batches as b')
      .selectAll('b')
      .where('b.state', '=', 'awaiting_approval')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('approvals as a')
              .select('a.batch_id')
              .whereRef('a.batch_id', '=', 'b.id')
              .whereRef('a.version', '=', 'b.version')
              .where('a.operator_id', '=', operator.id),
          ),
        ),
      )
      .orderBy('b.updated_at', 'desc')
      .orderBy('b.id'),
  )
  const batchIds = rows.filter((row) => approvalBlocker(row, operator, []) === null).map((row) => row.id)
  return { count: batchIds.length, batchIds }
}
