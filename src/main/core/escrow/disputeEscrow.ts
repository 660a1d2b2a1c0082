/**
 * Dispute a milestone: protective, so it needs no approval and takes effect at once where the
 * rail lets it — Stripe (our side freezes) immediately; on EVM a `lock` and on Stellar a claim-back
 * of the milestone's balance, signed on the device. Until that transaction lands the open dispute
 * action already stops Countersign's own automatic release; on chain, the payee could still claim
 * a milestone whose window has passed, which the poller would then book as released.
 */
import type { Operator } from '../../../shared/workspaceApi'
import { CsError } from '../../../shared/errors'
import type { CoreContext } from '../context'
import { getEscrowRow, getMilestone, milestonesOf } from './escrowRows'
import { executeEscrowAction, type EscrowDeps, type ExecuteEscrowResult } from './executeEscrowAction'
import { insertActionRequest, OPEN_ACTION_STATES, requireMilestoneState } from './requestEscrowAction'

export interface DisputeEscrowParameters {
  id: string
  milestone: number
  reason: string
}

export async function disputeEscrow(
  ctx: CoreContext,
  deps: EscrowDeps,
  operator: Operator,
  input: DisputeEscrowParameters,
): Promise<{ actionId: string; result: ExecuteEscrowResult | 'waiting_for_signer' }> {
  const actionId = await ctx.db.tx(async () => {
    const escrow = await getEscrowRow(ctx, input.id)
    const m = await getMilestone(ctx, escrow, input.milestone)
    requireMilestoneState(escrow, m, ['held'], 'dispute it')
    const open = await ctx.db.first(
      ctx.db.k
        .selectFrom('escrow_actions')
        .select(['id', 'kind'])
        .where('escrow_id', '=', escrow.id)
        .where('milestone', '=', m.idx)
        .where('state', 'in', [...OPEN_ACTION_STATES]),
    )
    if (open)
      throw new CsError(
        'ESCROW_STATE',
        `Milestone ${m.idx} of "${escrow.name}" has an open ${open.kind} (${open.id}) — reject or finish it, then dispute.`,
        {
          details: { escrowId: escrow.id, milestone: m.idx, actionId: open.id },
        },
      )
    return await insertActionRequest(ctx, operator.id, escrow, await milestonesOf(ctx, escrow.id), {
      kind: 'dispute',
      milestone: m.idx,
      amount: BigInt(m.amount),
      toPayee: null,
      toPayer: null,
      reason: input.reason,
      state: 'approved',
    })
  })
  ctx.events.emit('escrow.changed', { escrowId: input.id })
  const escrow = await getEscrowRow(ctx, input.id)
  const rail = deps.rails.get(escrow.rail, escrow.network)
  if (rail && rail.signer !== null && ((!deps.signer && !deps.getSigner) || !operator.roles.includes('signer')))
    return { actionId, result: 'waiting_for_signer' }
  return { actionId, result: await executeEscrowAction(ctx, deps, actionId, operator.id) }
}
