/**
 * A new attempt for the payouts whose last submission failed (landed and reverted) or is
 * provably dead — and only those. Each failed chunk is retried as the same chunk: the same
 * payouts in the same order under the same identity (EVM: its batchRef), with the nonce the
 * engine reserves now (reserveNonce.ts: a Stellar sequence that expired unused is used again)
 * and fresh fees, so the rail's replay guard lets at most one attempt of a chunk ever pay.
 * Confirmed payouts and chunks still in flight are never touched.
 */
import { CsError } from '../../../../shared/errors'
import type { Actor, CoreContext } from '../../context'
import type { AssetRow, PayoutRow, SubmissionRow } from '../../db/schema'
import type { PlannedChunk, Rail } from '../../rails/Rail'
import { getBatchRow } from '../batches/readBatch'
import { inChunks } from '../inChunks'
import { emitBatchChanged, transitionBatch } from '../batches/transitionBatch'
import type { ExecuteDeps, ExecuteOptions } from './executeDeps'
import { payoutsOfSubmission, plannedSubmissions } from './executionStore'
import { planSubmissions } from './planSubmissions'
import { assertBatchApprovalsVerified } from '../approvals/verifyBatchApprovals'
import { assetsById } from './railViews'
import { notConfigured, signAndBroadcast, type SignAndBroadcastResult } from './signAndBroadcast'

export interface RetryFailedReturnType extends SignAndBroadcastResult {
  batchId: string
  chunks: number
  payouts: number
}

interface RetryChunk {
  last: SubmissionRow
  payouts: PayoutRow[]
}

/** Chunks whose latest attempt is failed or dead and all of whose payouts are failed under it. */
async function retryableChunks(ctx: CoreContext, batchId: string): Promise<RetryChunk[]> {
  const subs = await ctx.db.all(
    ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId).orderBy('chunk_index').orderBy('attempt'),
  )
  const last = new Map<number, SubmissionRow>()
  for (const s of subs) last.set(s.chunk_index, s)
  const out: RetryChunk[] = []
  for (const s of last.values()) {
    if (s.state !== 'failed' && s.state !== 'dead') continue
    const payouts = await payoutsOfSubmission(ctx, s.id)
    if (payouts.every((p) => p.state === 'failed' && p.submission_id === s.id)) out.push({ last: s, payouts })
  }
  return out
}

interface RetryPlan {
  rail: Rail
  planned: PlannedChunk[]
  nonceFloor: bigint | null
}

/** The same chunks prepared again by their rails, and the assets they are in. */
async function prepareRetries(
  ctx: CoreContext,
  deps: ExecuteDeps,
  batchId: string,
  chunks: readonly RetryChunk[],
): Promise<{ plans: RetryPlan[]; assets: Map<string, AssetRow> }> {
  const byRail = new Map<string, { rail: Rail; chunks: RetryChunk[] }>()
  for (const c of chunks) {
    const rail = deps.rails.get(c.last.rail, c.last.network)
    if (!rail) throw notConfigured(c.last)
    const key = `${c.last.rail}:${c.last.network}`
    const g = byRail.get(key) ?? { rail, chunks: [] }
    g.chunks.push(c)
    byRail.set(key, g)
  }
  const assets = await assetsById(ctx, [
    ...chunks.flatMap((c) => c.payouts.map((p) => p.asset_id)),
    ...[...byRail.values()].map((g) => g.rail.feeAssetId),
  ])
  const plans: RetryPlan[] = []
  for (const { rail, chunks: list } of byRail.values()) {
    const planned = await rail.prepare({
      batchId,
      chunks: list.map((c) => ({ chunkIndex: c.last.chunk_index, payouts: c.payouts })),
      assets,
    })
    plans.push({ rail, planned, nonceFloor: await rail.nonceFloor(rail.source.address) })
  }
  return { plans, assets }
}

export async function retryFailed(
  ctx: CoreContext,
  deps: ExecuteDeps,
  batchId: string,
  actorId: Actor,
  options: ExecuteOptions = {},
): Promise<RetryFailedReturnType> {
  const batch = await getBatchRow(ctx, batchId)
  if (batch.state !== 'partially_failed' && batch.state !== 'failed') {
    throw new CsError(
      'EXECUTION_STATE',
      `Batch "${batch.name}" is ${batch.state.replace('_', ' ')} — only a failed or partially failed batch can retry its failed payouts.`,
    )
  }
  const chunks = await retryableChunks(ctx, batchId)
  if (chunks.length === 0) throw new CsError('EXECUTION_STATE', `Batch "${batch.name}" has no failed payouts to retry.`)
  await assertBatchApprovalsVerified(ctx, batchId, actorId)

  // Network, no writes: fresh fees and estimates for the same chunks, and each rail's nonce floor.
  const { plans, assets } = await prepareRetries(ctx, deps, batchId, chunks)
  const attemptOf = new Map(chunks.map((c) => [c.last.chunk_index, c.last.attempt + 1]))
  const payoutCount = chunks.reduce((n, c) => n + c.payouts.length, 0)
  await ctx.db.tx(async () => {
    // Re-check under the lock: nothing moved since we read it.
    const again = await retryableChunks(ctx, batchId)
    if (again.length !== chunks.length || again.some((c, i) => c.last.id !== chunks[i]!.last.id)) {
      throw new CsError('BATCH_STALE', `Batch "${batch.name}" changed while the retry was prepared — reload it and try again.`)
    }
    await transitionBatch(ctx, actorId, batchId, 'executing', {
      reason: 'retry failed payouts',
      details: { chunks: chunks.length, payouts: payoutCount },
    })
    const now = ctx.clock.now().toISOString()
    const byId = new Map<string, PayoutRow>()
    for (const c of chunks) for (const p of c.payouts) byId.set(p.id, p)
    for (const ids of inChunks([...byId.keys()])) {
      await ctx.db.run(
        ctx.db.k.updateTable('payouts').set({ state: 'pending', updated_at: now }).where('id', 'in', ids).where('state', '=', 'failed'),
      )
    }
    for (const { rail, planned, nonceFloor } of plans) {
      await planSubmissions(ctx, actorId, {
        rail,
        batchId,
        chunks: planned,
        payouts: byId,
        assets,
        nonceFloor,
        attemptOf: (i) => attemptOf.get(i)!,
      })
    }
  })
  emitBatchChanged(ctx, batchId)
  ctx.events.emit('payouts.changed', { batchIds: [batchId] })
  const result = await signAndBroadcast(ctx, deps, actorId, await plannedSubmissions(ctx, batchId), options)
  return { batchId, chunks: chunks.length, payouts: payoutCount, ...result }
}
