/**
 * Daily limits per rail and asset. For each limit that touches this batch:
 *   used today (UTC) by other batches + this batch's total <= limit.
 * "Used today" counts, once each, the payouts of other batches that are not failed and either
 *   - belong to a batch whose approval completed today (approved, executing or done), or
 *   - were signed, broadcast or confirmed today (an older approval executed today).
 * Called at every approval, and again by the execution engine just before signing.
 */
import { sql } from 'kysely'
import { CsError } from '../../../../shared/errors'
import { formatAmount, formatAmountGrouped, parseAmount, parseMinor } from '../../../../shared/money'
import type { BatchState, PayoutState } from '../../../../shared/payoutStates'
import type { DailyLimitUsage, PreflightProblem } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import { AssetCache, getBatchRow, payoutRowsOf, sumByAsset } from '../batches/readBatch'
import { readApprovalPolicy } from './getApprovalPolicy'

/** Batch states whose payouts count against today's limit once approved. */
const COMMITTED_BATCH_STATES: readonly BatchState[] = ['approved', 'executing', 'completed', 'partially_failed', 'failed']
/** Payout states that mean money left (or is leaving) today whatever day the batch was approved. */
const MOVING_PAYOUT_STATES: readonly PayoutState[] = ['signed', 'broadcast', 'confirmed']
const MS_PER_DAY = 86_400_000

export interface CheckDailyLimitsReturnType {
  ok: boolean
  problems: PreflightProblem[]
  usage: DailyLimitUsage[]
}

export async function checkDailyLimits(ctx: CoreContext, batchId: string): Promise<CheckDailyLimitsReturnType> {
  const policy = await readApprovalPolicy(ctx)
  if (policy.dailyLimits.length === 0) return { ok: true, problems: [], usage: [] }
  await getBatchRow(ctx, batchId)
  const assets = new AssetCache(ctx)
  const totals = await sumByAsset(await payoutRowsOf(ctx, batchId), assets)
  const now = ctx.clock.now()
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
  // Inclusive upper bound for BETWEEN: the last millisecond of the UTC day.
  const dayEnd = new Date(dayStart.getTime() + MS_PER_DAY - 1)
  const usage: DailyLimitUsage[] = []
  const problems: PreflightProblem[] = []
  for (const limit of policy.dailyLimits) {
    const mine = totals.get(limit.assetId)
    if (!mine || mine.rail !== limit.rail) continue
    const asset = await assets.get(limit.assetId)
    const limitMinor = parseAmount(limit.amount, asset.scale, { allowZero: true })
    const used = await usedToday(ctx, batchId, limit.assetId, dayStart.toISOString(), dayEnd.toISOString())
    const ok = used + mine.minor <= limitMinor
    usage.push({
      rail: limit.rail,
      assetId: limit.assetId,
      limit: formatAmount(limitMinor, asset.scale),
      usedToday: formatAmount(used, asset.scale),
      thisBatch: formatAmount(mine.minor, asset.scale),
      ok,
    })
    if (!ok) {
      const g = (m: bigint): string => formatAmountGrouped(m, asset.scale)
      problems.push({
        code: 'DAILY_LIMIT_EXCEEDED',
        message:
          `${asset.code} (${limit.assetId}) on ${limit.rail}: this batch (${g(mine.minor)}) plus ${g(used)} already approved or paid today (UTC) ` +
          `is ${g(used + mine.minor)}, above the daily limit of ${g(limitMinor)}`,
      })
    }
  }
  return { ok: problems.length === 0, problems, usage }
}

/** Throws DAILY_LIMIT_EXCEEDED with every limit broken. */
export async function assertDailyLimits(ctx: CoreContext, batchId: string, what = 'approve it'): Promise<void> {
  const result = await checkDailyLimits(ctx, batchId)
  if (result.ok) return
  throw new CsError(
    'DAILY_LIMIT_EXCEEDED',
    `You cannot ${what} today: ${result.problems.map((p) => p.message).join('; ')} — wait until tomorrow (UTC), split the batch, or ask an admin to raise the limit.`,
    { details: { usage: result.usage } },
  )
}

async function usedToday(ctx: CoreContext, batchId: string, assetId: string, dayStart: string, dayEnd: string): Promise<bigint> {
  const committed = sql.join(COMMITTED_BATCH_STATES.map((s) => sql.lit(s)))
  const moving = sql.join(MOVING_PAYOUT_STATES.map((s) => sql.lit(s)))
  const query = sql<{ amount: string }>`
    SELECT p.amount AS amount
    FROM payouts p JOIN batches b ON b.id = p.batch_id
    WHERE p.asset_id = ${assetId} AND p.batch_id <> ${batchId} AND p.state <> 'failed'
      AND b.state IN (${committed})
      AND (
        (SELECT max(a.at) FROM approvals a
          WHERE a.batch_id = b.id AND a.version = b.version AND a.decision = 'approve') BETWEEN ${dayStart} AND ${dayEnd}
        OR (p.state IN (${moving}) AND p.updated_at BETWEEN ${dayStart} AND ${dayEnd})
      )`.compile(ctx.db.k)
  let sum = 0n
  for (const r of await ctx.db.all(query)) sum += parseMinor(r.amount)
  return sum
}
