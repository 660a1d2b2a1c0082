/**
 * A transaction declared dead that lands after all takes its payouts back, inside the
 * transaction that confirms it (applyVerdict). It was declared dead when another transaction had
 * used its nonce at confirmationsMin depth; a deeper reorg took that one away and its own bytes
 * were mined. Meanwhile its payouts may have been retried as a later attempt of the same chunk,
 * which now carries them (payouts.submission_id). The chunk's identity (EVM: the batchRef) lets
 * one attempt pay, ever — so the one that landed is the one that paid, and:
 *
 * - each payout points back at it (submission_id, attempt), whatever the later attempt did;
 * - a later attempt still PLANNED is no longer needed: it is taken out like a cancelled one
 *   (SUPERSEDED; its nonce closed up by the later planned ones), unless a later transaction of
 *   its source is already signed — then it stays planned, and if it is ever signed it reverts on
 *   the chunk's identity, paying nothing but its fee;
 * - a later attempt in flight (signed / broadcast) is left alone: it reverts the same way
 *   (BatchRefUsed), its fee is booked as a failed fee, and the payouts stay where they are.
 *
 * Everything is audited in the same transaction: the take-back in the confirmed submission's
 * audit row (the caller), the superseded attempt in its own.
 */
import { SYSTEM_ACTOR, type CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import type { Rail } from '../../rails/Rail'
import { invariant } from '../../util/invariant'
import { cancelPlannedSubmission, laterSignedOf } from './cancelPlannedSubmission'
import { getSubmission } from './executionStore'

interface Carried {
  id: string
  submissionId: string | null
  state: string
}

export interface TakenBackPayout {
  payoutId: string
  /** The later attempt that carried it, and the state it was in there. */
  from: string | null
  state: string
}

/** The payouts this submission was planned with, in its order, and who carries each now. */
async function carriedBy(ctx: CoreContext, landed: SubmissionRow): Promise<Carried[]> {
  return await ctx.db.all(
    ctx.db.k
      .selectFrom('submission_payouts as sp')
      .innerJoin('payouts as p', 'p.id', 'sp.payout_id')
      .select(['p.id as id', 'p.submission_id as submissionId', 'p.state as state'])
      .where('sp.submission_id', '=', landed.id)
      .orderBy('sp.idx'),
  )
}

/** Whether a payout of this submission is confirmed under another submission (its reorg not yet applied). */
export async function paidElsewhere(ctx: CoreContext, landed: SubmissionRow): Promise<boolean> {
  return (await carriedBy(ctx, landed)).some((p) => p.state === 'confirmed' && p.submissionId !== landed.id)
}

export async function takeBackPayouts(ctx: CoreContext, rail: Rail, landed: SubmissionRow): Promise<TakenBackPayout[]> {
  invariant(ctx.db.inTransaction(), 'payouts are taken back inside the transaction that confirms their submission')
  invariant(!(await paidElsewhere(ctx, landed)), () => `submission ${landed.id} landed while its payouts are confirmed elsewhere`)
  const now = ctx.clock.now().toISOString()
  const taken = (await carriedBy(ctx, landed)).filter((p) => p.submissionId !== landed.id)
  for (const p of taken) {
    await ctx.db.run(
      ctx.db.k
        .updateTable('payouts')
        .set({ submission_id: landed.id, attempt: landed.attempt, updated_at: now })
        .where('id', '=', p.id)
        .where('state', '=', p.state),
    )
  }
  const losers = new Set(taken.map((p) => p.submissionId).filter((id): id is string => id !== null))
  for (const id of losers) await supersedeIfPlanned(ctx, rail, landed, await getSubmission(ctx, id))
  return taken.map((p) => ({ payoutId: p.id, from: p.submissionId, state: p.state }))
}

async function supersedeIfPlanned(ctx: CoreContext, rail: Rail, landed: SubmissionRow, later: SubmissionRow): Promise<void> {
  if (later.state !== 'planned' || (await laterSignedOf(ctx, later)).length > 0) return
  const message = `Not needed: attempt ${landed.attempt} of this chunk (${landed.tx_hash}), declared dead, landed after all and paid its payouts.`
  await cancelPlannedSubmission(ctx, rail, SYSTEM_ACTOR, later, {
    code: 'SUPERSEDED',
    message,
    floor: null,
    details: { supersededBy: landed.id },
  })
}
