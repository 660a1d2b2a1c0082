/**
 * batches.cancelSubmission: a signer or an admin cancels a transaction the device refused. Until
 * then it stays planned and holds its nonce, and no later transaction of the same source can be
 * mined past the gap. Cancelling it, in ONE transaction (cancelPlannedSubmission.ts): it goes
 * planned -> dead (CANCELLED, naming who), its payouts -> failed (CANCELLED: a retry pays them as
 * a new attempt, or they stay unpaid), every later planned transaction of its source is renumbered
 * down over the freed nonce, and the batch finishes if nothing of it is left in flight.
 *
 * Only a PLANNED submission can be cancelled — it was never signed, nothing outside knows its
 * bytes. A signed one is out of our hands (it confirms, or the network declares it dead). And
 * when a LATER transaction of the source is already signed, its nonce is fixed: the gap cannot
 * close, so the refusal says to sign the refused one after all.
 *
 * The network is read once, before the transaction: the source's nonce floor (a freed nonce that
 * another transaction of the same key already used must not be handed on). The caller runs this
 * in the execution lane, so no signing of the same submissions runs meanwhile in this process; a
 * signature made elsewhere from the old payload is never committed (signAndBroadcast checks).
 */
import { CsError } from '../../../../shared/errors'
import type { CancelSubmissionResult } from '../../../../shared/payoutsApi'
import type { BatchState, PayoutState, SubmissionState } from '../../../../shared/payoutStates'
import type { Operator } from '../../../../shared/workspaceApi'
import type { CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import type { RailRegistry } from '../../rails/Rail'
import { invariant } from '../../util/invariant'
import { getBatchRow } from '../batches/readBatch'
import { cancelPlannedSubmission, laterSignedOf, type CancelPlannedResult } from './cancelPlannedSubmission'
import { getSubmission } from './executionStore'
import { notConfigured } from './signAndBroadcast'

export const CANCELLED_FAILURE_CODE = 'CANCELLED'

export interface CancelSubmissionParameters {
  submissionId: string
}
export type CancelSubmissionReturnType = CancelSubmissionResult

export async function cancelSubmission(
  ctx: CoreContext,
  rails: RailRegistry,
  operator: Operator | null,
  input: CancelSubmissionParameters,
): Promise<CancelSubmissionResult> {
  const who = requireCanceller(operator)
  const seen = await assertCancellable(ctx, await readSubmission(ctx, input.submissionId))
  const rail = rails.get(seen.rail, seen.network)
  if (!rail) throw notConfigured(seen)
  // Network, no writes: where the source's next nonce stands now.
  const floor = seen.nonce === null ? null : await rail.nonceFloor(seen.source)
  const message = `Cancelled by ${who.name} before it was signed — its payouts were not paid; retry the failed payouts to pay them as a new attempt.`
  const result = await ctx.db.tx(async () => {
    const sub = await assertCancellable(ctx, await getSubmission(ctx, seen.id))
    return await cancelPlannedSubmission(ctx, rail, who.id, sub, {
      code: CANCELLED_FAILURE_CODE,
      message,
      floor,
      details: { by: who.name },
    })
  })
  const batches = new Set([seen.batch_id, ...result.renumbered.map((r) => r.batchId)])
  ctx.events.emit('payouts.changed', { batchIds: [...batches] })
  ctx.events.emit('batches.changed', { batchId: seen.batch_id })
  return await describeCancel(ctx, seen.id, result)
}

function requireCanceller(operator: Operator | null): Operator {
  if (!operator) {
    throw new CsError(
      'OPERATOR_REQUIRED',
      'Choose who you are before you cancel a transaction — pick your operator profile (CLI: --as NAME).',
    )
  }
  if (!operator.roles.includes('signer') && !operator.roles.includes('admin')) {
    throw new CsError(
      'ROLE_REQUIRED',
      `${operator.name} cannot cancel transactions: that needs the signer or admin role — ask an admin, or switch operator.`,
    )
  }
  return operator
}

async function readSubmission(ctx: CoreContext, id: string): Promise<SubmissionRow> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('submissions').selectAll().where('id', '=', id))
  if (!row) {
    throw new CsError(
      'SUBMISSION_NOT_FOUND',
      `There is no transaction ${id} — check the id (the batch's execution details list its transactions).`,
      { cliHint: 'countersign batches submissions BATCH_ID lists them' },
    )
  }
  return row
}

/** Planned, and no later transaction of its source signed; otherwise the sentence says what to do instead. */
async function assertCancellable(ctx: CoreContext, sub: SubmissionRow): Promise<SubmissionRow> {
  const name = `Transaction ${sub.chunk_index + 1} (attempt ${sub.attempt}) of batch "${(await getBatchRow(ctx, sub.batch_id)).name}"`
  if (sub.state !== 'planned') {
    throw new CsError(
      'EXECUTION_STATE',
      `${name} is ${sub.state}, not planned — only a transaction that was never signed can be cancelled; a signed one confirms, or is declared dead and its payouts can be retried.`,
    )
  }
  const later = await laterSignedOf(ctx, sub)
  if (later.length > 0) {
    const first = later[0]!
    throw new CsError(
      'CANCEL_BLOCKED',
      `${name} cannot be cancelled: transaction ${first.id} of the same account is already ${first.state} with a later nonce (${first.nonce}), so the gap could never close — sign this one instead (Resume signing).`,
    )
  }
  return sub
}

async function describeCancel(ctx: CoreContext, submissionId: string, result: CancelPlannedResult): Promise<CancelSubmissionResult> {
  const sub = await getSubmission(ctx, submissionId)
  invariant(sub.failure_code !== null, () => `cancelled submission ${sub.id} has no failure code`)
  const payouts: CancelSubmissionResult['payouts'] = []
  for (const id of result.payoutIds) {
    const p = await ctx.db.first(ctx.db.k.selectFrom('payouts').select(['state', 'failure_code']).where('id', '=', id))
    invariant(p, () => `payout ${id} vanished`)
    payouts.push({ id, state: p.state as PayoutState, failureCode: p.failure_code ?? '' })
  }
  return {
    submission: {
      id: sub.id,
      batchId: sub.batch_id,
      chunkIndex: sub.chunk_index,
      state: sub.state as SubmissionState,
      nonce: sub.nonce,
      failure: { code: sub.failure_code, message: sub.failure_message ?? '' },
    },
    payouts,
    renumbered: result.renumbered,
    batch: { id: sub.batch_id, state: (await getBatchRow(ctx, sub.batch_id)).state as BatchState },
  }
}
