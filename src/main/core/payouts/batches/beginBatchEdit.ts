/**
 * The first step of every row edit, inside the edit's transaction: check the batch may be edited
 * and is the version the editor read; send a submitted or approved batch back to draft (through
 * transitionBatch); bump the version, which voids every approval of the old one; and record the
 * editor, who from now on can never approve this batch.
 */
import { CsError } from '../../../../shared/errors'
import type { BatchState } from '../../../../shared/payoutStates'
import type { Actor, CoreContext } from '../../context'
import type { BatchRow } from '../../db/schema'
import { batchStateOf, editorsOf, getBatchRow } from './readBatch'
import { requireBatchState, transitionBatch } from './transitionBatch'
import { unreachable } from '../../util/invariant'

/** States in which rows may change. Executing or later, the rows are what was (being) paid. */
export const EDITABLE_STATES: readonly BatchState[] = ['draft', 'awaiting_approval', 'approved']

export async function beginBatchEdit(
  ctx: CoreContext,
  actorId: Actor,
  batchId: string,
  expectVersion: number | undefined,
  what: string,
): Promise<BatchRow> {
  if (!ctx.db.inTransaction()) unreachable('beginBatchEdit must run inside the edit’s transaction')
  const row = await getBatchRow(ctx, batchId)
  if (expectVersion !== undefined && row.version !== expectVersion) {
    throw new CsError(
      'BATCH_STALE',
      `Batch "${row.name}" changed since you read it (now version ${row.version}, you had ${expectVersion}) — reload it and make your change again.`,
    )
  }
  const state = batchStateOf(row)
  requireBatchState(row.name, state, EDITABLE_STATES, what)
  if (state !== 'draft') {
    const voided = await ctx.db.all(
      ctx.db.k
        .selectFrom('approvals')
        .select('operator_id')
        .where('batch_id', '=', batchId)
        .where('version', '=', row.version)
        .where('decision', '=', 'approve'),
    )
    await transitionBatch(ctx, actorId, batchId, 'draft', {
      reason: 'edited',
      expectVersion: row.version,
      details: { edit: what, voidedApprovals: voided.map((v) => v.operator_id) },
    })
  }
  const editors = editorsOf(row)
  if (!editors.includes(actorId)) editors.push(actorId)
  const version = row.version + 1
  const now = ctx.clock.now().toISOString()
  await ctx.db.run(
    ctx.db.k
      .updateTable('batches')
      .set({ version, editors: JSON.stringify(editors), updated_at: now })
      .where('id', '=', batchId),
  )
  return await getBatchRow(ctx, batchId)
}
