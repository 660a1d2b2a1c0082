/**
 * The treasury account that pays from one address in one asset: what every booking of a payout
 * credits. Found by one indexed query (asset + kind, then the address compared case-insensitively:
 * EIP-55 checksums are only a spelling), never by loading the accounts.
 */
import { CsError } from '../../../../shared/errors'
import type { CoreContext } from '../../context'
import type { AccountRow } from '../../db/schema'

export async function treasuryAccount(ctx: CoreContext, assetId: string, address: string): Promise<AccountRow | undefined> {
  return await ctx.db.first(
    ctx.db.k
      .selectFrom('accounts')
      .selectAll()
      .where('kind', '=', 'treasury')
      .where('asset_id', '=', assetId)
      .where((eb) => eb(eb.fn('lower', ['address']), '=', address.toLowerCase()))
      .limit(1),
  )
}

export async function requireTreasuryAccount(ctx: CoreContext, assetId: string, address: string): Promise<AccountRow> {
  const account = await treasuryAccount(ctx, assetId, address)
  if (!account) {
    throw new CsError(
      'ACCOUNT_NOT_FOUND',
      `There is no treasury account for ${assetId} at ${address} in the ledger — add one (kind treasury, that address) so payouts can be booked; nothing was signed.`,
    )
  }
  return account
}
