/**
 * Stellar pre-flight, run before approval and again before signing (preflightBatch → the rail
 * checks): the configured network passphrase is Horizon's; every destination exists (or may be
 * created with XLM) and trusts the asset it is paid in; the source holds each asset's total and,
 * in XLM, the payouts plus fees plus its reserve; the fee bid is under the cap. Reads only.
 */
import type { PreflightProblem } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import type { PayoutRow } from '../../db/schema'
import type { RailPreflight } from '../../payouts/batches/railPreflights'
import { createHorizonClient, type HorizonAccount } from './horizon'
import { stringToStroopsText } from './stellarAmounts'
import { stellarRailDefaults, type StellarNetworkConfig } from './stellarRailConfig'
import { stroopsText } from './createStellarRail'

/** Stellar's base reserve when Horizon does not say (0.5 XLM). */
const BASE_RESERVE_DEFAULT = 5_000_000n
const CREATE_ACCOUNT_MIN = 2n * BASE_RESERVE_DEFAULT

function balanceOf(account: HorizonAccount, code: string, issuer: string | null): bigint | null {
  const line = account.balances.find((b) =>
    issuer === null ? b.asset_type === 'native' : b.asset_code === code && b.asset_issuer === issuer,
  )
  return line ? BigInt(stringToStroopsText(line.balance)) : null
}

export async function checkStellarPayouts(
  ctx: CoreContext,
  config: StellarNetworkConfig,
  payouts: readonly PayoutRow[],
): Promise<PreflightProblem[]> {
  const horizon = createHorizonClient(config.horizonUrl)
  const problems: PreflightProblem[] = []
  const root = await horizon.root()
  if (root.network_passphrase !== config.networkPassphrase) {
    return [
      {
        code: 'CHAIN_MISMATCH',
        message: `The Horizon server for Stellar ${config.network} serves "${root.network_passphrase}", not the configured "${config.networkPassphrase}" — fix the Horizon URL or the passphrase before approving`,
      },
    ]
  }
  const assets = new Map(
    ctx.db
      .all(ctx.db.k.selectFrom('assets').selectAll().where('rail', '=', 'stellar').where('network', '=', config.network))
      .map((a) => [a.id, a]),
  )
  const ledger = await horizon.latestLedger()
  const reserve = BigInt(ledger.base_reserve_in_stroops ?? Number(BASE_RESERVE_DEFAULT))
  const source = await horizon.account(config.source.address)
  if (!source) {
    return [
      {
        code: 'STELLAR_NO_DESTINATION',
        message: `The treasury ${config.source.address} does not exist on Stellar ${config.network} — fund it first`,
      },
    ]
  }
  const stats = await horizon.feeStats()
  const bid = (() => {
    const base = BigInt(stats?.last_ledger_base_fee ?? '100')
    const p90 = BigInt(stats?.fee_charged.p90 ?? '0')
    return p90 > base ? p90 : base
  })()
  if (bid > config.maxFeePerOpStroops) {
    problems.push({
      code: 'FEE_CAP_EXCEEDED',
      message: `Stellar ${config.network} fees are ${bid} stroops per operation, above your cap of ${config.maxFeePerOpStroops} — wait or raise the cap`,
    })
  }

  const seen = new Map<string, HorizonAccount | null>()
  const totals = new Map<string, bigint>()
  for (const p of payouts) {
    const asset = assets.get(p.asset_id)
    if (!asset) continue // row validation reports unknown assets
    const amount = BigInt(p.amount)
    totals.set(p.asset_id, (totals.get(p.asset_id) ?? 0n) + amount)
    if (!seen.has(p.recipient)) seen.set(p.recipient, await horizon.account(p.recipient))
    const dest = seen.get(p.recipient)!
    const payee = p.name ? `${p.name} (${p.recipient})` : p.recipient
    if (dest === null) {
      if (asset.issuer === null && config.allowCreateAccount) {
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
        message: `Row ${p.row_no}: ${payee} does not exist on Stellar ${config.network} — ask the payee to fund the account${asset.issuer === null ? ', or allow create_account for XLM payouts' : ''}`,
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

  const opsPerTx = Math.min(config.opsPerTxMax ?? stellarRailDefaults.opsPerTxMax, stellarRailDefaults.opsPerTxMax)
  const fees = bid * BigInt(payouts.length) + bid * BigInt(Math.ceil(payouts.length / opsPerTx))
  for (const [assetId, total] of totals) {
    const asset = assets.get(assetId)!
    const held = balanceOf(source, asset.code, asset.issuer) ?? 0n
    const needed = asset.issuer === null ? total + fees + (2n + BigInt(source.subentry_count)) * reserve : total
    if (held < needed) {
      problems.push({
        code: 'STELLAR_UNDERFUNDED',
        message:
          asset.issuer === null
            ? `The treasury holds ${stroopsText(held)} XLM on Stellar ${config.network}; the batch needs ${stroopsText(total)} XLM plus up to ${stroopsText(fees)} in fees and a ${stroopsText((2n + BigInt(source.subentry_count)) * reserve)} XLM reserve — fund it or remove payouts`
            : `The treasury holds ${stroopsText(held)} ${asset.code} on Stellar ${config.network} and the batch pays ${stroopsText(total)} — fund it or remove payouts`,
      })
    }
  }
  if (!totals.has(`XLM@stellar:${config.network}`)) {
    const xlm = balanceOf(source, 'XLM', null) ?? 0n
    const needed = fees + (2n + BigInt(source.subentry_count)) * reserve
    if (xlm < needed)
      problems.push({
        code: 'STELLAR_UNDERFUNDED',
        message: `The treasury holds ${stroopsText(xlm)} XLM on Stellar ${config.network}, less than the ${stroopsText(needed)} XLM of fees and reserve this batch needs — fund it`,
      })
  }
  return problems
}

/** The registered check: finds the configuration of each payout's network in the live rails. */
export function stellarPreflight(configFor: (network: string) => StellarNetworkConfig | undefined): RailPreflight {
  return {
    name: 'stellar.network',
    rail: 'stellar',
    async check(ctx, { payouts }) {
      const problems: PreflightProblem[] = []
      for (const network of new Set(payouts.map((p) => p.network))) {
        const config = configFor(network)
        if (!config) {
          problems.push({ code: 'RAIL_NOT_CONFIGURED', message: `Stellar ${network} is not configured — add it in Settings → Rails` })
          continue
        }
        problems.push(
          ...(await checkStellarPayouts(
            ctx,
            config,
            payouts.filter((p) => p.network === network),
          )),
        )
      }
      return problems
    },
  }
}
