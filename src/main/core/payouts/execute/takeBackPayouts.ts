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

const CARRIED_SQL = `SELECT p.id AS id, p.submission_id AS submissionId, p.state AS state
  FROM submission_payouts sp JOIN payouts p ON p.id = sp.payout_id
  WHERE sp.submission_id = ? ORDER BY sp.idx`

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

function carriedBy(ctx: CoreContext, landed: SubmissionRow): Carried[] {
  return ctx.db.prepare(CARRIED_SQL).all(landed.id) as Carried[]
}

/** Whether a payout of this submission is confirmed under another submission (its reorg not yet applied). */
export function paidElsewhere(ctx: CoreContext, landed: SubmissionRow): boolean {
  return carriedBy(ctx, landed).some((p) => p.state === 'confirmed' && p.submissionId !== landed.id)
}

export function takeBackPayouts(ctx: CoreContext, rail: Rail, landed: SubmissionRow): TakenBackPayout[] {
  invariant(ctx.db.sqlite.inTransaction, 'payouts are taken back inside the transaction that confirms their submission')
  invariant(!paidElsewhere(ctx, landed), () => `submission ${landed.id} landed while its payouts are confirmed elsewhere`)
  const now = ctx.clock.now().toISOString()
  const taken = carriedBy(ctx, landed).filter((p) => p.submissionId !== landed.id)
  for (const p of taken) {
    ctx.db.run(
      ctx.db.k
        .updateTable('payouts')
        .set({ submission_id: landed.id, attempt: landed.attempt, updated_at: now })
        .where('id', '=', p.id)
        .where('state', '=', p.state),
    )
  }
  const losers = new Set(taken.map((p) => p.submissionId).filter((id): id is string => id !== null))
  for (const id of losers) supersedeIfPlanned(ctx, rail, landed, getSubmission(ctx, id))
  return taken.map((p) => ({ payoutId: p.id, from: p.submissionId, state: p.state }))
}

function supersedeIfPlanned(ctx: CoreContext, rail: Rail, landed: SubmissionRow, later: SubmissionRow): void {
  if (later.state !== 'planned' || laterSignedOf(ctx, later).length > 0) return
  const message = `Not needed: attempt ${landed.attempt} of this chunk (${landed.tx_hash}), declared dead, landed after all and paid its payouts.`
  cancelPlannedSubmission(ctx, rail, SYSTEM_ACTOR, later, {
    code: 'SUPERSEDED',
    message,
    floor: null,
    details: { supersededBy: landed.id },
  })
}
