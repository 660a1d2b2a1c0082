/**
 * Cancel a batch that has not started executing (draft, awaiting approval, approved) or that
 * failed outright. Preparers and admins may cancel; nothing in a cancelled batch is ever paid.
 */
import type { Operator } from '../../../../shared/workspaceApi'
import { CsError } from '../../../../shared/errors'
import type { BatchSummary } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import { readBatchSummary } from './readBatch'
import { transitionBatch } from './transitionBatch'

export interface CancelBatchParameters {
  id: string
  comment?: string | undefined
}
export type CancelBatchReturnType = BatchSummary

export async function cancelBatch(ctx: CoreContext, operator: Operator | null, input: CancelBatchParameters): Promise<BatchSummary> {
  if (!operator)
    throw new CsError('OPERATOR_REQUIRED', 'Choose who you are before you cancel a batch — pick your operator profile (CLI: --as NAME).')
  if (!operator.roles.includes('preparer') && !operator.roles.includes('admin')) {
    throw new CsError(
      'ROLE_REQUIRED',
      `${operator.name} cannot cancel batches: that needs the preparer or admin role — ask an admin, or switch operator.`,
    )
  }
  const comment = input.comment?.trim() ? input.comment.trim() : null
  await transitionBatch(ctx, operator.id, input.id, 'cancelled', { reason: 'cancelled', details: { comment } })
  return await readBatchSummary(ctx, input.id)
}
