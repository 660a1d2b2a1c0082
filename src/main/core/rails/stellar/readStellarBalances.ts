/**
 * The Stellar rail's `readBalances`: one account's balance lines on Horizon, per asset (native
 * XLM after every fee the account paid; an issued asset by code and issuer). An account Horizon
 * does not know, or a missing trustline, holds nothing: reported as zero with a note.
 */
import { CsError } from '../../../../shared/errors'
import type { AssetRow } from '../../db/schema'
import { invariant } from '../../util/invariant'
import type { RailBalance } from '../Rail'
import { HorizonError } from './horizon'
import { STELLAR_SCALE } from './stellarAmounts'
import { balanceOf } from './stellarPreflight'
import type { StellarRailEnv } from './stellarRailEnv'

export async function readStellarBalances(env: StellarRailEnv, address: string, assets: readonly AssetRow[]): Promise<RailBalance[]> {
  for (const asset of assets) {
    invariant(asset.rail === 'stellar' && asset.network === env.network, () => `asset ${asset.id} is not on stellar:${env.network}`)
    invariant(asset.scale === STELLAR_SCALE, () => `Stellar asset ${asset.id} has scale ${asset.scale}, not ${STELLAR_SCALE}`)
  }
  let account
  try {
    await env.checkNetwork()
    account = await env.horizon.account(address)
  } catch (error) {
    if (error instanceof HorizonError)
      throw new CsError('RAIL_UNAVAILABLE', `${error.message} — check the Horizon URL of Stellar ${env.network} and your connection.`, {
        cause: error,
      })
    throw error
  }
  return assets.map((asset) => {
    if (account === null) return { assetId: asset.id, minor: 0n, note: `The account ${address} does not exist on Stellar ${env.network}` }
    const held = balanceOf(account, asset.code, asset.issuer)
    if (held === null)
      return { assetId: asset.id, minor: 0n, note: `${address} has no trustline for ${asset.code} (issuer ${asset.issuer})` }
    return { assetId: asset.id, minor: held }
  })
}
