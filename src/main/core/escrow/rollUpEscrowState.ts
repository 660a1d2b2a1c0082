/**
 * The escrow's state, rolled up from its milestones (and its funding), stored so lists can filter
 * on it; audited when it changes. `in_review` is not stored: it is `held` inside a review window,
 * which only the clock decides (see escrowViews.ts).
 */
import { appendAudit } from '../audit/appendAudit'
import type { CoreContext } from '../context'
import { getEscrowRow, milestonesOf } from './escrowRows'

export function rolledUpState(milestoneStates: readonly string[], fundingFailed: boolean): string {
  const has = (s: string) => milestoneStates.includes(s)
  const all = (s: string) => milestoneStates.every((x) => x === s)
  if (all('draft')) return fundingFailed ? 'failed' : 'draft'
  if (has('funding')) return 'funding'
  if (has('disputed')) return 'disputed'
  if (has('held')) return 'held'
  if (has('expired')) return 'expired'
  if (all('released')) return 'released'
  if (all('refunded')) return 'refunded'
  if (has('resolved') && milestoneStates.every((s) => s === 'resolved' || s === 'released' || s === 'refunded')) return 'resolved'
  return 'closed'
}

/** Inside the caller's transaction. */
export async function rollUpEscrowState(ctx: CoreContext, actor: string, escrowId: string): Promise<void> {
  const escrow = await getEscrowRow(ctx, escrowId)
  if (escrow.state === 'cancelled') return
  const milestones = await milestonesOf(ctx, escrowId)
  const fundFailed = await ctx.db.first(
    ctx.db.k
      .selectFrom('escrow_actions')
      .select('id')
      .where('escrow_id', '=', escrowId)
      .where('kind', '=', 'fund')
      .where('state', '=', 'failed'),
  )
  const next = rolledUpState(
    milestones.map((m) => m.state),
    fundFailed !== undefined,
  )
  if (next === escrow.state) return
  await ctx.db.run(
    ctx.db.k.updateTable('escrows').set({ state: next, updated_at: ctx.clock.now().toISOString() }).where('id', '=', escrowId),
  )
  await appendAudit(ctx, { actor, action: 'escrow.state', subject: `escrow:${escrowId}`, change: { from: escrow.state, to: next } })
}
