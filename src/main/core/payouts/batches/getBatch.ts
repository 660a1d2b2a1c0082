/** One batch in full: payouts, exact totals per asset and per rail, approvals, and the policy explained for `operator`. */
import type { Operator } from '../../../../shared/workspaceApi'
import type { BatchDetail, Payout } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import { describeApprovalStatus } from '../policy/describeApprovalStatus'
import { lastRejection, listApprovals } from './listApprovals'
import { checkBatchApprovals } from '../approvals/verifyBatchApprovals'
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
import { signingStoppedOf } from './signingStopped'
import { readBatchWarnings } from './batchWarnings'
import { getRailsSetting } from '../../rails/getRailsSetting'
import { countDeviceConfirmations } from './countDeviceConfirmations'

export interface GetBatchParameters {
  id: string
}
export type GetBatchReturnType = BatchDetail

export async function getBatch(ctx: CoreContext, input: GetBatchParameters, operator: Operator | null): Promise<BatchDetail> {
  // One read transaction: the payouts, totals and approvals all describe the same version.
  return await ctx.db.tx(async () => {
    const row = await getBatchRow(ctx, input.id)
    const payouts = await payoutRowsOf(ctx, row.id)
    const assets = new AssetCache(ctx)
    const totals = await sumByAsset(payouts, assets)
    // Each signature checked against the batch as stored now (the panel shows verified or not).
    const check = await checkBatchApprovals(ctx, row)
    const approvals = (await listApprovals(ctx, row.id, row.version)).map((a) => {
      if (a.decision !== 'approve' || a.signature === 'missing') return a
      const c = check.approvals.find((x) => x.operatorId === a.operatorId && x.version === a.version)
      return { ...a, signature: c?.ok === true ? ('verified' as const) : ('invalid' as const) }
    })
    const reversed = await reversedByPayout(ctx, row.id)
    const stopped = await signingStoppedOf(ctx, [{ id: row.id, state: batchStateOf(row) }])
    const batch = await toSummary(row, payouts, assets, stopped.get(row.id) ?? null)
    const shaped: Payout[] = []
    for (const p of payouts) shaped.push(await toPayout(p, assets, reversed.get(p.id)))
    const issuers = new Map<string, { issuer: string | null }>()
    for (const assetId of totals.keys()) issuers.set(assetId, { issuer: (await assets.get(assetId)).issuer })
    const signingPlan = countDeviceConfirmations({ payouts, assets: issuers, rails: (await getRailsSetting(ctx)).rails })
    return {
      batch,
      payouts: shaped,
      totalsByRail: await toRailTotals(totals, assets),
      approvals,
      lastRejection: await lastRejection(ctx, row.id),
      approvalStatus: await describeApprovalStatus(ctx, row, batchStateOf(row), totals, assets, approvals, operator),
      warnings: await readBatchWarnings(ctx, row.id),
      signingPlan,
    }
  })
}
