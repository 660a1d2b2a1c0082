/**
 * An action took effect (its rail transaction confirmed, or it needed none): inside ONE
 * transaction the milestones change state, the books are written (bookEscrowEffects.ts), the
 * action is done and the escrow's state is rolled up — all audited. Also the path for a milestone
 * the payee (or anyone, on EVM) took on the rail without us: the poller books it as an automatic
 * release. Every step checks the stored state first, so a second call books nothing.
 */
import { appendAudit } from '../audit/appendAudit'
import type { CoreContext } from '../context'
import type { EscrowActionRow, EscrowMilestoneRow, EscrowRow } from '../db/schema'
import { assertNever, unreachable } from '../util/invariant'
import { bookFunding, bookMilestoneOutcome, milestoneHoldId, partsOf } from './bookEscrowEffects'
import { AUTO_RELEASE_ACTOR } from './checkEscrowApprovals'
import { setActionState } from './decideEscrowAction'
import { getEscrowRow, getMilestone, milestonesOf } from './escrowRows'
import { rollUpEscrowState } from './rollUpEscrowState'

export interface ActionEffect {
  /** The rail transaction, when there was one. */
  txId: string | null
  txHash: string | null
  /** Milestone -> rail handle learnt when funding (Stellar balance ids). */
  railRefs: ReadonlyMap<number, string>
}

/** Inside the caller's transaction. */
export async function completeEscrowAction(ctx: CoreContext, actor: string, action: EscrowActionRow, effect: ActionEffect): Promise<void> {
  const escrow = await getEscrowRow(ctx, action.escrow_id)
  const meta: Record<string, string> = {
    actionId: action.id,
    ...(effect.txHash ? { txHash: effect.txHash } : {}),
    ...(effect.txId ? { txId: effect.txId } : {}),
  }
  const kind = action.kind as 'fund' | 'release' | 'dispute' | 'resolve' | 'refund'
  switch (kind) {
    case 'fund':
      await applyFunding(ctx, actor, escrow, effect, meta)
      break
    case 'dispute':
      await setMilestone(ctx, actor, escrow, await milestoneOf(ctx, escrow, action), { state: 'disputed' }, meta)
      break
    case 'release':
    case 'resolve':
    case 'refund': {
      const m = await milestoneOf(ctx, escrow, action)
      const { toPayee, toPayer } = partsOf(action, m)
      await bookMilestoneOutcome(ctx, actor, escrow, m, toPayee, toPayer, meta)
      const state = kind === 'release' ? 'released' : kind === 'refund' ? 'refunded' : 'resolved'
      // A release the poller asked for (Stripe's review window ended) is automatic, whenever it confirms.
      const auto = kind === 'release' && action.requested_by === AUTO_RELEASE_ACTOR ? { auto_released: 1 } : {}
      await setMilestone(ctx, actor, escrow, m, { state, released: toPayee.toString(), refunded: toPayer.toString(), ...auto }, meta)
      break
    }
    default:
      assertNever(kind)
  }
  await setActionState(ctx, actor, action, 'done', meta)
  await rollUpEscrowState(ctx, actor, escrow.id)
}

async function milestoneOf(ctx: CoreContext, escrow: EscrowRow, action: EscrowActionRow): Promise<EscrowMilestoneRow> {
  if (action.milestone === null) unreachable(`escrow action ${action.id} (${action.kind}) names no milestone`)
  return await getMilestone(ctx, escrow, action.milestone)
}

async function applyFunding(ctx: CoreContext, actor: string, escrow: EscrowRow, effect: ActionEffect, meta: Record<string, string>) {
  const milestones = await milestonesOf(ctx, escrow.id)
  if (milestones.some((m) => m.hold_id !== null)) unreachable(`escrow ${escrow.id} is funded twice`)
  await bookFunding(ctx, actor, escrow, milestones, meta)
  for (const m of milestones) {
    await setMilestone(
      ctx,
      actor,
      escrow,
      m,
      { state: 'held', hold_id: milestoneHoldId(escrow, m.idx), rail_ref: effect.railRefs.get(m.idx) ?? m.rail_ref },
      meta,
    )
  }
}

/** The payee took a held milestone on the rail (EVM claim, Stellar claim) — booked as an automatic release. */
export async function bookObservedRelease(
  ctx: CoreContext,
  escrow: EscrowRow,
  m: EscrowMilestoneRow,
  txHash: string | null,
): Promise<void> {
  const meta: Record<string, string> = { observed: 'rail', ...(txHash ? { txHash } : {}) }
  const amount = BigInt(m.amount)
  await bookMilestoneOutcome(ctx, 'poller', escrow, m, amount, 0n, meta)
  await setMilestone(ctx, 'poller', escrow, m, { state: 'released', released: m.amount, refunded: '0', auto_released: 1 }, meta)
  await rollUpEscrowState(ctx, 'poller', escrow.id)
}

type MilestoneChange = Partial<Pick<EscrowMilestoneRow, 'state' | 'released' | 'refunded' | 'rail_ref' | 'hold_id' | 'auto_released'>>

export async function setMilestone(
  ctx: CoreContext,
  actor: string,
  escrow: EscrowRow,
  m: EscrowMilestoneRow,
  change: MilestoneChange,
  meta: Record<string, string> = {},
): Promise<void> {
  await ctx.db.run(
    ctx.db.k
      .updateTable('escrow_milestones')
      .set({ ...change, updated_at: ctx.clock.now().toISOString() })
      .where('escrow_id', '=', escrow.id)
      .where('idx', '=', m.idx),
  )
  await appendAudit(ctx, {
    actor,
    action: 'escrow.milestone.change',
    subject: `escrow:${escrow.id}`,
    change: { milestone: m.idx, from: m.state, ...change, ...meta },
  })
}
