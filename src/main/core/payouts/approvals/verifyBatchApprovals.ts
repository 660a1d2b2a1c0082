/**
 * What the engine checks before it plans or signs anything: the approvals of the batch's current
 * version, each one a signature over the batch digest recomputed *now* from the stored payouts,
 * by a key registered to that operator and valid when they approved, from an active operator who
 * holds the approver role and neither created nor edited the batch — and enough of them for the
 * policy. A row inserted with SQL (no valid signature), an approval of another version, a payout
 * edited after approval (another digest) or a revoked approver: refused, with the reason.
 */
import { CsError } from '../../../../shared/errors'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import type { BatchRow, OperatorKeyRow } from '../../db/schema'
import { verifyApprovalSignature } from '../../operators/approvalKeys'
import { findOperatorRow } from '../../operators/operators'
import { auditedOperator, rowDiffersFromAudit } from '../../operators/auditedOperator'
import { AssetCache, editorsOf, getBatchRow } from '../batches/readBatch'
import { readApprovalPolicy } from '../policy/getApprovalPolicy'
import { requiredApprovers } from '../policy/requiredApprovers'
import { computeBatchDigest, type BatchDigest } from './batchDigest'

export interface ApprovalCheck {
  operatorId: string
  version: number
  keyFingerprint: string | null
  ok: boolean
  /** Why it does not count, as a clause; null when it does. */
  problem: string | null
}

export interface BatchApprovalsCheck {
  batchId: string
  version: number
  digest: BatchDigest
  required: number
  /** Every approve decision recorded for the batch (all versions), checked. */
  approvals: ApprovalCheck[]
  valid: number
}

export async function checkBatchApprovals(ctx: CoreContext, batch: BatchRow): Promise<BatchApprovalsCheck> {
  const assets = new AssetCache(ctx)
  const digest = await computeBatchDigest(ctx, batch, assets)
  const { required } = await requiredApprovers(await readApprovalPolicy(ctx), digest.exactTotals, assets)
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('approvals').selectAll().where('batch_id', '=', batch.id).where('decision', '=', 'approve').orderBy('at'),
  )
  const editors = new Set([batch.created_by, ...editorsOf(batch)])
  const counted = new Set<string>()
  const approvals: ApprovalCheck[] = []
  for (const a of rows) {
    const key: OperatorKeyRow | undefined =
      a.key_id === null ? undefined : await ctx.db.first(ctx.db.k.selectFrom('operator_keys').selectAll().where('id', '=', a.key_id))
    const problem = await (async (): Promise<string | null> => {
      if (a.version !== batch.version) return `it approves version ${a.version}, not the current version ${batch.version}`
      if (a.signature === null || key === undefined) return 'it carries no signature (it was not made by Countersign)'
      if (key.operator_id !== a.operator_id) return `its key ${key.fingerprint} belongs to another operator`
      if (key.created_at > a.at || (key.revoked_at !== null && key.revoked_at < a.at))
        return `its key ${key.fingerprint} was not this operator's key when they approved`
      if (a.digest !== digest.digest || !(await verifyApprovalSignature(key, digest.digest, a.signature, digest.typedData)))
        return 'its signature does not match the batch as stored now (a payout, the batch or the policy changed after approval)'
      const op = await findOperatorRow(ctx, a.operator_id)
      // Roles and status as the audit chain recorded them: a role granted with SQL does not count.
      const audited = await auditedOperator(ctx, a.operator_id)
      const tampered = op ? rowDiffersFromAudit(op, audited) : 'the approver is not in the workspace'
      if (tampered !== null) return `the approver's profile was changed outside Countersign: ${tampered}`
      if (!audited || audited.status !== 'active') return 'the approver is no longer active'
      if (!audited.roles.includes('approver')) return 'the approver no longer holds the approver role'
      if (editors.has(a.operator_id)) return 'the approver created or edited the batch (maker and checker must differ)'
      if (counted.has(a.operator_id)) return 'the same approver approved twice'
      return null
    })()
    if (problem === null) counted.add(a.operator_id)
    approvals.push({
      operatorId: a.operator_id,
      version: a.version,
      keyFingerprint: key?.fingerprint ?? null,
      ok: problem === null,
      problem,
    })
  }
  return { batchId: batch.id, version: batch.version, digest, required, approvals, valid: counted.size }
}

/**
 * Refuse (APPROVAL_SIGNATURE_INVALID) unless the current version carries enough valid signed
 * approvals. The refusal is audited in its own transaction, so it stays on record.
 */
export async function assertBatchApprovalsVerified(ctx: CoreContext, batchId: string, actor: Actor): Promise<BatchApprovalsCheck> {
  const batch = await getBatchRow(ctx, batchId)
  const check = await checkBatchApprovals(ctx, batch)
  if (check.valid >= check.required) return check
  const broken = check.approvals.filter((a) => !a.ok && a.version === batch.version)
  const first = broken[0]
  const why =
    first !== undefined
      ? `the approval recorded for ${first.operatorId} does not count: ${first.problem}`
      : `it has ${check.valid} valid signed approval(s) of version ${batch.version} and needs ${check.required}`
  await ctx.db.tx(async () => {
    await appendAudit(ctx, {
      actor,
      action: 'batches.execute.refused',
      subject: `batch:${batchId}`,
      change: {
        version: batch.version,
        digest: check.digest.digest,
        valid: check.valid,
        required: check.required,
        broken: broken.map((b) => ({ operatorId: b.operatorId, problem: b.problem })),
      },
    })
  })
  throw new CsError(
    'APPROVAL_SIGNATURE_INVALID',
    `Batch "${batch.name}" will not be executed: ${why}. Nothing was signed or sent. If the batch is right, have it approved again; otherwise restore it from a backup and check the audit log (Audit shows whether its chain verifies).`,
    { details: { batchId, valid: check.valid, required: check.required }, cliHint: 'countersign audit verify' },
  )
}
