/**
 * Stellar pre-flight of one escrow operation (before approval and again before signing): Horizon
 * serves our passphrase, the treasury exists and holds what the operation takes — for funding,
 * every milestone plus, in XLM, the fees and one base reserve per claimant it will sponsor until
 * each balance is claimed — the payee exists and trusts the asset (it must, to be paid or to
 * claim), and the balances a release, dispute or refund claims back are still there. Reads only.
 */
import type { AssetRow } from '../../../db/schema'
import { assertNever } from '../../../util/invariant'
import type { EscrowOpInput, EscrowRailProblem } from '../../EscrowRail'
import type { HorizonAccount } from '../horizon'
import { stellarAssetRow } from '../planStellarChunks'
import { stroopsText } from '../stellarAmounts'
import { readFeeBidStroops } from '../stellarFees'
import { balanceOf } from '../stellarPreflight'
import type { StellarRailEnv } from '../stellarRailEnv'
import { milestoneOf, refundClaims } from './buildStellarEscrowTx'
import { milestonesOnRail } from './prepareStellarEscrow'

/** Each claimable balance has two claimants (payee, treasury), each sponsored by the treasury. */
const CLAIMANTS_PER_BALANCE = 2n
/** Stellar's base reserve when Horizon does not say (0.5 XLM). */
const BASE_RESERVE_DEFAULT_STROOPS = 5_000_000n

/** What the operation takes from the treasury, per asset side. */
interface Needs {
  /** Of the escrow's asset. */
  amount: bigint
  /** Operations in the transaction (fees). */
  ops: number
  /** Reserves the treasury will sponsor (base reserves). */
  reserves: bigint
}

export async function stellarEscrowPreflight(env: StellarRailEnv, input: EscrowOpInput): Promise<EscrowRailProblem[]> {
  const root = await env.horizon.root()
  if (root.network_passphrase !== env.config.networkPassphrase) {
    return [
      {
        code: 'CHAIN_MISMATCH',
        message: `The Horizon server for Stellar ${env.network} serves "${root.network_passphrase}", not the configured "${env.config.networkPassphrase}" — fix the Horizon URL or the passphrase before approving`,
      },
    ]
  }
  const treasury = await env.horizon.account(env.source.address)
  if (!treasury) {
    return [
      {
        code: 'STELLAR_NO_DESTINATION',
        message: `The treasury ${env.source.address} does not exist on Stellar ${env.network} — fund it first`,
      },
    ]
  }
  const problems: EscrowRailProblem[] = []
  const bid = await readFeeBidStroops(env.horizon)
  if (bid > env.config.maxFeePerOpStroops) {
    problems.push({
      code: 'FEE_CAP_EXCEEDED',
      message: `Stellar ${env.network} fees are ${bid} stroops per operation, above your cap of ${env.config.maxFeePerOpStroops} — wait or raise the cap`,
    })
  }
  const asset = stellarAssetRow(env, input.assets, input.terms.assetId)
  const needs = await checkOperation(env, input, asset, problems)
  const reserve = BigInt((await env.horizon.latestLedger()).base_reserve_in_stroops ?? Number(BASE_RESERVE_DEFAULT_STROOPS))
  problems.push(...checkTreasury(env, { asset, treasury, needs, fees: bid * BigInt(needs.ops), reserve }))
  return problems
}

/** The operation's own checks (payee, balances on the rail); returns what it takes from the treasury. */
async function checkOperation(env: StellarRailEnv, input: EscrowOpInput, asset: AssetRow, problems: EscrowRailProblem[]): Promise<Needs> {
  const { terms, op } = input
  const gone = async (indexes: readonly number[]): Promise<void> => {
    const present = new Set(await milestonesOnRail(env, terms, indexes))
    for (const i of indexes.filter((x) => !present.has(x))) {
      problems.push({
        code: 'ESCROW_NOT_ON_RAIL',
        message: `Milestone ${i} of escrow ${terms.escrowId} is no longer held on Stellar ${env.network} (its claimable balance ${milestoneOf(terms, i).railRef ?? '—'} was claimed) — refresh the escrow`,
      })
    }
  }
  switch (op.kind) {
    case 'fund':
      await checkPayee(env, input, asset, problems)
      return {
        amount: terms.milestones.reduce((s, m) => s + m.amount, 0n),
        ops: terms.milestones.length,
        reserves: CLAIMANTS_PER_BALANCE * BigInt(terms.milestones.length),
      }
    case 'release':
      await gone([op.milestone])
      await checkPayee(env, input, asset, problems)
      // The claim brings the amount back first: the treasury needs none of it beforehand.
      return { amount: 0n, ops: 2, reserves: 0n }
    case 'dispute':
      await gone([op.milestone])
      return { amount: 0n, ops: 1, reserves: 0n }
    case 'resolve':
      if (op.toPayee > 0n) await checkPayee(env, input, asset, problems)
      return { amount: op.toPayee, ops: op.toPayee > 0n ? 1 : 0, reserves: 0n }
    case 'refund': {
      // A disputed milestone's balance was claimed back at the dispute: its refund sends nothing.
      const claims = refundClaims(terms, op.milestones)
      const present = await milestonesOnRail(env, terms, claims)
      if (claims.length > 0 && present.length === 0) {
        problems.push({
          code: 'ESCROW_NOT_ON_RAIL',
          message: `None of the milestones to refund of escrow ${terms.escrowId} is still held on Stellar ${env.network} — refresh the escrow`,
        })
      }
      return { amount: 0n, ops: present.length, reserves: 0n }
    }
    default:
      return assertNever(op, 'escrow operation')
  }
}

/** The payee exists and, for an issued asset, trusts it (to be paid, or to claim in its window). */
async function checkPayee(env: StellarRailEnv, input: EscrowOpInput, asset: AssetRow, problems: EscrowRailProblem[]): Promise<void> {
  const payee = input.terms.payee
  const account = await env.horizon.account(payee)
  if (!account) {
    problems.push({
      code: 'STELLAR_NO_DESTINATION',
      message: `The payee ${payee} does not exist on Stellar ${env.network} — ask the payee to fund the account`,
    })
    return
  }
  if (asset.issuer !== null && asset.issuer !== payee && balanceOf(account, asset.code, asset.issuer) === null) {
    problems.push({
      code: 'STELLAR_NO_TRUST',
      message: `The payee ${payee} has no trustline for ${asset.code} (issuer ${asset.issuer}) — ask the payee to add it first`,
    })
  }
}

/** The treasury holds the amount and, in XLM, the fees, its reserve and the reserves it will sponsor. */
function checkTreasury(
  env: StellarRailEnv,
  f: { asset: AssetRow; treasury: HorizonAccount; needs: Needs; fees: bigint; reserve: bigint },
): EscrowRailProblem[] {
  const t = f.treasury
  const reserveNeeded = (2n + BigInt(t.subentry_count) + BigInt(t.num_sponsoring ?? 0) + f.needs.reserves) * f.reserve
  const xlm = balanceOf(t, 'XLM', null) ?? 0n
  const xlmNeeded = f.fees + reserveNeeded + (f.asset.issuer === null ? f.needs.amount : 0n)
  const problems: EscrowRailProblem[] = []
  if (f.asset.issuer !== null) {
    const held = balanceOf(t, f.asset.code, f.asset.issuer) ?? 0n
    if (held < f.needs.amount) {
      problems.push({
        code: 'STELLAR_UNDERFUNDED',
        message: `The treasury holds ${stroopsText(held)} ${f.asset.code} on Stellar ${env.network} and this takes ${stroopsText(f.needs.amount)} — fund it first`,
      })
    }
  }
  if (xlm < xlmNeeded) {
    problems.push({
      code: 'STELLAR_UNDERFUNDED',
      message: `The treasury holds ${stroopsText(xlm)} XLM on Stellar ${env.network}; this needs ${stroopsText(xlmNeeded)} XLM (${f.asset.issuer === null ? `${stroopsText(f.needs.amount)} to lock, ` : ''}up to ${stroopsText(f.fees)} in fees and a ${stroopsText(reserveNeeded)} XLM reserve, ${f.needs.reserves} of its base reserves sponsoring the claimable balances) — fund it first`,
    })
  }
  return problems
}
