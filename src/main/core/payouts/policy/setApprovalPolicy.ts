/**
 * Replace the approval policy (admin). Amounts are checked against each asset's scale and stored
 * canonical ("10000" for USDC becomes "10000.000000"); a daily limit's rail must be its asset's.
 */
import { CsError } from '../../../../shared/errors'
import { formatAmount, parseAmount } from '../../../../shared/money'
import type { ApprovalPolicy, PolicySetting } from '../../../../shared/payoutsApi'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import { findAsset } from '../../ledger'
import { APPROVAL_POLICY_KEY, getApprovalPolicy } from './getApprovalPolicy'

export type SetApprovalPolicyParameters = ApprovalPolicy
export type SetApprovalPolicyReturnType = PolicySetting

export async function setApprovalPolicy(ctx: CoreContext, actorId: Actor, input: ApprovalPolicy): Promise<PolicySetting> {
  const policy = await canonicalPolicy(ctx, input)
  return await ctx.db.tx(async () => {
    const before = await getApprovalPolicy(ctx)
    const now = ctx.clock.now().toISOString()
    const value = JSON.stringify(policy)
    await ctx.db.run(
      ctx.db.k
        .insertInto('settings')
        .values({ key: APPROVAL_POLICY_KEY, value, updated_at: now, updated_by: actorId })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now, updated_by: actorId })),
    )
    await appendAudit(ctx, {
      actor: actorId,
      action: 'settings.policy.set',
      subject: 'settings:approval_policy',
      change: { before: before.policy, after: policy },
    })
    return await getApprovalPolicy(ctx)
  })
}

export async function canonicalPolicy(ctx: CoreContext, input: ApprovalPolicy): Promise<ApprovalPolicy> {
  const thresholds: ApprovalPolicy['thresholds'] = []
  for (const [i, t] of input.thresholds.entries()) {
    const asset = await findAsset(ctx, t.assetId)
    if (!asset) throw invalid(`threshold ${i + 1}: there is no asset "${t.assetId}" — use an id from the assets list, e.g. USDC@evm:8453`)
    const above = canonicalAmount(t.above, asset.scale, asset.code, `threshold ${i + 1}`)
    if (t.approversMin < input.approversMin) {
      throw invalid(
        `threshold ${i + 1} asks for ${t.approversMin} approver(s), fewer than the ${input.approversMin} every batch needs — raise it or remove it`,
      )
    }
    thresholds.push({ assetId: t.assetId, above, approversMin: t.approversMin })
  }
  const seenThresholds = new Set<string>()
  for (const t of thresholds) {
    const key = `${t.assetId} ${t.above}`
    if (seenThresholds.has(key)) throw invalid(`two thresholds for ${t.assetId} above ${t.above} — keep one`)
    seenThresholds.add(key)
  }
  const seenLimits = new Set<string>()
  const dailyLimits: ApprovalPolicy['dailyLimits'] = []
  for (const [i, l] of input.dailyLimits.entries()) {
    const asset = await findAsset(ctx, l.assetId)
    if (!asset) throw invalid(`daily limit ${i + 1}: there is no asset "${l.assetId}" — use an id from the assets list`)
    if (asset.rail !== l.rail) throw invalid(`daily limit ${i + 1}: ${l.assetId} is paid on the ${asset.rail} rail, not ${l.rail}`)
    const key = `${l.rail} ${l.assetId}`
    if (seenLimits.has(key)) throw invalid(`two daily limits for ${l.assetId} on ${l.rail} — keep one`)
    seenLimits.add(key)
    dailyLimits.push({
      rail: l.rail,
      assetId: l.assetId,
      amount: canonicalAmount(l.amount, asset.scale, asset.code, `daily limit ${i + 1}`),
    })
  }
  // Sorted, so the stored JSON (and the audit row) does not depend on the order it was typed in.
  thresholds.sort((a, b) => a.assetId.localeCompare(b.assetId) || cmpDecimal(a.above, b.above))
  dailyLimits.sort((a, b) => a.rail.localeCompare(b.rail) || a.assetId.localeCompare(b.assetId))
  return { approversMin: input.approversMin, thresholds, dailyLimits }
}

function canonicalAmount(text: string, scale: number, code: string, where: string): string {
  try {
    return formatAmount(parseAmount(text, scale, { allowZero: true, assetLabel: code }), scale)
  } catch (error) {
    throw invalid(`${where}: ${(error as Error).message.replace(/\.$/, '')}`)
  }
}

/** Compare canonical non-negative decimals of the same scale. */
function cmpDecimal(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

function invalid(sentence: string): CsError {
  return new CsError('POLICY_INVALID', `The approval policy was not changed: ${sentence}.`)
}
