/**
 * Planning on Stellar: which payouts share a transaction, and what `build` needs to know about
 * each one that only the network can say (the fee bid, which destinations must be created).
 * One asset and one memo per transaction, at most opsPerTx operations, in first-seen row order.
 * Reads Horizon; writes nothing.
 */
import { CsError } from '../../../../shared/errors'
import type { AssetRow, PayoutRow } from '../../db/schema'
import { invariant } from '../../util/invariant'
import type { PlannedChunk } from '../Rail'
import type { HorizonAccount } from './horizon'
import { readFeeBidStroops } from './stellarFees'
import { stellarMemoOf } from './stellarMemo'
import type { StellarRailEnv } from './stellarRailEnv'
import { describeOperationFailure } from './stellarResultCodes'

/** What `build` needs besides the payouts; JSON, kept with the plan. */
export interface StellarPrepared {
  /** Fee bid per operation, stroops. */
  feePerOp: string
  memo: string | null
  /** Per payout, in order: create_account for an unfunded XLM destination (when allowed). */
  ops: ('payment' | 'create_account')[]
}

/** PURE: payouts grouped into transactions (one asset, one memo, at most opsPerTx each). */
export function groupStellarChunks<P extends Pick<PayoutRow, 'asset_id' | 'memo'>>(payouts: readonly P[], opsPerTx: number): P[][] {
  const groups = new Map<string, P[]>()
  for (const p of payouts) {
    const key = `${p.asset_id}\u0000${p.memo ?? ''}`
    const list = groups.get(key) ?? []
    list.push(p)
    groups.set(key, list)
  }
  const out: P[][] = []
  for (const list of groups.values()) for (let i = 0; i < list.length; i += opsPerTx) out.push(list.slice(i, i + opsPerTx))
  return out
}

/** The asset of a payout on this rail; ASSET_NOT_FOUND when it is not registered. */
export function stellarAssetRow(env: StellarRailEnv, assets: ReadonlyMap<string, AssetRow>, assetId: string): AssetRow {
  const asset = assets.get(assetId)
  if (!asset) throw new CsError('ASSET_NOT_FOUND', `There is no asset "${assetId}" — register it before executing payouts in it.`)
  invariant(asset.rail === 'stellar' && asset.network === env.network, () => `asset ${assetId} is not on stellar:${env.network}`)
  return asset
}

/** Prepares each chunk (plan and retry alike): fee bid, memo, payment or create_account per payout. */
export async function prepareStellarChunks(
  env: StellarRailEnv,
  groups: readonly { chunkIndex: number; payouts: readonly PayoutRow[] }[],
  assets: ReadonlyMap<string, AssetRow>,
): Promise<PlannedChunk[]> {
  await env.checkNetwork()
  const fee = await readFeeBidStroops(env.horizon)
  if (fee > env.config.maxFeePerOpStroops) {
    throw new CsError(
      'FEE_CAP_EXCEEDED',
      `Stellar ${env.network} fees are ${fee} stroops per operation now, above your cap of ${env.config.maxFeePerOpStroops} — nothing was signed; wait for fees to fall or raise the cap.`,
    )
  }
  const destinations = await readDestinations(
    env,
    groups.flatMap((g) => g.payouts),
  )
  return groups.map((g) => ({
    chunkIndex: g.chunkIndex,
    assetId: g.payouts[0]!.asset_id,
    payoutIds: g.payouts.map((p) => p.id),
    prepared: {
      feePerOp: fee.toString(),
      memo: stellarMemoOf(g.payouts),
      ops: g.payouts.map((p) => operationFor(env, assets, p, destinations)),
    } satisfies StellarPrepared,
  }))
}

/** Which destinations exist (one request each, deduplicated). */
async function readDestinations(env: StellarRailEnv, payouts: readonly PayoutRow[]): Promise<Map<string, HorizonAccount | null>> {
  const out = new Map<string, HorizonAccount | null>()
  for (const id of new Set(payouts.map((p) => p.recipient))) out.set(id, await env.horizon.account(id))
  return out
}

function operationFor(
  env: StellarRailEnv,
  assets: ReadonlyMap<string, AssetRow>,
  payout: PayoutRow,
  destinations: ReadonlyMap<string, HorizonAccount | null>,
): StellarPrepared['ops'][number] {
  const asset = stellarAssetRow(env, assets, payout.asset_id)
  if (destinations.get(payout.recipient) !== null) return 'payment'
  if (asset.issuer === null && env.config.allowCreateAccount) return 'create_account'
  // Pre-flight reports this per payee before approval; this is the last line before signing.
  throw new CsError('STELLAR_NO_DESTINATION', describeOperationFailure('op_no_destination', payout.recipient, asset.code).sentence)
}
