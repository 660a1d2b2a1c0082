/**
 * The approvals of one escrow action, checked the way the payout engine checks a batch's
 * (payouts/approvals/verifyBatchApprovals.ts): each one a signature over the action's digest
 * recomputed NOW from the stored escrow, by a key registered to that operator and valid when they
 * approved, from an active approver (roles and status as the audit chain recorded them) who neither
 * created the escrow nor asked for the action — and enough of them for the policy at the action's
 * amount. A row slipped in with SQL, or an escrow edited after approval, approves nothing.
 *
 * Two kinds of action need no approvals of their own: a dispute (protective: it only stops money)
 * and an automatic release, which the approval of the FUNDING covers (its digest includes the
 * terms, auto-release and every milestone's review end) — for those the funding's approvals are
 * checked instead.
 */
import { CsError } from '../../../shared/errors'
import { parseMinor } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { EscrowActionRow, EscrowRow, OperatorKeyRow } from '../db/schema'
import { verifyApprovalSignature } from '../operators/approvalKeys'
import { auditedOperator, rowDiffersFromAudit } from '../operators/auditedOperator'
import { findOperatorRow } from '../operators/operators'
import { AssetCache } from '../payouts/batches/readBatch'
import { readApprovalPolicy } from '../payouts/policy/getApprovalPolicy'
import { requiredApprovers } from '../payouts/policy/requiredApprovers'
import { computeEscrowDigest } from './escrowDigest'
import { actionsOf, getEscrowRow, milestonesOf } from './escrowRows'

export interface EscrowApprovalCheck {
  operatorId: string
  at: string
  keyFingerprint: string | null
  ok: boolean
  problem: string | null
}

export interface EscrowApprovalsCheck {
  actionId: string
  digest: string
  required: number
  approvals: EscrowApprovalCheck[]
  valid: number
}

export const AUTO_RELEASE_ACTOR = 'system:auto-release'

export async function checkEscrowApprovals(ctx: CoreContext, escrow: EscrowRow, action: EscrowActionRow): Promise<EscrowApprovalsCheck> {
  const milestones = await milestonesOf(ctx, escrow.id)
  const { digest, typedData } = await computeEscrowDigest(ctx, escrow, milestones, action)
  const assets = new AssetCache(ctx)
  const amount = parseMinor(action.amount)
  const totals = new Map([
    [escrow.asset_id, { assetId: escrow.asset_id, rail: escrow.rail as 'evm', network: escrow.network, minor: amount, payouts: 1 }],
  ])
  const { required } = await requiredApprovers(await readApprovalPolicy(ctx), totals, assets)
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('escrow_approvals').selectAll().where('action_id', '=', action.id).where('decision', '=', 'approve').orderBy('at'),
  )
  const makers = new Set([escrow.created_by, action.requested_by])
  const counted = new Set<string>()
  const approvals: EscrowApprovalCheck[] = []
  for (const a of rows) {
    const key: OperatorKeyRow | undefined =
      a.key_id === null ? undefined : await ctx.db.first(ctx.db.k.selectFrom('operator_keys').selectAll().where('id', '=', a.key_id))
    let problem: string | null = null
    if (a.signature === null || key === undefined) problem = 'it carries no signature (it was not made by Countersign)'
    else if (key.operator_id !== a.operator_id) problem = `its key ${key.fingerprint} belongs to another operator`
    else if (key.created_at > a.at || (key.revoked_at !== null && key.revoked_at < a.at))
      problem = `its key ${key.fingerprint} was not this operator's key when they approved`
    else if (a.digest !== digest || !(await verifyApprovalSignature(key, digest, a.signature, typedData)))
      problem = 'its signature does not match the escrow and the action as stored now'
    else problem = await approverProblem(ctx, a.operator_id, makers, counted)
    if (problem === null) counted.add(a.operator_id)
    approvals.push({ operatorId: a.operator_id, at: a.at, keyFingerprint: key?.fingerprint ?? null, ok: problem === null, problem })
  }
  return { actionId: action.id, digest, required, approvals, valid: counted.size }
}

async function approverProblem(
  ctx: CoreContext,
  operatorId: string,
  makers: ReadonlySet<string>,
  counted: ReadonlySet<string>,
): Promise<string | null> {
  const op = await findOperatorRow(ctx, operatorId)
  const audited = await auditedOperator(ctx, operatorId)
  const tampered = op ? rowDiffersFromAudit(op, audited) : 'the approver is not in the workspace'
  if (tampered !== null) return `the approver's profile was changed outside Countersign: ${tampered}`
  if (!audited || audited.status !== 'active') return 'the approver is no longer active'
  if (!audited.roles.includes('approver')) return 'the approver no longer holds the approver role'
  if (makers.has(operatorId)) return 'the approver created the escrow or asked for this action (maker and checker must differ)'
  if (counted.has(operatorId)) return 'the same approver approved twice'
  return null
}

/** Whether an action stands approved now: its own approvals, or the funding's (auto-release), or none needed (dispute). */
export async function actionApprovalProblem(ctx: CoreContext, escrow: EscrowRow, action: EscrowActionRow): Promise<string | null> {
  if (action.kind === 'dispute') return null
  const subject = action.requested_by === AUTO_RELEASE_ACTOR && action.kind === 'release' ? await fundingAction(ctx, escrow) : action
  if (subject !== action && escrow.auto_release !== 1) return 'the escrow was not approved with automatic release'
  const check = await checkEscrowApprovals(ctx, escrow, subject)
  if (check.valid >= check.required) return null
  const bad = check.approvals.find((a) => !a.ok)
  const why = bad ? `; an approval by ${bad.operatorId} does not count: ${bad.problem}` : ''
  return `it has ${check.valid} valid approval(s) of the ${check.required} required${why}`
}

async function fundingAction(ctx: CoreContext, escrow: EscrowRow): Promise<EscrowActionRow> {
  const fund = (await actionsOf(ctx, escrow.id)).find((a) => a.kind === 'fund' && a.state === 'done')
  if (!fund) throw new CsError('ESCROW_NOT_APPROVED', `Escrow "${escrow.name}" was never funded — nothing can be released automatically.`)
  return fund
}

/** The engine's gate before it plans or signs anything for an action; a refusal is audited. */
export async function assertEscrowActionApproved(ctx: CoreContext, action: EscrowActionRow, actor: Actor): Promise<void> {
  const escrow = await getEscrowRow(ctx, action.escrow_id)
  const problem = await actionApprovalProblem(ctx, escrow, action)
  if (problem === null) return
  await ctx.db.tx(async () => {
    await appendAudit(ctx, {
      actor,
      action: 'escrow.execute.refused',
      subject: `escrow:${escrow.id}`,
      change: { actionId: action.id, problem },
    })
  })
  throw new CsError('APPROVAL_SIGNATURE_INVALID', `Escrow action ${action.id} is not approved: ${problem} — nothing was signed or sent.`, {
    details: { escrowId: escrow.id, actionId: action.id },
  })
}
