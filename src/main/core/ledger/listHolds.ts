/**
 * Holds, newest first. Holds have no seq column; `beforeSeq` pages by creation order, using the
 * table's rowid (1, 2, 3… in the order holds were created; holds are never deleted, so rowids
 * are never reused). The Hold contract does not carry that number yet, so today a caller pages
 * by asking for a larger `limit`; adding `seq` to the contract's Hold would make paging exact.
 */
import { LIST_ROWS_MAX } from '../../../shared/limits'
import type { Hold } from '../../../shared/ledgerApi'
import type { HoldState } from '../../../shared/blocks'
import { sql } from 'kysely'
import type { CoreContext } from '../context'
import { toHold } from './holdRows'

export interface ListHoldsParameters {
  state?: HoldState | undefined
  limit?: number | undefined
  beforeSeq?: number | undefined
}

export const HOLDS_PAGE_ROWS_DEFAULT = 200

export function listHolds(ctx: CoreContext, input: ListHoldsParameters = {}): Hold[] {
  const limit = Math.max(1, Math.min(input.limit ?? HOLDS_PAGE_ROWS_DEFAULT, LIST_ROWS_MAX))
  let q = ctx.db.k
    .selectFrom('holds as h')
    .innerJoin('assets as s', 's.id', 'h.asset_id')
    .selectAll('h')
    .select(['s.scale', 's.code as asset_code'])
    .orderBy(sql`h.rowid`, 'desc')
    .limit(limit)
  if (input.state !== undefined) q = q.where('h.state', '=', input.state)
  if (input.beforeSeq !== undefined) q = q.where(sql<number>`h.rowid`, '<', input.beforeSeq)
  return ctx.db.all(q).map(toHold)
}
