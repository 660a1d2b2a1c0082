import type { Asset } from '../../../shared/ledgerApi'
import type { CoreContext } from '../context'
import { toAsset } from './toAsset'

/** The assets registry, ordered by rail, network and code (stable for views and the CLI). */
export async function listAssets(ctx: CoreContext): Promise<Asset[]> {
  return (await ctx.db.all(ctx.db.k.selectFrom('assets').selectAll().orderBy('rail').orderBy('network').orderBy('code').orderBy('id'))).map(
    toAsset,
  )
}
