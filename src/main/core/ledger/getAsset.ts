import type { Asset } from '../../../shared/ledgerApi'
import { CsError } from '../../../shared/errors'
import type { CoreContext } from '../context'
import { toAsset } from './toAsset'

/** The asset, or undefined. */
export async function findAsset(ctx: CoreContext, assetId: string): Promise<Asset | undefined> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('assets').selectAll().where('id', '=', assetId))
  return row ? toAsset(row) : undefined
}

/** The asset, or ASSET_NOT_FOUND. */
export async function getAsset(ctx: CoreContext, assetId: string): Promise<Asset> {
  const asset = await findAsset(ctx, assetId)
  if (!asset) throw new CsError('ASSET_NOT_FOUND', `There is no asset "${assetId}" — pick one from the assets list, or register it first.`)
  return asset
}
