/**
 * Requests a milestone can no longer take. A milestone moves on by itself: it expires (the rail's
 * clock passed the escrow's expiry) or the payee takes it on the rail (Stellar claim, EVM
 * auto-release). A release asked for, or approved, a moment before stays 'approved' for ever — it
 * can never be executed (executeEscrowAction refuses the milestone's state), it cannot be rejected
 * any more (only a request awaiting approval can), and an open request blocks every other request on
 * the milestone (requestEscrowAction) and the booking of a release the rail reports (observeEscrows):
 * the milestone would be stuck, its money never refunded (chaos seed 310.13).
 *
 * So, in the same transaction that moves the milestone, every request of it that never reached a
 * rail (awaiting approval, or approved and not executed) and that its new state does not allow is
 * closed: cancelled, with why, audited. A request being executed is left to its transaction.
 */
import type { CoreContext } from '../context'
import type { EscrowRow } from '../db/schema'
import { setActionState } from './decideEscrowAction'

/** The milestone states each kind of request can be carried out from (executeEscrowAction checks them before anything is signed). */
export const REQUEST_MILESTONE_STATES: Readonly<Record<'release' | 'dispute' | 'resolve' | 'refund', readonly string[]>> = {
  release: ['held'],
  dispute: ['held'],
  resolve: ['disputed'],
  refund: ['held', 'disputed', 'expired'],
}

const NOT_STARTED = ['awaiting_approval', 'approved']

/** Inside the caller's transaction, right after milestone `idx` moved to `state`. Returns the ids closed. */
export async function closeMootRequests(
  ctx: CoreContext,
  actor: string,
  escrow: EscrowRow,
  idx: number,
  state: 'expired' | 'released',
): Promise<string[]> {
  const open = await ctx.db.all(
    ctx.db.k
      .selectFrom('escrow_actions')
      .selectAll()
      .where('escrow_id', '=', escrow.id)
      .where('milestone', '=', idx)
      .where('state', 'in', NOT_STARTED),
  )
  const closed: string[] = []
  for (const a of open) {
    const allowed = REQUEST_MILESTONE_STATES[a.kind as keyof typeof REQUEST_MILESTONE_STATES] ?? []
    if (allowed.includes(state)) continue
    const message =
      state === 'expired'
        ? `Milestone ${idx} of "${escrow.name}" expired before this ${a.kind} was carried out — nothing was sent; ask for a refund to the payer.`
        : `Milestone ${idx} of "${escrow.name}" was released to the payee on the rail (the payee took it) before this ${a.kind} was carried out — nothing was sent.`
    await setActionState(ctx, actor, a, 'cancelled', { milestoneNow: state }, { code: 'ESCROW_STATE', message })
    closed.push(a.id)
  }
  return closed
}
