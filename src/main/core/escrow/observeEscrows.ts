/**
 * The poller's watch over open escrows, on each escrow's rail:
 * - a held milestone the payee (or, on EVM, anyone) took on the rail after its review window —
 *   the automatic release that needs no app — is booked as released (once: the milestone's state
 *   is checked inside the booking transaction);
 * - on Stripe, where nothing on the rail releases by itself, an escrow approved with auto-release
 *   gets its release requested and carried out by the poller when a milestone's window ends
 *   undisputed (the funding's approvals cover it: checkEscrowApprovals.ts);
 * - a held milestone past the escrow's expiry (by the rail's clock) becomes 'expired' (the payer
 *   may then ask for a refund);
 * - a reminder event when a review window ends within a day (once per milestone per process).
 */
import type { CoreContext } from '../context'
import { SYSTEM_ACTOR } from '../context'
import type { EscrowMilestoneRow, EscrowRow } from '../db/schema'
import { log } from '../log'
import type { EscrowRail, EscrowRailRegistry, MilestoneOnRail } from '../rails/EscrowRail'
import { crashPoint } from '../util/crashPoint'
import { AUTO_RELEASE_ACTOR } from './checkEscrowApprovals'
import { closeMootRequests } from './closeMootRequests'
import { bookObservedRelease, setMilestone } from './completeEscrowAction'
import { getEscrowRow, getMilestone, milestonesOf, termsOf } from './escrowRows'
import { executeEscrowAction } from './executeEscrowAction'
import { insertActionRequest, OPEN_ACTION_STATES } from './requestEscrowAction'
import { rollUpEscrowState } from './rollUpEscrowState'

export const ESCROWS_PER_SWEEP_MAX = 100
export const ESCROW_REMINDER_BEFORE_MS = 24 * 60 * 60 * 1000

const reminded = new Set<string>()

export interface ObserveEscrowsReturnType {
  observed: number
  released: number
  expired: number
}

export async function observeEscrows(ctx: CoreContext, rails: EscrowRailRegistry): Promise<ObserveEscrowsReturnType> {
  const open = await ctx.db.all(
    ctx.db.k
      .selectFrom('escrows')
      .selectAll()
      .where('state', 'in', ['held', 'disputed', 'expired'])
      .orderBy('updated_at')
      .limit(ESCROWS_PER_SWEEP_MAX),
  )
  const out = { observed: 0, released: 0, expired: 0 }
  for (const escrow of open) {
    const rail = rails.get(escrow.rail, escrow.network)
    if (!rail) continue
    try {
      await observeOne(ctx, rails, rail, escrow, out)
    } catch (error) {
      log('warn', 'escrow observation failed', { escrowId: escrow.id, error })
    }
  }
  return out
}

async function observeOne(ctx: CoreContext, rails: EscrowRailRegistry, rail: EscrowRail, escrow: EscrowRow, out: ObserveEscrowsReturnType) {
  const milestones = await milestonesOf(ctx, escrow.id)
  const seen = await rail.observe(termsOf(escrow, milestones))
  out.observed++
  // Stripe has no clock of its own: its deadlines are judged by ours (which a sandbox may move forward).
  const railNow = rail.rail === 'stripe' ? ctx.clock.now() : seen.railNow
  for (const m of milestones) {
    if (m.state !== 'held' && m.state !== 'expired') continue
    const onRail = seen.milestones.get(m.idx)
    if (onRail?.state === 'released') {
      // Requests the payee's claim made moot never block its booking (closeMootRequests.ts).
      await ctx.db.tx(() => closeMootRequests(ctx, SYSTEM_ACTOR, escrow, m.idx, 'released'))
      if (!(await hasOpenAction(ctx, escrow, m)) && (await bookReleaseOnce(ctx, escrow.id, m.idx, onRail))) out.released++
      continue
    }
    if (m.state === 'held' && railNow.toISOString() >= escrow.expires_at) {
      await ctx.db.tx(async () => {
        const fresh = await getMilestone(ctx, escrow, m.idx)
        if (fresh.state !== 'held') return
        await setMilestone(ctx, SYSTEM_ACTOR, escrow, fresh, { state: 'expired' }, { railNow: railNow.toISOString() })
        await closeMootRequests(ctx, SYSTEM_ACTOR, escrow, m.idx, 'expired')
        await rollUpEscrowState(ctx, SYSTEM_ACTOR, escrow.id)
      })
      out.expired++
      ctx.events.emit('escrow.changed', { escrowId: escrow.id })
      continue
    }
    remindIfNear(ctx, escrow, m, railNow)
    if (m.state === 'held' && rail.signer === null && escrow.auto_release === 1 && railNow.toISOString() >= m.review_ends_at)
      await autoRelease(ctx, rails, escrow, m)
  }
}

async function hasOpenAction(ctx: CoreContext, escrow: EscrowRow, m: EscrowMilestoneRow): Promise<boolean> {
  return (await openActionOf(ctx, escrow, m)) !== undefined
}

async function openActionOf(ctx: CoreContext, escrow: EscrowRow, m: EscrowMilestoneRow) {
  return await ctx.db.first(
    ctx.db.k
      .selectFrom('escrow_actions')
      .select(['id', 'kind', 'requested_by'])
      .where('escrow_id', '=', escrow.id)
      .where('milestone', '=', m.idx)
      .where('state', 'in', [...OPEN_ACTION_STATES]),
  )
}

async function bookReleaseOnce(
  ctx: CoreContext,
  escrowId: string,
  index: number,
  onRail: Extract<MilestoneOnRail, { state: 'released' }>,
): Promise<boolean> {
  const booked = await ctx.db.tx(async () => {
    const escrow = await getEscrowRow(ctx, escrowId)
    const fresh = await getMilestone(ctx, escrow, index)
    if (fresh.state !== 'held' && fresh.state !== 'expired') return false
    crashPoint('escrow-observed-before-book')
    await bookObservedRelease(ctx, escrow, fresh, onRail.txHash)
    return true
  })
  if (booked) ctx.events.emit('escrow.changed', { escrowId })
  return booked
}

/**
 * Stripe: the poller asks for the release the funding approved, and carries it out (no device).
 * Its own release left open by a crash (asked, or planned and not yet sent) is resumed here: nobody
 * else runs execute for an automatic release, and the sweep only looks at sent transactions.
 */
async function autoRelease(ctx: CoreContext, rails: EscrowRailRegistry, escrow: EscrowRow, m: EscrowMilestoneRow): Promise<void> {
  const actionId = await ctx.db.tx(async () => {
    const fresh = await getMilestone(ctx, escrow, m.idx)
    if (fresh.state !== 'held') return null
    const open = await openActionOf(ctx, escrow, fresh)
    if (open) return open.requested_by === AUTO_RELEASE_ACTOR && open.kind === 'release' ? open.id : null
    const amount = BigInt(fresh.amount)
    return await insertActionRequest(ctx, AUTO_RELEASE_ACTOR, await getEscrowRow(ctx, escrow.id), await milestonesOf(ctx, escrow.id), {
      kind: 'release',
      milestone: fresh.idx,
      amount,
      toPayee: amount,
      toPayer: null,
      reason: 'review window ended undisputed',
      state: 'approved',
    })
  })
  if (actionId === null) return
  // Booked when its transfer confirms (a later sweep), marked automatic there: completeEscrowAction.ts.
  await executeEscrowAction(ctx, { rails }, actionId, AUTO_RELEASE_ACTOR)
}

function remindIfNear(ctx: CoreContext, escrow: EscrowRow, m: EscrowMilestoneRow, railNow: Date): void {
  const left = Date.parse(m.review_ends_at) - railNow.getTime()
  const key = `${escrow.id}:${m.idx}:${m.review_ends_at}`
  if (m.state !== 'held' || left <= 0 || left > ESCROW_REMINDER_BEFORE_MS || reminded.has(key)) return
  reminded.add(key)
  ctx.events.emit('escrow.reminder', { escrowId: escrow.id, milestone: m.idx, kind: 'review_ends', at: m.review_ends_at })
}
