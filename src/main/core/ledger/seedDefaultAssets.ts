/**
 * The assets a new workspace starts with. Seeded once, into an empty registry only: an asset a
 * person removed or never wanted is not forced back on the next start.
 */
import type { Asset } from '../../../shared/ledgerApi'
import { appendAudit } from '../audit/appendAudit'
import { SYSTEM_ACTOR, type CoreContext } from '../context'
import type { AssetRow } from '../db/schema'
import { assetIdFor } from './ids'

type AssetSeed = Omit<Asset, 'id'>

export const DEFAULT_ASSETS: readonly AssetSeed[] = [
  { code: 'USDC', name: 'USD Coin (Ethereum)', scale: 6, rail: 'evm', network: '1', issuer: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' },
  { code: 'ETH', name: 'Ether (Ethereum)', scale: 18, rail: 'evm', network: '1', issuer: null },
  { code: 'USDC', name: 'USD Coin (Base)', scale: 6, rail: 'evm', network: '8453', issuer: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' },
  { code: 'ETH', name: 'Ether (Base)', scale: 18, rail: 'evm', network: '8453', issuer: null },
  {
    code: 'USDC',
    name: 'USD Coin (Stellar)',
    scale: 7,
    rail: 'stellar',
    network: 'pubnet',
    issuer: 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN',
  },
  { code: 'XLM', name: 'Stellar Lumens', scale: 7, rail: 'stellar', network: 'pubnet', issuer: null },
  // Stripe has no networks: its assets are currencies in Stripe's minor units (JPY has none,
  // BHD has three), and their network is the rail itself, so their ids read "USD@stripe".
  { code: 'USD', name: 'US Dollar (Stripe)', scale: 2, rail: 'stripe', network: 'stripe', issuer: null },
  { code: 'EUR', name: 'Euro (Stripe)', scale: 2, rail: 'stripe', network: 'stripe', issuer: null },
  { code: 'JPY', name: 'Japanese Yen (Stripe)', scale: 0, rail: 'stripe', network: 'stripe', issuer: null },
  { code: 'BHD', name: 'Bahraini Dinar (Stripe)', scale: 3, rail: 'stripe', network: 'stripe', issuer: null },
]

/** Seeds DEFAULT_ASSETS when the registry is empty; returns the ids it added (none if it was not). */
export async function seedDefaultAssets(ctx: CoreContext): Promise<string[]> {
  return await ctx.db.tx(async () => {
    if (await ctx.db.first(ctx.db.k.selectFrom('assets').select('id').limit(1))) return []
    const createdAt = ctx.clock.now().toISOString()
    const rows: AssetRow[] = DEFAULT_ASSETS.map((a) => ({ id: assetIdFor(a.code, a.rail, a.network), ...a, created_at: createdAt }))
    await ctx.db.run(ctx.db.k.insertInto('assets').values(rows))
    await appendAudit(ctx, {
      actor: SYSTEM_ACTOR,
      action: 'assets.seed',
      subject: 'assets',
      change: { assets: rows.map((r) => ({ id: r.id, code: r.code, scale: r.scale, rail: r.rail, network: r.network, issuer: r.issuer })) },
    })
    return rows.map((r) => r.id)
  })
}
