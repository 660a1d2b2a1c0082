/**
 * Takes one PLANNED submission out of the way, inside the caller's db.tx: planned -> dead, its
 * payouts -> failed, and its nonce given back by renumbering every later planned submission of
 * the same rail + network + source down over it, so no nonce gap is left for later transactions
 * to wait behind forever. Then the batch finishes if nothing of it is left in flight.
 *
 * Only a planned submission may be taken out this way: it was never signed, so no bytes with its
 * nonce exist outside, and its nonce can be given to another transaction. The same holds for the
 * later ones that move: renumbering is allowed only while each of them is planned too — a later
 * one already signed (or landed) fixes its nonce, the gap can then not close, and the caller must
 * not cancel (`laterSignedOf`).
 *
 * Two callers: cancelSubmission (a person cancels a chunk the device refused) and the late landing
 * of a dead transaction (applyVerdict), whose planned retry is no longer needed.
 */
import { parseMinor } from '../../../../shared/money'
import type { BatchState } from '../../../../shared/payoutStates'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import { isDeviceRail, type Rail } from '../../rails/Rail'
import { invariant } from '../../util/invariant'
import { moveSubmission, movePayoutsOf } from './executionStore'
import { finishBatchIfDone } from './finishBatch'
import { railSubmissionOf } from './railViews'
import { freeNonces } from './reserveNonce'

export interface CancelPlannedInput {
  /** failure_code of the submission and its payouts: CANCELLED, SUPERSEDED. */
  code: string
  /** failure_message of the submission and its payouts: who or what took it out, and what follows. */
  message: string
  /**
   * rail.nonceFloor(source) read before the transaction, or null when not read. The later ones
   * start at max(freed nonce, floor): a floor above the freed nonce means another transaction of
   * the same key already took it, and the later ones would otherwise wait on a used nonce.
   */
  floor: bigint | null
  /** More for the audit row of the cancelled submission. */
  details?: Record<string, unknown>
}

export interface RenumberedSubmission {
  id: string
  batchId: string
  fromNonce: string
  toNonce: string
}

export interface CancelPlannedResult {
  /** The payouts the submission carried, now failed with `code`. */
  payoutIds: string[]
  renumbered: RenumberedSubmission[]
  /** The batch's end state when this finished it, else null. */
  finished: BatchState | null
}

/** Later submissions of the same source that are no longer planned: while any exists, the gap cannot close. */
export async function laterSignedOf(ctx: CoreContext, sub: SubmissionRow): Promise<SubmissionRow[]> {
  if (sub.nonce === null) return []
  const freed = parseMinor(sub.nonce)
  return (await laterLive(ctx, sub)).filter((s) => parseMinor(s.nonce!) > freed && s.state !== 'planned')
}

export async function cancelPlannedSubmission(
  ctx: CoreContext,
  rail: Rail,
  actor: Actor,
  sub: SubmissionRow,
  input: CancelPlannedInput,
): Promise<CancelPlannedResult> {
  invariant(ctx.db.inTransaction(), 'a submission is cancelled inside the transaction that closes its nonce gap')
  invariant(sub.state === 'planned', () => `cancel of a ${sub.state} submission ${sub.id}`)
  invariant((await laterSignedOf(ctx, sub)).length === 0, () => `cancel of ${sub.id} with a later signed submission of its source`)
  const payoutIds = (
    await ctx.db.all(ctx.db.k.selectFrom('payouts').select('id').where('submission_id', '=', sub.id).orderBy('row_no'))
  ).map((p) => p.id)
  const moved = await moveSubmission(
    ctx,
    actor,
    sub,
    'dead',
    { failure_code: input.code, failure_message: input.message },
    { reason: input.message, code: input.code, nonceFreed: sub.nonce, payouts: payoutIds, ...input.details },
  )
  invariant(moved, () => `submission ${sub.id} moved while it was being cancelled`)
  await movePayoutsOf(ctx, sub.id, 'failed', { failure_code: input.code, failure_message: input.message })
  const renumbered = sub.nonce === null ? [] : await closeNonceGap(ctx, rail, actor, sub, input.floor)
  return { payoutIds, renumbered, finished: await finishBatchIfDone(ctx, sub.batch_id) }
}

/** Live submissions of the same source other than `sub`, any nonce (dead ones hold none: reserveNonce.ts); callers keep the higher ones. */
async function laterLive(ctx: CoreContext, sub: SubmissionRow): Promise<SubmissionRow[]> {
  return await ctx.db.all(
    ctx.db.k
      .selectFrom('submissions')
      .selectAll()
      .where('rail', '=', sub.rail)
      .where('network', '=', sub.network)
      .where('source', '=', sub.source)
      .where('nonce', 'is not', null)
      .where('state', '<>', 'dead')
      .where('id', '<>', sub.id),
  )
}

/** Every later planned submission of the source, in nonce order, onto the lowest free nonces from the freed one. */
async function closeNonceGap(
  ctx: CoreContext,
  rail: Rail,
  actor: Actor,
  cancelled: SubmissionRow,
  floor: bigint | null,
): Promise<RenumberedSubmission[]> {
  const freed = parseMinor(cancelled.nonce!)
  const later = (await laterLive(ctx, cancelled))
    .map((s) => ({ s, held: parseMinor(s.nonce!) }))
    .filter((x) => x.held > freed)
    .sort((a, b) => (a.held < b.held ? -1 : a.held > b.held ? 1 : 0))
  if (later.length === 0) return []
  invariant(isDeviceRail(rail), () => `rail ${rail.rail}:${rail.network} holds nonces but cannot renumber`)
  const now = ctx.clock.now()
  // The lowest free nonces from the freed one (or the floor, when another transaction of the key
  // already took it): an escrow transaction of the same source may hold one in between.
  const start = floor !== null && floor > freed ? floor : freed
  const key = { rail: cancelled.rail, network: cancelled.network, source: cancelled.source }
  const targets = await freeNonces(ctx, key, start, later.length, new Set(later.map((x) => x.s.id)))
  const out: RenumberedSubmission[] = []
  for (const [i, { s, held }] of later.entries()) {
    invariant(s.state === 'planned', () => `renumber of a ${s.state} submission ${s.id}`)
    const nonce = targets[i]!
    if (held === nonce) continue
    const built = rail.renumber(await railSubmissionOf(ctx, s), nonce, now)
    invariant(
      built.idempotencyKey === s.idempotency_key && built.source === s.source,
      () => `rail ${rail.rail}:${rail.network} changed more than the nonce of ${s.id}`,
    )
    const result = await ctx.db.run(
      ctx.db.k
        .updateTable('submissions')
        .set({ nonce: nonce.toString(), unsigned_payload: built.unsignedPayload, fee_cap: built.feeCap, updated_at: now.toISOString() })
        .where('id', '=', s.id)
        .where('state', '=', 'planned'),
    )
    invariant(result.changes === 1, () => `submission ${s.id} moved while its nonce was being renumbered`)
    await appendAudit(ctx, {
      actor,
      action: 'payouts.submission.renumbered',
      subject: `submission:${s.id}`,
      change: { batchId: s.batch_id, chunk: s.chunk_index, attempt: s.attempt, from: s.nonce, to: nonce.toString(), freedBy: cancelled.id },
    })
    out.push({ id: s.id, batchId: s.batch_id, fromNonce: s.nonce!, toNonce: nonce.toString() })
  }
  return out
}
