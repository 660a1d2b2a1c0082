/**
 * One batch: payouts, exact totals per asset and per rail, approvals, and the policy explained
 * for `operator`. With `payoutsLimit`, only the first payouts (and the warnings about them) are
 * read and shaped — what a screen paints first; `getBatchPayouts` pages the rest. Totals, the
 * policy and the signing plan always cover every payout (from a narrow read of all of them).
 */
import type { Operator } from '../../../../shared/workspaceApi'
import type { BatchDetail, BatchPayoutsPage, Payout } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import type { PayoutRow } from '../../db/schema'
import { describeApprovalStatus } from '../policy/describeApprovalStatus'
import { lastRejection, listApprovals } from './listApprovals'
import { checkBatchApprovals } from '../approvals/verifyBatchApprovals'
import {
  AssetCache,
  batchStateOf,
  getBatchRow,
  payoutFactsOf,
  payoutRowsOf,
  payoutRowsPage,
  reversedByPayout,
  sumByAsset,
  toPayout,
  toRailTotals,
  toSummary,
} from './readBatch'
import { signingStoppedOf } from './signingStopped'
import { readBatchWarnings } from './batchWarnings'
import { getRailsSetting } from '../../rails/getRailsSetting'

export interface GetBatchParameters {
  id: string
  /** Only the first this many payouts (and the warnings about them and the whole file); default all. */
  payoutsLimit?: number
}
export type GetBatchReturnType = BatchDetail

export async function getBatch(ctx: CoreContext, input: GetBatchParameters, operator: Operator | null): Promise<BatchDetail> {
  // One read transaction: the payouts, totals and approvals all describe the same version.
  return await ctx.db.tx(async () => {
    const row = await getBatchRow(ctx, input.id)
    const facts = await payoutFactsOf(ctx, row.id)
    const assets = new AssetCache(ctx)
    const totals = await sumByAsset(facts, assets)
    const listed = await listApprovals(ctx, row.id, row.version)
    // Each signature checked against the batch as stored now (the panel shows verified or not);
    // the check hashes every payout, so it runs only when there is a signature to check.
    const check = listed.some((a) => a.decision === 'approve' && a.signature !== 'missing') ? await checkBatchApprovals(ctx, row) : null
    const approvals = listed.map((a) => {
      if (a.decision !== 'approve' || a.signature === 'missing') return a
      const c = check?.approvals.find((x) => x.operatorId === a.operatorId && x.version === a.version)
      return { ...a, signature: c?.ok === true ? ('verified' as const) : ('invalid' as const) }
    })
    const stopped = await signingStoppedOf(ctx, [{ id: row.id, state: batchStateOf(row) }])
    const batch = await toSummary(row, facts, assets, stopped.get(row.id) ?? null)
    const rows =
      input.payoutsLimit === undefined ? await payoutRowsOf(ctx, row.id) : await payoutRowsPage(ctx, row.id, 0, input.payoutsLimit)
    const shaped = await shapePayouts(ctx, row.id, rows, assets)
    const issuers = new Map<string, { issuer: string | null }>()
    for (const assetId of totals.keys()) issuers.set(assetId, { issuer: (await assets.get(assetId)).issuer })
    // Imported here: it reaches the rails' chunk planners (and their libraries), which a list never needs.
    const { countDeviceConfirmations } = await import('./countDeviceConfirmations')
    const signingPlan = countDeviceConfirmations({ payouts: facts, assets: issuers, rails: (await getRailsSetting(ctx)).rails })
    return {
      batch,
      payouts: shaped,
      payoutsPage: { total: facts.length, nextOffset: shaped.length < facts.length ? shaped.length : null },
      totalsByRail: await toRailTotals(totals, assets),
      approvals,
      lastRejection: await lastRejection(ctx, row.id),
      approvalStatus: await describeApprovalStatus(ctx, row, batchStateOf(row), totals, assets, approvals, operator),
      warnings:
        input.payoutsLimit === undefined
          ? await readBatchWarnings(ctx, row.id)
          : await readBatchWarnings(ctx, row.id, { payoutIds: rows.map((p) => p.id), wholeFile: true }),
      signingPlan,
    }
  })
}

export interface GetBatchPayoutsParameters {
  id: string
  offset: number
  limit: number
}

/** Payouts [offset, offset + limit) of a batch in row order, with the stored warnings about them. */
export async function getBatchPayouts(ctx: CoreContext, input: GetBatchPayoutsParameters): Promise<BatchPayoutsPage> {
  return await ctx.db.tx(async () => {
    const row = await getBatchRow(ctx, input.id)
    const counted = await ctx.db.first(
      ctx.db.k
        .selectFrom('payouts')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('batch_id', '=', row.id),
    )
    const total = Number(counted?.n ?? 0)
    const rows = await payoutRowsPage(ctx, row.id, input.offset, input.limit)
    const payouts = await shapePayouts(ctx, row.id, rows, new AssetCache(ctx))
    const end = input.offset + rows.length
    return {
      batchId: row.id,
      version: row.version,
      offset: input.offset,
      payouts,
      warnings: await readBatchWarnings(ctx, row.id, { payoutIds: rows.map((p) => p.id), wholeFile: false }),
      total,
      nextOffset: end < total ? end : null,
    }
  })
}

async function shapePayouts(ctx: CoreContext, batchId: string, rows: readonly PayoutRow[], assets: AssetCache): Promise<Payout[]> {
  const reversed = await reversedByPayout(ctx, batchId)
  const shaped: Payout[] = []
  for (const p of rows) shaped.push(await toPayout(p, assets, reversed.get(p.id)))
  return shaped
}
