/**
 * The engine's writes: every submission and payout state change goes through here,
 * checked against the transition tables of src/shared/payoutStates.ts, guarded by the state it
 * was read in (a concurrent sweep or a second process loses cleanly instead of writing twice),
 * and audited in the same transaction. Callers hold the db.tx.
 */
import { sql } from 'kysely'
import {
  canTransition,
  PAYOUT_TRANSITIONS,
  SUBMISSION_TRANSITIONS,
  type PayoutState,
  type SubmissionState,
} from '../../../../shared/payoutStates'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import type { PayoutRow, SubmissionRow, SubmissionsTable } from '../../db/schema'
import { invariant, unreachable } from '../../util/invariant'
import { inChunks } from '../inChunks'

export const OPEN_SUBMISSION_STATES: readonly SubmissionState[] = ['signed', 'broadcast']
/** Open submissions one sweep looks at; more wait for the next sweep (oldest first). */
export const OPEN_SUBMISSIONS_PER_SWEEP_MAX = 5_000

function requireTx(ctx: CoreContext): void {
  invariant(ctx.db.inTransaction(), 'execution state changes run inside a transaction')
}

export async function getSubmission(ctx: CoreContext, id: string): Promise<SubmissionRow> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('submissions').selectAll().where('id', '=', id))
  invariant(row, () => `submission ${id} does not exist`)
  return row
}

export async function payoutsOfSubmission(ctx: CoreContext, submissionId: string): Promise<PayoutRow[]> {
  return await ctx.db.all(
    ctx.db.k
      .selectFrom('submission_payouts')
      .innerJoin('payouts', 'payouts.id', 'submission_payouts.payout_id')
      .selectAll('payouts')
      .where('submission_payouts.submission_id', '=', submissionId)
      .orderBy('submission_payouts.idx'),
  )
}

/**
 * Moves a submission from the state it was read in. Returns false (and writes nothing) when it
 * is no longer in that state: someone else (another sweep, another process) got there first.
 */
export async function moveSubmission(
  ctx: CoreContext,
  actor: Actor,
  sub: SubmissionRow,
  to: SubmissionState,
  set: Partial<Omit<SubmissionsTable, 'id' | 'state'>> = {},
  details: Record<string, unknown> = {},
): Promise<boolean> {
  requireTx(ctx)
  const from = sub.state as SubmissionState
  invariant(canTransition(SUBMISSION_TRANSITIONS, from, to), () => `submission ${sub.id} cannot go ${from} -> ${to}`)
  const now = ctx.clock.now().toISOString()
  const result = await ctx.db.run(
    ctx.db.k
      .updateTable('submissions')
      .set({ ...set, state: to, updated_at: now })
      .where('id', '=', sub.id)
      .where('state', '=', from),
  )
  if (result.changes === 0) return false
  await appendAudit(ctx, {
    actor,
    action: `payouts.submission.${to}`,
    subject: `submission:${sub.id}`,
    change: {
      batchId: sub.batch_id,
      rail: sub.rail,
      network: sub.network,
      chunk: sub.chunk_index,
      attempt: sub.attempt,
      from,
      to,
      ...details,
    },
  })
  return true
}

/** Shortest allowed path between two payout states (signed -> confirmed passes broadcast). */
function payoutPath(from: PayoutState, to: PayoutState): PayoutState[] {
  if (from === to) return []
  const seen = new Map<PayoutState, PayoutState | null>([[from, null]])
  const queue: PayoutState[] = [from]
  while (queue.length > 0) {
    const s = queue.shift()!
    for (const n of PAYOUT_TRANSITIONS[s]) {
      if (seen.has(n)) continue
      seen.set(n, s)
      if (n === to) {
        const path: PayoutState[] = []
        for (let c: PayoutState | null = n; c !== null && c !== from; c = seen.get(c) ?? null) path.unshift(c)
        return path
      }
      queue.push(n)
    }
  }
  return unreachable(`no payout transition path ${from} -> ${to}`)
}

/**
 * Moves the payouts currently carried by `submissionId` (payouts.submission_id) to `to`, each
 * from the state it is in, through the allowed path. Payouts already there are left alone.
 */
export async function movePayoutsOf(
  ctx: CoreContext,
  submissionId: string,
  to: PayoutState,
  set: Partial<Pick<PayoutRow, 'entry_id' | 'failure_code' | 'failure_message'>> = {},
): Promise<number> {
  requireTx(ctx)
  const now = ctx.clock.now().toISOString()
  const rows = await ctx.db.all(ctx.db.k.selectFrom('payouts').select(['id', 'state']).where('submission_id', '=', submissionId))
  // One guarded UPDATE per state they are in (and per IN-list piece), not one per payout.
  const byFrom = new Map<PayoutState, string[]>()
  let moved = 0
  for (const r of rows) {
    const from = r.state as PayoutState
    if (from === to) continue
    payoutPath(from, to)
    const ids = byFrom.get(from) ?? []
    ids.push(r.id)
    byFrom.set(from, ids)
    moved++
  }
  for (const [from, ids] of byFrom) {
    for (const chunk of inChunks(ids)) {
      await ctx.db.run(
        ctx.db.k
          .updateTable('payouts')
          .set({ ...set, state: to, updated_at: now })
          .where('id', 'in', chunk)
          .where('state', '=', from),
      )
    }
  }
  return moved
}

export async function setPayoutEntry(ctx: CoreContext, payoutId: string, entryId: string): Promise<void> {
  requireTx(ctx)
  await ctx.db.run(ctx.db.k.updateTable('payouts').set({ entry_id: entryId }).where('id', '=', payoutId))
}

/**
 * Nonce order, exact for any size: decimal text by length, then by text (no CAST to a 64-bit
 * integer). Submissions without a nonce (rails that have none) come first, as they always did.
 */
const NONCE_NULLS_FIRST = sql`CASE WHEN nonce IS NULL THEN 0 ELSE 1 END`
const NONCE_LENGTH = sql`length(nonce)`

/** Open submissions of one rail + network, oldest nonce first. */
export async function openSubmissions(ctx: CoreContext, rail: string, network: string): Promise<SubmissionRow[]> {
  return await ctx.db.all(
    ctx.db.k
      .selectFrom('submissions')
      .selectAll()
      .where('rail', '=', rail)
      .where('network', '=', network)
      .where('state', 'in', ['signed', 'broadcast'])
      .orderBy(NONCE_NULLS_FIRST)
      .orderBy(NONCE_LENGTH)
      .orderBy('nonce')
      .orderBy('created_at')
      .limit(OPEN_SUBMISSIONS_PER_SWEEP_MAX),
  )
}

export async function plannedSubmissions(ctx: CoreContext, batchId?: string): Promise<SubmissionRow[]> {
  let q = ctx.db.k.selectFrom('submissions').selectAll().where('state', '=', 'planned')
  if (batchId !== undefined) q = q.where('batch_id', '=', batchId)
  return await ctx.db.all(
    q.orderBy('rail').orderBy('network').orderBy(NONCE_NULLS_FIRST).orderBy(NONCE_LENGTH).orderBy('nonce').orderBy('created_at'),
  )
}
