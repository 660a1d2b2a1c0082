/** Remove payout rows from a batch, all or nothing. A removed payout was never paid, so its id may be used again. */
import { CsError } from '../../../../shared/errors'
import type { BatchSummary } from '../../../../shared/payoutsApi'
import { appendAudit } from '../../audit/appendAudit'
import { openRowSeals } from '../../audit/rowSeals'
import type { Actor, CoreContext } from '../../context'
import { beginBatchEdit } from './beginBatchEdit'
import { readBatchSummary } from './readBatch'
import { refreshBatchWarnings } from './batchWarnings'
import { emitBatchChanged } from './transitionBatch'
import { unreachable } from '../../util/invariant'

export interface RemoveBatchRowsParameters {
  id: string
  version?: number | undefined
  payoutIds: string[]
}
export type RemoveBatchRowsReturnType = BatchSummary

export async function removeBatchRows(ctx: CoreContext, actorId: Actor, input: RemoveBatchRowsParameters): Promise<BatchSummary> {
  const summary = await ctx.db.tx(async () => {
    const batch = await beginBatchEdit(ctx, actorId, input.id, input.version, 'remove its payouts')
    const ids = [...new Set(input.payoutIds)]
    const removed = []
    for (const id of ids) {
      const row = await ctx.db.first(ctx.db.k.selectFrom('payouts').selectAll().where('id', '=', id).where('batch_id', '=', batch.id))
      if (!row)
        throw new CsError(
          'PAYOUT_NOT_FOUND',
          `Batch "${batch.name}" has no payout "${id.slice(0, 80)}" — nothing was removed; check the ids (batches show).`,
        )
      if (row.state !== 'pending') unreachable(`payout ${row.id} of an editable batch is ${row.state}, not pending`)
      removed.push({ id: row.id, assetId: row.asset_id, recipient: row.recipient, amount: row.amount })
      await ctx.db.run(ctx.db.k.deleteFrom('payouts').where('id', '=', id))
    }
    // A removed row's seal becomes a removal: this audit row vouches that the rows are gone.
    const seals = await openRowSeals(ctx)
    await seals.unseal(
      ctx,
      'payouts',
      removed.map((r) => r.id),
    )
    await refreshBatchWarnings(ctx, batch.id)
    await appendAudit(ctx, {
      actor: actorId,
      action: 'batches.rows.remove',
      subject: `batch:${batch.id}`,
      change: { version: batch.version, payouts: removed },
      seals,
    })
    return await readBatchSummary(ctx, batch.id)
  })
  emitBatchChanged(ctx, summary.id)
  return summary
}
