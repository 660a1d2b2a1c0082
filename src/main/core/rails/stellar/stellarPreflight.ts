/**
 * Stellar pre-flight, the rail's `preflight` (run before approval and again before signing):
 * the configured network passphrase is Horizon's; every destination exists (or may be created
 * with XLM) and trusts the asset it is paid in; the source holds each asset's total and, in XLM,
 * the payouts plus fees plus its reserve; the fee bid is under the cap. Reads Horizon only.
 */
import type { PreflightProblem } from '../../../../shared/payoutsApi'
import type { AssetRow, PayoutRow } from '../../db/schema'
import type { RailPreflightInput } from '../Rail'
import type { HorizonAccount } from './horizon'
import { stringToStroopsText, stroopsText } from './stellarAmounts'
import { readFeeBidStroops } from './stellarFees'
import type { StellarRailEnv } from './stellarRailEnv'

/** Stellar's base reserve when Horizon does not say (0.5 XLM). */
const BASE_RESERVE_DEFAULT = 5_000_000n
/** create_account needs at least two base reserves (1 XLM). */
const CREATE_ACCOUNT_MIN = 2n * BASE_RESERVE_DEFAULT

export async function stellarPreflight(env: StellarRailEnv, input: RailPreflightInput): Promise<PreflightProblem[]> {
  const { config, horizon, network } = env
  const root = await horizon.root()
  if (root.network_passphrase !== config.networkPassphrase) {
    return [
      {
        code: 'CHAIN_MISMATCH',
        message: `The Horizon server for Stellar ${network} serves "${root.network_passphrase}", not the configured "${config.networkPassphrase}" — fix the Horizon URL or the passphrase before approving`,
      },
    ]
  }
  const ledger = await horizon.latestLedger()
  const reserve = BigInt(ledger.base_reserve_in_stroops ?? Number(BASE_RESERVE_DEFAULT))
  const source = await horizon.account(config.source.address)
  if (!source) {
    return [
      {
        code: 'STELLAR_NO_DESTINATION',
        message: `The treasury ${config.source.address} does not exist on Stellar ${network} — fund it first`,
      },
    ]
  }
  const problems: PreflightProblem[] = []
  const bid = await readFeeBidStroops(horizon)
  if (bid > config.maxFeePerOpStroops) {
    problems.push({
      code: 'FEE_CAP_EXCEEDED',
      message: `Stellar ${network} fees are ${bid} stroops per operation, above your cap of ${config.maxFeePerOpStroops} — wait or raise the cap`,
    })
  }
  const assets = stellarAssetsOf(env, input.assets)
  const totals = await checkPayees(env, assets, input.payouts, problems)
  const fees = bid * BigInt(input.payouts.length) + bid * BigInt(Math.ceil(input.payouts.length / env.opsPerTx))
  problems.push(...checkFunds(env, { assets, totals, source, fees, reserve }))
  return problems
}

/** The assets of this rail and network, by id (others are row validation's to report). */
function stellarAssetsOf(env: StellarRailEnv, assets: ReadonlyMap<string, AssetRow>): Map<string, AssetRow> {
  return new Map([...assets].filter(([, a]) => a.rail === 'stellar' && a.network === env.network))
}

export function balanceOf(account: HorizonAccount, code: string, issuer: string | null): bigint | null {
  const line = account.balances.find((b) =>
    issuer === null ? b.asset_type === 'native' : b.asset_code === code && b.asset_issuer === issuer,
  )
  return line ? BigInt(stringToStroopsText(line.balance)) : null
}

/** Each destination exists (or may be created) and trusts its asset; returns the total per asset. */
async function checkPayees(
  env: StellarRailEnv,
  assets: ReadonlyMap<string, AssetRow>,
  payouts: readonly PayoutRow[],
  problems: PreflightProblem[],
): Promise<Map<string, bigint>> {
  const seen = new Map<string, HorizonAccount | null>()
  const totals = new Map<string, bigint>()
  for (const p of payouts) {
    const asset = assets.get(p.asset_id)
    if (!asset) continue // row validation reports unknown assets
    const amount = BigInt(p.amount)
    totals.set(p.asset_id, (totals.get(p.asset_id) ?? 0n) + amount)
    if (!seen.has(p.recipient)) seen.set(p.recipient, await env.horizon.account(p.recipient))
    const dest = seen.get(p.recipient)!
    const payee = p.name ? `${p.name} (${p.recipient})` : p.recipient
    if (dest === null) {
      if (asset.issuer === null && env.config.allowCreateAccount) {
        if (amount < CREATE_ACCOUNT_MIN)
          problems.push({
            code: 'STELLAR_UNDERFUNDED',
            payoutId: p.id,
            message: `Row ${p.row_no}: ${payee} does not exist yet and ${stroopsText(amount)} XLM is below the 1 XLM needed to create it — raise the amount`,
          })
        continue
      }
      problems.push({
        code: 'STELLAR_NO_DESTINATION',
        payoutId: p.id,
        message: `Row ${p.row_no}: ${payee} does not exist on Stellar ${env.network} — ask the payee to fund the account${asset.issuer === null ? ', or allow create_account for XLM payouts' : ''}`,
      })
      continue
    }
    if (asset.issuer !== null && asset.issuer !== p.recipient && balanceOf(dest, asset.code, asset.issuer) === null) {
      problems.push({
        code: 'STELLAR_NO_TRUST',
        payoutId: p.id,
        message: `Row ${p.row_no}: ${payee} has no trustline for ${asset.code} (issuer ${asset.issuer}) — ask the payee to add it before this batch is paid`,
      })
    }
  }
  return totals
}

/** The treasury holds each asset's total and, in XLM, the fees and its reserve too. */
function checkFunds(
  env: StellarRailEnv,
  f: { assets: ReadonlyMap<string, AssetRow>; totals: ReadonlyMap<string, bigint>; source: HorizonAccount; fees: bigint; reserve: bigint },
): PreflightProblem[] {
  const problems: PreflightProblem[] = []
  const held = (asset: Pick<AssetRow, 'code' | 'issuer'>) => balanceOf(f.source, asset.code, asset.issuer) ?? 0n
  const reserveNeeded = (2n + BigInt(f.source.subentry_count)) * f.reserve
  for (const [assetId, total] of f.totals) {
    const asset = f.assets.get(assetId)!
    const has = held(asset)
    const needed = asset.issuer === null ? total + f.fees + reserveNeeded : total
    if (has >= needed) continue
    problems.push({
      code: 'STELLAR_UNDERFUNDED',
      message:
        asset.issuer === null
          ? `The treasury holds ${stroopsText(has)} XLM on Stellar ${env.network}; the batch needs ${stroopsText(total)} XLM plus up to ${stroopsText(f.fees)} in fees and a ${stroopsText(reserveNeeded)} XLM reserve — fund it or remove payouts`
          : `The treasury holds ${stroopsText(has)} ${asset.code} on Stellar ${env.network} and the batch pays ${stroopsText(total)} — fund it or remove payouts`,
    })
  }
  if (!f.totals.has(env.feeAssetId)) {
    const xlm = held({ code: 'XLM', issuer: null })
    const needed = f.fees + reserveNeeded
    if (xlm < needed)
      problems.push({
        code: 'STELLAR_UNDERFUNDED',
        message: `The treasury holds ${stroopsText(xlm)} XLM on Stellar ${env.network}, less than the ${stroopsText(needed)} XLM of fees and reserve this batch needs — fund it`,
      })
  }
  return problems
}
