/** Change one payout row of a batch. The row keeps its id (idempotency key) and row number. */
import { CsError } from '../../../../shared/errors'
import { formatAmount, parseMinor } from '../../../../shared/money'
import type { BatchSummary, PayoutRowPatch } from '../../../../shared/payoutsApi'
import { appendAudit } from '../../audit/appendAudit'
import { openRowSeals } from '../../audit/rowSeals'
import type { Actor, CoreContext } from '../../context'
import { findAsset } from '../../ledger'
import { beginBatchEdit } from './beginBatchEdit'
import { readBatchSummary } from './readBatch'
import { refreshBatchWarnings } from './batchWarnings'
import { emitBatchChanged } from './transitionBatch'
import { checkPayoutRowsWithWarnings, requireValidPayoutRow } from './validatePayoutRow'
import { unreachable } from '../../util/invariant'

export interface UpdateBatchRowParameters {
  id: string
  version?: number | undefined
  payoutId: string
  changes: PayoutRowPatch
}
export type UpdateBatchRowReturnType = BatchSummary

export async function updateBatchRow(ctx: CoreContext, actorId: Actor, input: UpdateBatchRowParameters): Promise<BatchSummary> {
  const summary = await ctx.db.tx(async () => {
    const batch = await beginBatchEdit(ctx, actorId, input.id, input.version, 'change its payouts')
    const old = await ctx.db.first(
      ctx.db.k.selectFrom('payouts').selectAll().where('id', '=', input.payoutId).where('batch_id', '=', batch.id),
    )
    if (!old)
      throw new CsError(
        'PAYOUT_NOT_FOUND',
        `Batch "${batch.name}" has no payout "${input.payoutId.slice(0, 80)}" — check the id (batches show).`,
      )
    if (old.state !== 'pending') unreachable(`payout ${old.id} of an editable batch is ${old.state}, not pending`)
    const oldAsset = await findAsset(ctx, old.asset_id)
    if (!oldAsset) unreachable(`payout asset ${old.asset_id} is not in the registry`)
    const merged = {
      id: old.id,
      rowNo: old.row_no,
      assetId: input.changes.assetId ?? old.asset_id,
      recipient: input.changes.recipient ?? old.recipient,
      amount: input.changes.amount ?? formatAmount(parseMinor(old.amount), oldAsset.scale),
      memo: input.changes.memo ?? old.memo,
      reference: input.changes.reference ?? old.reference,
      name: input.changes.name ?? old.name,
    }
    const v = await requireValidPayoutRow(ctx, merged, `Payout ${old.id}`, { batchIdForEdit: batch.id })
    const next = {
      rail: v.asset.rail,
      network: v.asset.network,
      asset_id: v.asset.id,
      recipient: v.recipient,
      amount: v.minor.toString(),
      memo: v.memo,
      reference: v.reference,
      name: v.name,
      updated_at: ctx.clock.now().toISOString(),
    }
    await ctx.db.run(ctx.db.k.updateTable('payouts').set(next).where('id', '=', old.id))
    // The edit re-seals the row: its new content is what this audit row vouches for.
    const seals = await openRowSeals(ctx)
    await seals.seal(ctx, 'payouts', [{ ...old, ...next }])
    // A recipient typed in again is checked as typed (an address without its checksum says so).
    const typed =
      input.changes.recipient !== undefined
        ? { payoutIds: [old.id], warnings: (await checkPayoutRowsWithWarnings(ctx, [merged], { batchIdForEdit: batch.id })).warnings }
        : undefined
    await refreshBatchWarnings(ctx, batch.id, typed)
    await appendAudit(ctx, {
      actor: actorId,
      action: 'batches.rows.update',
      subject: `batch:${batch.id}`,
      change: {
        version: batch.version,
        payoutId: old.id,
        before: {
          assetId: old.asset_id,
          recipient: old.recipient,
          amount: old.amount,
          memo: old.memo,
          reference: old.reference,
          name: old.name,
        },
        after: {
          assetId: next.asset_id,
          recipient: next.recipient,
          amount: next.amount,
          memo: next.memo,
          reference: next.reference,
          name: next.name,
        },
      },
      seals,
    })
    return await readBatchSummary(ctx, batch.id)
  })
  emitBatchChanged(ctx, summary.id)
  return summary
}
