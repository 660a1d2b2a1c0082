/**
 * Executes an approved batch: approved -> executing (audited), every chunk planned in ONE
 * transaction (payouts -> planned, submissions with their reserved nonces), then chunk by chunk:
 * device prompt, commit the signature, broadcast. Confirmation and booking are the poller's
 * (the confirm tasks); the batch completes there.
 *
 * Network and device calls happen between transactions, never inside one. Everything that talks
 * to the network before the planning transaction (gas estimates, fees, the contract check, the
 * fee cap, each rail's nonce floor) writes nothing, so a refusal there leaves the batch approved
 * and untouched.
 */
import { CsError } from '../../../../shared/errors'
import type { Actor, CoreContext } from '../../context'
import type { AssetRow, BatchRow, PayoutRow } from '../../db/schema'
import { isDeviceRail, type PlannedChunk, type Rail, type RailRegistry } from '../../rails/Rail'
import type { Signer } from '../../signing/Signer'
import { assertSignerAddressVerified } from '../../signing/verifySignerAddress'
import { crashPoint } from '../../util/crashPoint'
import { invariant } from '../../util/invariant'
import { getBatchRow } from '../batches/readBatch'
import { emitBatchChanged, transitionBatch } from '../batches/transitionBatch'
import { reportProgress, type ExecuteDeps, type ExecuteOptions, type ExecuteProgress } from './executeDeps'
import { plannedSubmissions } from './executionStore'
import { planSubmissions } from './planSubmissions'
import { assertBatchApprovalsVerified } from '../approvals/verifyBatchApprovals'
import { assetsById } from './railViews'
import { notConfigured, signAndBroadcast, type SignAndBroadcastResult } from './signAndBroadcast'
import { requireTreasuryAccount } from './treasuryAccount'

export interface ExecuteBatchReturnType extends SignAndBroadcastResult {
  batchId: string
  chunks: number
}

/** The payouts of one rail + network. */
interface RailGroup {
  rail: Rail
  payouts: PayoutRow[]
}

/** What the network said for one rail + network before the planning transaction. */
interface RailPlan {
  rail: Rail
  chunks: PlannedChunk[]
  nonceFloor: bigint | null
}

export async function executeBatch(
  ctx: CoreContext,
  deps: ExecuteDeps,
  batchId: string,
  actorId: Actor,
  options: ExecuteOptions = {},
): Promise<ExecuteBatchReturnType> {
  const batch = await getBatchRow(ctx, batchId)
  const payouts = await approvedPayouts(ctx, batch)
  // The approvals are signatures over what is stored now; nothing is planned if they do not verify.
  await assertBatchApprovalsVerified(ctx, batchId, actorId)
  // Refuse early what cannot be executed or booked.
  const groups = groupByRail(deps.rails, payouts)
  for (const { rail, payouts: list } of groups) {
    for (const assetId of new Set([...list.map((p) => p.asset_id), rail.feeAssetId]))
      await requireTreasuryAccount(ctx, assetId, rail.source.address)
  }
  if (deps.signer) await assertDeviceHoldsSources(ctx, deps.signer, groups)

  // Network, no writes: chunking, gas, fees, the contract check, the fee cap, the nonce floor.
  const assets = await assetsById(ctx, [...payouts.map((p) => p.asset_id), ...groups.map((g) => g.rail.feeAssetId)])
  const plans: RailPlan[] = []
  let chunkIndex = 0
  for (const { rail, payouts: list } of groups) {
    const chunks = await rail.plan({ batchId, payouts: list, assets, chunkIndexStart: chunkIndex })
    chunkIndex += chunks.length
    plans.push({ rail, chunks, nonceFloor: await rail.nonceFloor(rail.source.address) })
  }

  await commitPlan(ctx, actorId, batch, plans, payouts, assets)
  crashPoint('after-plan')
  emitBatchChanged(ctx, batchId)
  ctx.events.emit('payouts.changed', { batchIds: [batchId] })
  reportProgress(options, plannedProgress(plans, payouts.length, chunkIndex, options))

  if (options.external) return { batchId, chunks: chunkIndex, signed: 0, broadcast: 0, dead: 0, undelivered: 0 }
  const result = await signAndBroadcast(ctx, deps, actorId, await plannedSubmissions(ctx, batchId), options)
  return { batchId, chunks: chunkIndex, ...result }
}

async function approvedPayouts(ctx: CoreContext, batch: BatchRow): Promise<PayoutRow[]> {
  if (batch.state !== 'approved') {
    throw new CsError(
      'EXECUTION_STATE',
      `Batch "${batch.name}" is ${batch.state.replace('_', ' ')}, not approved — only an approved batch can be executed.`,
    )
  }
  const payouts = await ctx.db.all(ctx.db.k.selectFrom('payouts').selectAll().where('batch_id', '=', batch.id).orderBy('row_no'))
  if (payouts.length === 0) throw new CsError('EXECUTION_STATE', `Batch "${batch.name}" has no payouts to execute.`)
  const notPending = payouts.find((p) => p.state !== 'pending')
  invariant(notPending === undefined, () => `approved batch ${batch.id} has payout ${notPending!.id} in state ${notPending!.state}`)
  return payouts
}

/** Payouts by rail + network, in first-seen row order; RAIL_NOT_CONFIGURED for one without a rail. */
function groupByRail(rails: RailRegistry, payouts: readonly PayoutRow[]): RailGroup[] {
  const groups = new Map<string, RailGroup>()
  for (const p of payouts) {
    const rail = rails.get(p.rail, p.network)
    if (!rail) throw notConfigured(p)
    const key = `${p.rail}:${p.network}`
    const g = groups.get(key) ?? { rail, payouts: [] }
    g.payouts.push(p)
    groups.set(key, g)
  }
  return [...groups.values()]
}

/**
 * The device must hold each treasury key before anything is planned (no prompt), and the treasury
 * address must have been verified on it (Settings → Signers) before it first pays.
 */
async function assertDeviceHoldsSources(ctx: CoreContext, signer: Signer, groups: readonly RailGroup[]): Promise<void> {
  for (const { rail } of groups) {
    if (!isDeviceRail(rail)) continue
    const chain = rail.capabilities.signer
    if (rail.capabilities.verifiesSourceAddress) await assertSignerAddressVerified(ctx, chain, rail.source.address)
    const account = await signer.getAccount(chain, rail.source.path)
    if (account.address.toLowerCase() !== rail.source.address.toLowerCase()) {
      throw new CsError(
        'DEVICE_ADDRESS_MISMATCH',
        `The connected Ledger derives ${account.address} at ${rail.source.path}, not the treasury ${rail.source.address} — connect the treasury's Ledger; nothing was signed.`,
      )
    }
  }
}

/** One transaction: executing + every submission planned with its nonce reserved. */
async function commitPlan(
  ctx: CoreContext,
  actorId: Actor,
  batch: BatchRow,
  plans: readonly RailPlan[],
  payouts: readonly PayoutRow[],
  assets: ReadonlyMap<string, AssetRow>,
): Promise<void> {
  const byId = new Map(payouts.map((p) => [p.id, p]))
  const chunks = plans.reduce((n, p) => n + p.chunks.length, 0)
  await ctx.db.tx(async () => {
    const fresh = await getBatchRow(ctx, batch.id)
    if (fresh.state !== 'approved' || fresh.version !== batch.version) {
      throw new CsError('BATCH_STALE', `Batch "${batch.name}" changed while it was being prepared — reload it and execute again.`)
    }
    await transitionBatch(ctx, actorId, batch.id, 'executing', {
      reason: 'execution started',
      details: { chunks, payouts: payouts.length },
    })
    for (const { rail, chunks: planned, nonceFloor } of plans) {
      await planSubmissions(ctx, actorId, {
        rail,
        batchId: batch.id,
        chunks: planned,
        payouts: byId,
        assets,
        nonceFloor,
        attemptOf: () => 1,
      })
    }
  })
}

function plannedProgress(plans: readonly RailPlan[], payoutCount: number, chunks: number, options: ExecuteOptions): ExecuteProgress {
  const payoutsText = `${payoutCount} ${payoutCount === 1 ? 'payout' : 'payouts'}`
  const device = plans.find((p) => isDeviceRail(p.rail))
  const unit = (device ?? plans[0]!).rail.capabilities.unit
  const units = `${chunks} ${chunks === 1 ? unit.one : unit.other}`
  const message = device
    ? `${payoutsText} in ${units} — ${options.external ? 'export them and sign outside the app.' : `sign each on ${options.deviceName ?? 'your Ledger'}.`}`
    : `${payoutsText} as ${units}, each with its own idempotency key — nothing to sign on a device.`
  return { kind: 'planned', chunks, message }
}
