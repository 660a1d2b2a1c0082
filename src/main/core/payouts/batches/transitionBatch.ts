/**
 * The one way a batch changes state. Checks BATCH_TRANSITIONS, writes state + updated_at, and
 * appends the audit row with the actor in the same transaction. Every caller — edits, submit,
 * approve, reject, cancel, and the execution engine — goes through here.
 *
 * Events: when this call is the outermost transaction it emits `batches.changed` after commit
 * itself. Called inside a caller's own `ctx.db.tx`, it cannot know when that commits, so the
 * caller emits (`emitBatchChanged`) after its transaction returns.
 */
import { CsError } from '../../../../shared/errors'
import { BATCH_TRANSITIONS, canTransition, type BatchState } from '../../../../shared/payoutStates'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import { batchStateOf, getBatchRow } from './readBatch'
import { unreachable } from '../../util/invariant'

export interface TransitionBatchParameters {
  /** Why, for the audit log and people: 'submitted', 'approved', 'rejected', 'edited', 'cancelled', … */
  reason: string
  /** Refuse unless the batch is at this version (approvals are for one version). */
  expectVersion?: number | undefined
  /** Bump the version in the same write (an edit or a rejection voids earlier approvals). */
  bumpVersion?: boolean | undefined
  /** Anything else worth keeping in the audit row (JSON-able; amounts as strings). */
  details?: Record<string, unknown> | undefined
}

export interface TransitionBatchReturnType {
  batchId: string
  from: BatchState
  to: BatchState
  version: number
}

export async function transitionBatch(
  ctx: CoreContext,
  actorId: Actor,
  batchId: string,
  to: BatchState,
  params: TransitionBatchParameters,
): Promise<TransitionBatchReturnType> {
  const outermost = !ctx.db.inTransaction()
  const out = await ctx.db.tx(async () => {
    const row = await getBatchRow(ctx, batchId)
    const from = batchStateOf(row)
    if (params.expectVersion !== undefined && row.version !== params.expectVersion) {
      throw new CsError(
        'BATCH_STALE',
        `Batch "${row.name}" changed since you read it (now version ${row.version}, you had ${params.expectVersion}) — reload it and try again.`,
      )
    }
    if (!canTransition(BATCH_TRANSITIONS, from, to)) throw illegalTransition(row.name, from, to)
    const version = params.bumpVersion ? row.version + 1 : row.version
    const now = ctx.clock.now().toISOString()
    const result = await ctx.db.run(
      ctx.db.k
        .updateTable('batches')
        .set({ state: to, version, updated_at: now })
        .where('id', '=', batchId)
        .where('state', '=', from)
        .where('version', '=', row.version),
    )
    if (result.changes !== 1) unreachable(`batch ${batchId} changed inside its own transaction`)
    await appendAudit(ctx, {
      actor: actorId,
      action: 'batches.transition',
      subject: `batch:${batchId}`,
      change: { from, to, reason: params.reason, version, ...(params.details ?? {}) },
    })
    return { batchId, from, to, version }
  })
  if (outermost) emitBatchChanged(ctx, batchId)
  return out
}

export function emitBatchChanged(ctx: CoreContext, batchId: string): void {
  ctx.events.emit('batches.changed', { batchId })
}

const STATE_WORDS: Record<BatchState, string> = {
  draft: 'a draft',
  awaiting_approval: 'awaiting approval',
  approved: 'approved',
  executing: 'executing',
  completed: 'completed',
  partially_failed: 'partially failed',
  failed: 'failed',
  cancelled: 'cancelled',
}

export function describeState(state: BatchState): string {
  return STATE_WORDS[state]
}

function illegalTransition(name: string, from: BatchState, to: BatchState): CsError {
  const next = BATCH_TRANSITIONS[from]
  const hint =
    next.length === 0 ? 'nothing more can happen to it' : `from here it can only become ${next.map((s) => describeState(s)).join(' or ')}`
  return new CsError('BATCH_STATE', `Batch "${name}" is ${describeState(from)}, so it cannot become ${describeState(to)} — ${hint}.`)
}

/** BATCH_STATE unless the batch is in one of `states` (for operations that are not transitions). */
export function requireBatchState(name: string, state: BatchState, states: readonly BatchState[], what: string): void {
  if (!states.includes(state)) {
    throw new CsError(
      'BATCH_STATE',
      `Batch "${name}" is ${describeState(state)}, so you cannot ${what} — that is possible only while it is ${states.map(describeState).join(' or ')}.`,
    )
  }
}
