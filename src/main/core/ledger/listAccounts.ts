import type { Account } from '../../../shared/ledgerApi'
import type { AccountKind } from '../../../shared/blocks'
import type { CoreContext } from '../context'
import { toAccount } from './toAccount'

export interface ListAccountsParameters {
  kind?: AccountKind | undefined
  assetId?: string | undefined
}

/** Ledger accounts, by asset then kind then id. */
export async function listAccounts(ctx: CoreContext, input: ListAccountsParameters = {}): Promise<Account[]> {
  let q = ctx.db.k.selectFrom('accounts').selectAll().orderBy('asset_id').orderBy('kind').orderBy('id')
  if (input.kind !== undefined) q = q.where('kind', '=', input.kind)
  if (input.assetId !== undefined) q = q.where('asset_id', '=', input.assetId)
  return (await ctx.db.all(q)).map(toAccount)
}
