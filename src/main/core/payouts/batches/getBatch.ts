/** One batch in full: payouts, exact totals per asset and per rail, approvals, and the policy explained for `operator`. */
import type { Operator } from '../../../../shared/workspaceApi'
import type { BatchDetail } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import { describeApprovalStatus } from '../policy/describeApprovalStatus'
import { lastRejection, listApprovals } from './listApprovals'
import {
  AssetCache,
  batchStateOf,
  getBatchRow,
  payoutRowsOf,
  reversedByPayout,
  sumByAsset,
  toPayout,
  toRailTotals,
  toSummary,
} from './readBatch'

export interface GetBatchParameters {
  id: string
}
export type GetBatchReturnType = BatchDetail

export function getBatch(ctx: CoreContext, input: GetBatchParameters, operator: Operator | null): BatchDetail {
  // One read transaction: the payouts, totals and approvals all describe the same version.
  return ctx.db.tx(() => {
    const row = getBatchRow(ctx, input.id)
    const payouts = payoutRowsOf(ctx, row.id)
    const assets = new AssetCache(ctx)
    const totals = sumByAsset(payouts, assets)
    const approvals = listApprovals(ctx, row.id, row.version)
    const reversed = reversedByPayout(ctx, row.id)
    return {
      batch: toSummary(row, payouts, assets),
      payouts: payouts.map((p) => toPayout(p, assets, reversed.get(p.id))),
      totalsByRail: toRailTotals(totals, assets),
      approvals,
      lastRejection: lastRejection(ctx, row.id),
      approvalStatus: describeApprovalStatus(ctx, row, batchStateOf(row), totals, assets, approvals, operator),
    }
  })
}
