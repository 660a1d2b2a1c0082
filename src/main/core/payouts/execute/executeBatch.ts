/**
 * Executes an approved batch: approved -> executing (audited), every chunk planned in ONE
 * transaction (payouts -> planned, submissions + nonce reservations), then chunk by chunk:
 * device prompt, commit the signature, broadcast. Confirmation and booking are the poller's
 * (evm.confirm); the batch completes there.
 *
 * Network and device calls happen between transactions, never inside one. Everything that talks
 * to the network before the planning transaction (gas estimates, fees, the contract check, the
 * fee cap) writes nothing, so a refusal there leaves the batch approved and untouched.
 */
import { CsError } from '../../../../shared/errors'
import type { Actor, CoreContext } from '../../context'
import type { PayoutRow } from '../../db/schema'
import type { PlannedChunk, Rail } from '../../rails/Rail'
import { getBatchRow } from '../batches/readBatch'
import { assertSignerAddressVerified } from '../../signing/verifySignerAddress'
import { emitBatchChanged, transitionBatch } from '../batches/transitionBatch'
import { requireTreasuryAccount } from './bookSubmission'
import { crashPoint } from '../../util/crashPoint'
import { reportProgress, type ExecuteDeps, type ExecuteOptions } from './executeDeps'
import { plannedSubmissions } from './executionStore'
import { planSubmissions } from './planSubmissions'
import { notConfigured, signAndBroadcast, type SignAndBroadcastResult } from './signAndBroadcast'

export interface ExecuteBatchReturnType extends SignAndBroadcastResult {
  batchId: string
  chunks: number
}

export async function executeBatch(
  ctx: CoreContext,
  deps: ExecuteDeps,
  batchId: string,
  actorId: Actor,
  options: ExecuteOptions = {},
): Promise<ExecuteBatchReturnType> {
  const batch = getBatchRow(ctx, batchId)
  if (batch.state !== 'approved') {
    throw new CsError(
      'EXECUTION_STATE',
      `Batch "${batch.name}" is ${batch.state.replace('_', ' ')}, not approved — only an approved batch can be executed (an executing one resumes by itself).`,
    )
  }
  const payouts = ctx.db.all(ctx.db.k.selectFrom('payouts').selectAll().where('batch_id', '=', batchId).orderBy('row_no'))
  if (payouts.length === 0) throw new CsError('EXECUTION_STATE', `Batch "${batch.name}" has no payouts to execute.`)
  const notPending = payouts.find((p) => p.state !== 'pending')
  if (notPending) throw new Error(`invariant: approved batch ${batchId} has payout ${notPending.id} in state ${notPending.state}`)

  // Group by rail + network; refuse early what cannot be executed or booked.
  const groups = new Map<string, { rail: Rail; payouts: PayoutRow[] }>()
  for (const p of payouts) {
    const rail = deps.rails.get(p.rail, p.network)
    if (!rail) throw notConfigured(p)
    const key = `${p.rail}:${p.network}`
    const g = groups.get(key) ?? { rail, payouts: [] }
    g.payouts.push(p)
    groups.set(key, g)
  }
  for (const { rail, payouts: list } of groups.values()) {
    for (const assetId of new Set([...list.map((p) => p.asset_id), rail.feeAssetId]))
      requireTreasuryAccount(ctx, assetId, rail.source.address)
  }
  if (deps.signer) {
    // The device must hold the treasury key before anything is planned (no prompt), and the
    // treasury address must have been verified on it (Settings → Signers) before it first pays.
    for (const { rail } of groups.values()) {
      if (rail.rail === 'evm' || rail.rail === 'stellar') assertSignerAddressVerified(ctx, rail.rail, rail.source.address)
      if (rail.needsSigner === false) continue
      const account = await deps.signer.getAccount(rail.rail === 'evm' ? 'evm' : 'stellar', rail.source.path)
      if (account.address.toLowerCase() !== rail.source.address.toLowerCase()) {
        throw new CsError(
          'DEVICE_ADDRESS_MISMATCH',
          `The connected Ledger derives ${account.address} at ${rail.source.path}, not the treasury ${rail.source.address} — connect the treasury's Ledger; nothing was signed.`,
        )
      }
    }
  }

  // Network, no writes: chunking, gas, fees, the contract check and the fee cap.
  const plans: { rail: Rail; chunks: PlannedChunk[] }[] = []
  let chunkIndex = 0
  for (const { rail, payouts: list } of groups.values()) {
    const chunks = await rail.plan(ctx, batchId, list, chunkIndex)
    chunkIndex += chunks.length
    plans.push({ rail, chunks })
  }

  // One transaction: executing + every submission planned with its nonce reserved.
  const byId = new Map(payouts.map((p) => [p.id, p]))
  ctx.db.tx(() => {
    const fresh = getBatchRow(ctx, batchId)
    if (fresh.state !== 'approved' || fresh.version !== batch.version) {
      throw new CsError('BATCH_STALE', `Batch "${batch.name}" changed while it was being prepared — reload it and execute again.`)
    }
    transitionBatch(ctx, actorId, batchId, 'executing', {
      reason: 'execution started',
      details: { chunks: chunkIndex, payouts: payouts.length },
    })
    for (const { rail, chunks } of plans) planSubmissions(ctx, actorId, rail, batchId, chunks, byId, () => 1)
  })
  crashPoint('after-plan')
  emitBatchChanged(ctx, batchId)
  ctx.events.emit('payouts.changed', { batchIds: [batchId] })
  const deviceFree = plans.every(({ rail }) => rail.needsSigner === false)
  reportProgress(options, {
    kind: 'planned',
    chunks: chunkIndex,
    message: deviceFree
      ? `${payouts.length} ${payouts.length === 1 ? 'payout' : 'payouts'} as ${chunkIndex} ${chunkIndex === 1 ? 'transfer' : 'transfers'}, each with its own idempotency key — nothing to sign on a device.`
      : `${payouts.length} ${payouts.length === 1 ? 'payout' : 'payouts'} in ${chunkIndex} ${chunkIndex === 1 ? 'transaction' : 'transactions'} — ${
          options.external ? 'export them and sign outside the app.' : 'sign each on your Ledger.'
        }`,
  })

  if (options.external) return { batchId, chunks: chunkIndex, signed: 0, broadcast: 0, dead: 0, undelivered: 0 }
  const result = await signAndBroadcast(ctx, deps, actorId, plannedSubmissions(ctx, batchId), options)
  return { batchId, chunks: chunkIndex, ...result }
}
