/** Create an empty draft batch (version 1); its creator is its first editor and can never approve it. */
import type { BatchSummary } from '../../../../shared/payoutsApi'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import type { BatchRow } from '../../db/schema'
// One id format for every batch, however it was made: b_ + 12 hex characters.
import { newBatchId } from '../import/importPayoutCsv'
import { AssetCache, toSummary } from './readBatch'
import { emitBatchChanged } from './transitionBatch'
import { unreachable } from '../../util/invariant'

export interface CreateBatchParameters {
  name: string
  /** Where its rows came from: 'manual', or 'csv:<file name>' for an import. */
  source?: string | undefined
}
export type CreateBatchReturnType = BatchSummary

export async function createBatch(ctx: CoreContext, actorId: Actor, input: CreateBatchParameters): Promise<BatchSummary> {
  const name = input.name.trim()
  if (name.length === 0) unreachable('the contract checks batch names are not empty')
  const summary = await ctx.db.tx(async () => {
    const now = ctx.clock.now().toISOString()
    const row: BatchRow = {
      id: newBatchId(),
      name,
      state: 'draft',
      version: 1,
      source: input.source ?? 'manual',
      created_by: actorId,
      editors: JSON.stringify([actorId]),
      created_at: now,
      updated_at: now,
    }
    await ctx.db.run(ctx.db.k.insertInto('batches').values(row))
    await appendAudit(ctx, {
      actor: actorId,
      action: 'batches.create',
      subject: `batch:${row.id}`,
      change: { name, source: row.source, state: 'draft', version: 1 },
    })
    return await toSummary(row, [], new AssetCache(ctx))
  })
  emitBatchChanged(ctx, summary.id)
  return summary
}
