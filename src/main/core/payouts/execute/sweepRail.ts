/**
 * One confirmation sweep of one rail: look up every open submission (and the confirmed and signed
 * dead ones the rail still watches for reorgs) in one go, apply each verdict in its own short
 * transaction, then send the SAME bytes again for those the network has lost. Never signs anything.
 *
 * With a SweepGate (the poller's), the sweep first asks the rail's cheap head probe and skips the
 * lookup when nothing moved since the last one (sweepGate.ts says when that is safe). Without one
 * (start-up resume, the CLI, tests) every sweep looks up.
 */
import { sql } from 'kysely'
import type { CoreContext } from '../../context'
import type { Rail, RailSubmission } from '../../rails/Rail'
import { log } from '../../log'
import { applyVerdict } from './applyVerdict'
import { openSubmissions } from './executionStore'
import { railSubmissionsOf } from './railViews'
import { sweepFingerprint, type SweepGate } from './sweepGate'

export interface SweepResult {
  looked: number
  changed: number
  rebroadcast: number
  /** Submissions still signed or broadcast after the sweep. */
  open: number
  /** Present (true) only when the head probe showed nothing new and no lookup was made. */
  skipped?: true
}

export async function sweepRail(ctx: CoreContext, rail: Rail, gate?: SweepGate): Promise<SweepResult> {
  const open = await openSubmissions(ctx, rail.rail, rail.network)
  const views = [...(await railSubmissionsOf(ctx, open)), ...(await watchedSettled(ctx, rail))]
  if (views.length === 0) return { looked: 0, changed: 0, rebroadcast: 0, open: 0 }
  const probe = gate && rail.head ? { head: await rail.head(), fingerprint: sweepFingerprint(views) } : null
  if (probe && !gate!.mustLookUp(rail, probe.head, probe.fingerprint)) {
    return { looked: 0, changed: 0, rebroadcast: 0, open: open.length, skipped: true }
  }
  const observations = await rail.lookup(views)
  const resend: RailSubmission[] = []
  const batches = new Set<string>()
  const finished = new Set<string>()
  let changed = 0
  // One submission whose verdict cannot be worked out or stored (an answer the rail cannot read, a
  // row that breaks a rule) must not hold back every other payout's confirmation nor the re-send
  // of lost bytes: each verdict is its own transaction, so the others go on and the first failure
  // is thrown at the end (the poller backs off and reports it; the next sweep tries it again).
  const failures: unknown[] = []
  for (const sub of views) {
    const obs = observations.get(sub.id)
    if (obs === undefined) continue
    try {
      const verdict = rail.classify(sub, obs)
      if (verdict.kind === 'pending' && verdict.rebroadcast) resend.push(sub)
      const applied = await applyVerdict(ctx, rail, sub, verdict)
      if (applied.changed) {
        changed++
        batches.add(applied.batchId)
        if (applied.batchFinished) finished.add(applied.batchId)
      }
    } catch (error) {
      log('error', 'a confirmation verdict could not be applied; the sweep goes on with the others', {
        rail: rail.rail,
        network: rail.network,
        submissionId: sub.id,
        error,
      })
      failures.push(error)
    }
  }
  if (batches.size > 0) ctx.events.emit('payouts.changed', { batchIds: [...batches] })
  for (const b of finished) ctx.events.emit('batches.changed', { batchId: b })
  if (resend.length > 0) await rail.rebroadcast(resend)
  if (failures.length > 0) throw failures[0]
  // Recorded only once every verdict is stored: a sweep whose write failed (a full disk) looks up
  // again at the next tick, not only at the next block.
  if (probe) gate!.lookedUp(rail, probe.head, probe.fingerprint)
  const stillOpen = (await openSubmissions(ctx, rail.rail, rail.network)).length
  return { looked: views.length, changed, rebroadcast: resend.length, open: stillOpen }
}

/**
 * The newest first by block_number: decimal text, compared by length then text (exact for any
 * size, no CAST to a 64-bit integer); a missing one last, as SQLite always sorted it.
 */
function newestFirst(ctx: CoreContext, rail: Rail, limit: number) {
  return ctx.db.k
    .selectFrom('submissions')
    .selectAll()
    .where('rail', '=', rail.rail)
    .where('network', '=', rail.network)
    .orderBy(sql`CASE WHEN block_number IS NULL THEN 1 ELSE 0 END`)
    .orderBy(sql`length(block_number)`, 'desc')
    .orderBy('block_number', 'desc')
    .limit(limit)
}

/** The newest confirmed and signed dead submissions of this rail that it still watches for reorgs. */
async function watchedSettled(ctx: CoreContext, rail: Rail): Promise<RailSubmission[]> {
  const watch = rail.reorgWatch
  if (!watch) return []
  const confirmed = await ctx.db.all(newestFirst(ctx, rail, watch.submissionsMax).where('state', '=', 'confirmed'))
  // Dead ones that were signed (their bytes may be out there) and were declared dead by a rail that
  // recorded the head (block_number): after a reorg deeper than confirmationsMin they can still land.
  const dead = await ctx.db.all(
    newestFirst(ctx, rail, watch.submissionsMax)
      .where('state', '=', 'dead')
      .where('tx_hash', 'is not', null)
      .where('block_number', 'is not', null),
  )
  return (await railSubmissionsOf(ctx, [...confirmed, ...dead])).filter((s) => watch.isWatched(s))
}
