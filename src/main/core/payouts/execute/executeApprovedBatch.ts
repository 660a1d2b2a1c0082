/**
 * batches.execute: the checks a person needs before anything reaches the device, then the
 * engine. In order: the batch is approved; every rail + network it pays on is configured; the
 * pre-flight checks and the daily limits pass again NOW (balances and policy may have moved
 * since approval); a signer is there. Then executeBatch in the core's execution lane, its
 * progress emitted as `execution.progress`. Returns once every chunk is signed and broadcast;
 * the poller confirms and books them.
 */
import { CsError } from '../../../../shared/errors'
import type { ExecuteResult, ExternalExportResult, ExternalImportResult } from '../../../../shared/payoutsApi'
import { exportPlanned, importSigned } from './externalSigning'
import type { Actor, CoreContext } from '../../context'
import { isDeviceRail, type RailRegistry } from '../../rails/Rail'
import { SANDBOX_SIGNER_LABEL } from '../../signing/signerSource'
import { preflightBatch } from '../batches/preflightBatch'
import { assertBatchApprovalsVerified } from '../approvals/verifyBatchApprovals'
import { batchStateOf, getBatchRow } from '../batches/readBatch'
import { signingStoppedOf } from '../batches/signingStopped'
import { signingStoppedSentence } from '../../../../shared/signingStoppedText'
import { assertDailyLimits } from '../policy/checkDailyLimits'
import type { ExecutionRuntime } from './createExecutionRuntime'
import type { ExecuteDeps, ExecuteOptions, ExecuteProgress } from './executeDeps'
import { executeBatch } from './executeBatch'
import { retryFailed } from './retryFailed'
import { plannedSubmissions } from './executionStore'
import { notConfigured, signAndBroadcast } from './signAndBroadcast'
import { startedBy, withBatchClaim, type ClaimCheck } from './claimBatch'

/** Pre-flight problems quoted in the refusal; the rest are counted. */
const PROBLEMS_QUOTED_MAX = 5

export type ExecuteApprovedBatchReturnType = ExecuteResult

export async function executeApprovedBatch(
  ctx: CoreContext,
  runtime: ExecutionRuntime,
  batchId: string,
  actorId: Actor,
  mode: { external?: boolean } = {},
): Promise<ExecuteResult> {
  // Read first, for the refusal's sentence: a batch whose signing stopped needs a signer to resume it.
  const row = await getBatchRow(ctx, batchId)
  const stopped = (await signingStoppedOf(ctx, [{ id: row.id, state: batchStateOf(row) }])).get(row.id) ?? null
  // The claim first: of two people pressing Execute at once, one goes on and the other is told who.
  const mustBeApproved: ClaimCheck = (b, holder) => {
    if (b.state === 'approved') return null
    if (b.state === 'executing') {
      return new CsError(
        'EXECUTION_STATE',
        stopped !== null
          ? signingStoppedSentence({ id: batchId, name: b.name }, stopped)
          : `Batch "${b.name}" is already executing${startedBy(holder)}: every transaction of it is signed and sent, and Countersign confirms them as they land — there is nothing to execute again.`,
        {
          details: { batchId, signingStopped: stopped },
          ...(stopped === null ? { cliHint: 'countersign poll --once confirms what has landed' } : {}),
        },
      )
    }
    return new CsError(
      'EXECUTION_STATE',
      `Batch "${b.name}" is ${b.state.replace('_', ' ')}, not approved${startedBy(holder)} — only an approved batch can be executed.`,
    )
  }
  return withBatchClaim(ctx, batchId, actorId, mode.external ? 'external' : 'execute', mustBeApproved, () =>
    executeClaimed(ctx, runtime, batchId, actorId, mode),
  )
}

async function executeClaimed(
  ctx: CoreContext,
  runtime: ExecutionRuntime,
  batchId: string,
  actorId: Actor,
  mode: { external?: boolean },
): Promise<ExecuteResult> {
  const batch = await getBatchRow(ctx, batchId)
  // First of all: the approvals are valid signatures over the batch as stored now.
  await assertBatchApprovalsVerified(ctx, batchId, actorId)
  // The rails of the configuration in force, once for the whole run (built on first use).
  const rails = await runtime.rails.load()
  await requireRails(ctx, rails, batchId)
  const preflight = await preflightBatch(ctx, batchId, rails)
  if (!preflight.ok) {
    const quoted = preflight.problems.slice(0, PROBLEMS_QUOTED_MAX).map((p) => p.message)
    const more = preflight.problems.length - quoted.length
    throw new CsError(
      'PREFLIGHT_FAILED',
      `Batch "${batch.name}" cannot be paid now: ${quoted.join('; ')}${more > 0 ? `; and ${more} more` : ''} — fix this, then execute again; nothing was signed.`,
      { details: { problems: preflight.problems } },
    )
  }
  await assertDailyLimits(ctx, batchId, 'execute it')
  // External signing plans without a device: the signatures come back in a file.
  const deps = mode.external ? { rails } : await depsFor(ctx, runtime, rails, batchId)
  const result = await runtime.exclusive(() =>
    executeBatch(ctx, deps, batchId, actorId, { ...progressTo(ctx, runtime, batchId), ...(mode.external ? { external: true } : {}) }),
  )
  return await toExecuteResult(ctx, batchId, result)
}

/** batches.external.export: plan an approved batch for external signing (or re-export an executing one's planned transactions). */
export async function exportForExternalSigning(
  ctx: CoreContext,
  runtime: ExecutionRuntime,
  batchId: string,
  actorId: Actor,
): Promise<ExternalExportResult> {
  if ((await getBatchRow(ctx, batchId)).state === 'approved') await executeApprovedBatch(ctx, runtime, batchId, actorId, { external: true })
  return await exportPlanned(ctx, { rails: await runtime.rails.load() }, batchId)
}

/** batches.external.import: in the execution lane, like every signing. */
export function importExternallySigned(
  ctx: CoreContext,
  runtime: ExecutionRuntime,
  batchId: string,
  actorId: Actor,
  content: string,
): Promise<ExternalImportResult> {
  return runtime.exclusive(async () => importSigned(ctx, { rails: await runtime.rails.load() }, batchId, actorId, content))
}

/** batches.retryFailed: the engine's retryFailed decides which chunks are provably dead or failed. */
export async function retryFailedBatch(
  ctx: CoreContext,
  runtime: ExecutionRuntime,
  batchId: string,
  actorId: Actor,
): Promise<ExecuteResult> {
  await getBatchRow(ctx, batchId)
  return withBatchClaim(
    ctx,
    batchId,
    actorId,
    'retry',
    () => null,
    async () => {
      const deps = await depsFor(ctx, runtime, await runtime.rails.load(), batchId)
      const result = await runtime.exclusive(() => retryFailed(ctx, deps, batchId, actorId, progressTo(ctx, runtime, batchId)))
      return await toExecuteResult(ctx, batchId, result)
    },
  )
}

/**
 * batches.resume: an executing batch whose signing stopped (the device was locked, rejected a
 * transaction, was unplugged…) continues with its PLANNED submissions only — each with the nonce
 * and content fixed at planning. Signed ones are never signed again; the poller confirms them.
 */
export async function resumeBatch(ctx: CoreContext, runtime: ExecutionRuntime, batchId: string, actorId: Actor): Promise<ExecuteResult> {
  const mustBeExecuting: ClaimCheck = (b) =>
    b.state === 'executing'
      ? null
      : new CsError(
          'EXECUTION_STATE',
          `Batch "${b.name}" is ${b.state.replace('_', ' ')} — only an executing batch can be resumed${b.state === 'approved' ? '; execute it instead' : ''}.`,
        )
  return withBatchClaim(ctx, batchId, actorId, 'resume', mustBeExecuting, () => resumeClaimed(ctx, runtime, batchId, actorId))
}

async function resumeClaimed(ctx: CoreContext, runtime: ExecutionRuntime, batchId: string, actorId: Actor): Promise<ExecuteResult> {
  const batch = await getBatchRow(ctx, batchId)
  const planned = await plannedSubmissions(ctx, batchId)
  if (planned.length === 0) {
    throw new CsError(
      'EXECUTION_STATE',
      `Every transaction of batch "${batch.name}" is already signed — nothing to resume; the payouts confirm as the network includes them.`,
    )
  }
  const rails = await runtime.rails.load()
  await requireRails(ctx, rails, batchId)
  const deps = await depsFor(ctx, runtime, rails, batchId)
  const result = await runtime.exclusive(async () =>
    signAndBroadcast(ctx, deps, actorId, await plannedSubmissions(ctx, batchId), progressTo(ctx, runtime, batchId)),
  )
  return await toExecuteResult(ctx, batchId, { chunks: planned.length, ...result })
}

async function toExecuteResult(
  ctx: CoreContext,
  batchId: string,
  result: { chunks: number; signed: number; broadcast: number; undelivered: number },
): Promise<ExecuteResult> {
  return {
    batchId,
    state: (await getBatchRow(ctx, batchId)).state as ExecuteResult['state'],
    chunks: result.chunks,
    signed: result.signed,
    broadcast: result.broadcast,
    undelivered: result.undelivered,
  }
}

/**
 * The signer only when a rail of this batch needs one: a Stripe-only batch executes with no
 * Ledger connected (API calls with our idempotency keys, nothing to sign).
 */
async function depsFor(ctx: CoreContext, runtime: ExecutionRuntime, rails: RailRegistry, batchId: string): Promise<ExecuteDeps> {
  const pairs = await ctx.db.all(ctx.db.k.selectFrom('payouts').select(['rail', 'network']).distinct().where('batch_id', '=', batchId))
  const deviceFree =
    pairs.length > 0 &&
    pairs.every((p) => {
      const rail = rails.get(p.rail, p.network)
      return rail !== undefined && !isDeviceRail(rail)
    })
  return deviceFree ? { rails } : runtime.depsWithSigner()
}

async function requireRails(ctx: CoreContext, rails: RailRegistry, batchId: string): Promise<void> {
  const pairs = await ctx.db.all(ctx.db.k.selectFrom('payouts').select(['rail', 'network']).distinct().where('batch_id', '=', batchId))
  for (const p of pairs) if (!rails.get(p.rail, p.network)) throw notConfigured(p)
}

/** Engine progress -> the `execution.progress` event; the sandbox's emulator is named as what it is. */
function progressTo(ctx: CoreContext, runtime: ExecutionRuntime, batchId: string): ExecuteOptions {
  return {
    ...(runtime.signerLabel === SANDBOX_SIGNER_LABEL ? { deviceName: `the ${SANDBOX_SIGNER_LABEL}` } : {}),
    onProgress: (p: ExecuteProgress) =>
      ctx.events.emit('execution.progress', {
        batchId,
        kind: p.kind,
        chunk: p.kind === 'planned' ? null : p.chunk,
        chunks: p.chunks,
        message: p.message,
      }),
  }
}
