/**
 * The approval policy in force: settings key 'approval_policy', or the default (one approver,
 * no thresholds, no daily limits). Checked against the schema on every read (assert when
 * writing and again when reading), so a hand-edited row fails loudly instead of approving.
 */
import { CsError } from '../../../../shared/errors'
import { ApprovalPolicy, DEFAULT_APPROVAL_POLICY, type PolicySetting } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'

export const APPROVAL_POLICY_KEY = 'approval_policy'

export type GetApprovalPolicyReturnType = PolicySetting

export async function getApprovalPolicy(ctx: CoreContext): Promise<PolicySetting> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('settings').selectAll().where('key', '=', APPROVAL_POLICY_KEY))
  if (!row) return { policy: DEFAULT_APPROVAL_POLICY, updatedAt: null, updatedBy: null }
  let value: unknown
  try {
    value = JSON.parse(row.value)
  } catch (cause) {
    throw storedPolicyBroken(cause)
  }
  const parsed = ApprovalPolicy.safeParse(value)
  if (!parsed.success) throw storedPolicyBroken(parsed.error)
  return { policy: parsed.data, updatedAt: row.updated_at, updatedBy: row.updated_by }
}

/** Just the policy. */
export async function readApprovalPolicy(ctx: CoreContext): Promise<ApprovalPolicy> {
  return (await getApprovalPolicy(ctx)).policy
}

function storedPolicyBroken(cause: unknown): CsError {
  // Refuse every approval rather than fall back to a laxer default.
  return new CsError(
    'POLICY_INVALID',
    'The stored approval policy cannot be read, so no batch can be approved — an admin must set the policy again (settings.policy.set).',
    { cause },
  )
}
