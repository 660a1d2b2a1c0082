/**
 * One confirmation sweep of one rail: look up every open submission (and the confirmed ones
 * still inside the reorg window) in one go, apply each verdict in its own short transaction,
 * then send the SAME bytes again for those the network has lost. Never signs anything.
 */
import type { CoreContext } from '../../context'
import type { Rail } from '../../rails/Rail'
import { applyVerdict } from './applyVerdict'
import { openSubmissions } from './executionStore'

export interface SweepResult {
  looked: number
  changed: number
  rebroadcast: number
  /** Submissions still signed or broadcast after the sweep. */
  open: number
}

export async function sweepRail(ctx: CoreContext, rail: Rail): Promise<SweepResult> {
  const open = openSubmissions(ctx, rail.rail, rail.network)
  const watched = rail.watchedConfirmed(ctx)
  const all = [...open, ...watched]
  if (all.length === 0) return { looked: 0, changed: 0, rebroadcast: 0, open: 0 }
  const observations = await rail.lookup(ctx, all)
  const resend = []
  const batches = new Set<string>()
  const finished = new Set<string>()
  let changed = 0
  for (const sub of all) {
    const obs = observations.get(sub.id)
    if (obs === undefined) continue
    const verdict = rail.classify(sub, obs)
    if (verdict.kind === 'pending' && verdict.rebroadcast) resend.push(sub)
    const applied = applyVerdict(ctx, rail, sub, verdict)
    if (applied.changed) {
      changed++
      batches.add(applied.batchId)
      if (applied.batchFinished) finished.add(applied.batchId)
    }
  }
  if (resend.length > 0) await rail.rebroadcast(ctx, resend)
  if (batches.size > 0) ctx.events.emit('payouts.changed', { batchIds: [...batches] })
  for (const b of finished) ctx.events.emit('batches.changed', { batchId: b })
  const stillOpen = openSubmissions(ctx, rail.rail, rail.network).length
  return { looked: all.length, changed, rebroadcast: resend.length, open: stillOpen }
}
