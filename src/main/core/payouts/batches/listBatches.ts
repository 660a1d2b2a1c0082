/** Batches, newest first, paged by `before` (the id of the last batch of the previous page). */
import { CsError } from '../../../../shared/errors'
import { BATCHES_LIST_DEFAULT } from '../../../../shared/limits'
import type { BatchList, BatchSummary } from '../../../../shared/payoutsApi'
import type { BatchStateName } from '../../../../shared/blocks'
import type { CoreContext } from '../../context'
import { AssetCache, batchStateOf, getBatchRow, toSummary } from './readBatch'
import { signingStoppedOf } from './signingStopped'

export interface ListBatchesParameters {
  state?: BatchStateName | undefined
  limit?: number | undefined
  before?: string | undefined
}
export type ListBatchesReturnType = BatchList

export async function listBatches(ctx: CoreContext, input: ListBatchesParameters = {}): Promise<BatchList> {
  const limit = input.limit ?? BATCHES_LIST_DEFAULT
  return await ctx.db.tx(async () => {
    let q = ctx.db.k
      .selectFrom('batches')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
    if (input.state !== undefined) q = q.where('state', '=', input.state)
    if (input.before !== undefined) {
      let cursor
      try {
        cursor = await getBatchRow(ctx, input.before)
      } catch {
        throw new CsError(
          'BATCH_NOT_FOUND',
          `There is no batch "${input.before.slice(0, 80)}" to page from — start again without "before".`,
        )
      }
      const { created_at: at, id } = cursor
      q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]))
    }
    const rows = await ctx.db.all(q)
    const page = rows.slice(0, limit)
    const assets = new AssetCache(ctx)
    const ids = page.map((r) => r.id)
    const payouts =
      ids.length === 0
        ? []
        : await ctx.db.all(ctx.db.k.selectFrom('payouts').select(['batch_id', 'asset_id', 'amount']).where('batch_id', 'in', ids))
    const byBatch = new Map<string, { asset_id: string; amount: string }[]>()
    for (const p of payouts) {
      const list = byBatch.get(p.batch_id) ?? []
      list.push(p)
      byBatch.set(p.batch_id, list)
    }
    const stopped = await signingStoppedOf(
      ctx,
      page.map((r) => ({ id: r.id, state: batchStateOf(r) })),
    )
    const batches: BatchSummary[] = []
    for (const r of page) batches.push(await toSummary(r, byBatch.get(r.id) ?? [], assets, stopped.get(r.id) ?? null))
    return {
      batches,
      nextBefore: rows.length > limit ? page.at(-1)!.id : null,
    }
  })
}
