/**
 * How many distinct eligible approvers a batch needs: the policy minimum, raised by every
 * per-asset threshold its total of that asset is strictly above (the highest wins).
 */
import { formatAmountGrouped, parseAmount } from '../../../../shared/money'
import type { ApprovalPolicy } from '../../../../shared/payoutsApi'
import type { AssetCache, ExactTotal } from '../batches/readBatch'

export interface RequiredApproversReturnType {
  required: number
  /** Why, as a clause for people: "its USDC total 150,000.000000 is above 100,000.000000". Null at the minimum. */
  because: string | null
}

export async function requiredApprovers(
  policy: ApprovalPolicy,
  totals: ReadonlyMap<string, ExactTotal>,
  assets: AssetCache,
): Promise<RequiredApproversReturnType> {
  let required = policy.approversMin
  let because: string | null = null
  for (const t of policy.thresholds) {
    const total = totals.get(t.assetId)
    if (!total) continue
    const asset = await assets.get(t.assetId)
    const above = parseAmount(t.above, asset.scale, { allowZero: true })
    if (total.minor > above && t.approversMin > required) {
      required = t.approversMin
      because = `its ${asset.code} total ${formatAmountGrouped(total.minor, asset.scale)} (${t.assetId}) is above ${formatAmountGrouped(above, asset.scale)}`
    }
  }
  return { required, because }
}
