/**
 * Holds, newest first. `beforeSeq` pages by creation order (holds.seq, 1, 2, 3… assigned under
 * the write lock; holds are never deleted). The Hold contract does not carry that number yet, so
 * today a caller pages by asking for a larger `limit`; adding `seq` to the contract's Hold would
 * make paging exact.
 */
import { LIST_ROWS_MAX } from '../../../shared/limits'
import type { Hold } from '../../../shared/ledgerApi'
import type { HoldState } from '../../../shared/blocks'
import type { CoreContext } from '../context'
import { toHold } from './holdRows'

export interface ListHoldsParameters {
  state?: HoldState | undefined
  limit?: number | undefined
  beforeSeq?: number | undefined
}

export const HOLDS_PAGE_ROWS_DEFAULT = 200

export async function listHolds(ctx: CoreContext, input: ListHoldsParameters = {}): Promise<Hold[]> {
  const limit = Math.max(1, Math.min(input.limit ?? HOLDS_PAGE_ROWS_DEFAULT, LIST_ROWS_MAX))
  let q = ctx.db.k
    .selectFrom('holds as h')
    .innerJoin('assets as s', 's.id', 'h.asset_id')
    .selectAll('h')
    .select(['s.scale', 's.code as asset_code'])
    .orderBy('h.seq', 'desc')
    .limit(limit)
  if (input.state !== undefined) q = q.where('h.state', '=', input.state)
  if (input.beforeSeq !== undefined) q = q.where('h.seq', '<', input.beforeSeq)
  return (await ctx.db.all(q)).map(toHold)
}
