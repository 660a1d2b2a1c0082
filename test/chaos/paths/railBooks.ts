/**
 * The treasury on each rail against the books, shared by the paths' oracles: read from the rails
 * (Anvil, the Horizon harness, the Stripe harness), compared with the treasury account — plus what
 * escrows leave on the treasury's own rail account: on Stripe the escrowed money stays on the
 * platform balance, and on Stellar a disputed milestone's balance was claimed back into the
 * treasury while the books still hold it in escrow. (On EVM the escrow contract holds it.)
 */
import { erc20Abi } from 'viem'
import type { CoreContext } from '../../../src/main/core/context'
import { ledgerBalance } from '../../execute/executeKit'
import { NETWORK as STELLAR_NETWORK, TREASURY as STELLAR_TREASURY } from '../../execute/stellarKit'
import { STRIPE_CURRENCIES, type RunWorld } from '../world'

/** A ledger account's posted balance (debit-normal), 0 when the account was never opened. */
export async function ledgerMinor(ctx: CoreContext, accountId: string): Promise<bigint> {
  const b = await ctx.db.first(ctx.db.k.selectFrom('balances').select('account_id').where('account_id', '=', accountId))
  return b ? await ledgerBalance(ctx, accountId) : 0n
}

export async function railTreasuries(run: RunWorld): Promise<[string, bigint][]> {
  const pc = run.evm.h.clients.publicClient
  const t = run.evm.treasury
  return [
    [run.evm.ethAssetId, await pc.getBalance({ address: t })],
    [run.evm.tokenAssetId, await pc.readContract({ address: run.evm.h.testUsd, abi: erc20Abi, functionName: 'balanceOf', args: [t] })],
    [`XLM@stellar:${STELLAR_NETWORK}`, run.stellar.balance(STELLAR_TREASURY, 'native')!],
    [`USDC@stellar:${STELLAR_NETWORK}`, run.stellar.balance(STELLAR_TREASURY, run.usdc)!],
    ...STRIPE_CURRENCIES.map((c): [string, bigint] => [`${c.toUpperCase()}@stripe`, run.stripe.balance(c)]),
  ]
}

/** Sum of the disputed milestones of an asset: on Stellar, claimed back into the treasury. */
export async function disputedOnStellar(ctx: CoreContext, assetId: string): Promise<bigint> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('escrow_milestones')
      .innerJoin('escrows', 'escrows.id', 'escrow_milestones.escrow_id')
      .select('escrow_milestones.amount')
      .where('escrows.asset_id', '=', assetId)
      .where('escrow_milestones.state', '=', 'disputed'),
  )
  return rows.reduce((s, r) => s + BigInt(r.amount), 0n)
}

/** What the treasury's rail account holds beyond its books because of escrows. */
export async function escrowOnTreasuryRail(ctx: CoreContext, assetId: string): Promise<bigint> {
  if (assetId.endsWith('@stripe')) return await ledgerMinor(ctx, `escrow:${assetId}`)
  if (assetId.includes('@stellar:')) return await disputedOnStellar(ctx, assetId)
  return 0n
}

/** Each asset's treasury on its rail ≠ its books (with escrows' share): one sentence per difference. */
export async function treasuryDifferences(ctx: CoreContext, run: RunWorld): Promise<string[]> {
  const out: string[] = []
  for (const [assetId, onRail] of await railTreasuries(run)) {
    const books = (await ledgerMinor(ctx, `treasury:${assetId}`)) + (await escrowOnTreasuryRail(ctx, assetId))
    if (books !== onRail) out.push(`treasury ${assetId}: books ${books}, rail ${onRail} (difference ${onRail - books})`)
  }
  return out
}

/** Live claimable balances the Stellar treasury sponsors, summed per asset id (Horizon, one page). */
export async function sponsoredBalances(run: RunWorld): Promise<Map<string, bigint>> {
  const res = await fetch(`${run.stellar.url}/claimable_balances?sponsor=${STELLAR_TREASURY}&limit=200`)
  const page = (await res.json()) as { _embedded: { records: { asset: string; amount: string }[] } }
  const out = new Map<string, bigint>([
    [`XLM@stellar:${STELLAR_NETWORK}`, 0n],
    [`USDC@stellar:${STELLAR_NETWORK}`, 0n],
  ])
  for (const r of page._embedded.records) {
    const id = r.asset === 'native' ? `XLM@stellar:${STELLAR_NETWORK}` : `USDC@stellar:${STELLAR_NETWORK}`
    out.set(id, out.get(id)! + stroops(r.amount))
  }
  return out
}

function stroops(amount: string): bigint {
  const [w, f = ''] = amount.split('.')
  return BigInt(w!) * 10n ** 7n + BigInt(f.padEnd(7, '0') || '0')
}
