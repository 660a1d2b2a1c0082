/**
 * Approve one version of a batch. Maker-checker, enforced here whatever the UI shows:
 *  - the approver holds the approver role;
 *  - the version approved is the current one (nobody approves something that changed under them);
 *  - whoever created or edited the batch can never approve it;
 *  - one decision per operator per version;
 *  - the daily limits still hold with this batch added.
 * When enough distinct eligible approvers approved the current version, the batch becomes
 * 'approved' in the same transaction.
 */
import type { Operator } from '../../../../shared/workspaceApi'
import { CsError } from '../../../../shared/errors'
import type { BatchDetail } from '../../../../shared/payoutsApi'
import { appendAudit } from '../../audit/appendAudit'
import type { CoreContext } from '../../context'
import type { ApprovalSigner } from '../../operators/approvalSigning'
import { requireRole } from '../../operators/operators'
import { computeBatchDigest } from '../approvals/batchDigest'
import { assertDailyLimits } from '../policy/checkDailyLimits'
import { approvalBlocker } from '../policy/describeApprovalStatus'
import { checkBatchApprovals } from '../approvals/verifyBatchApprovals'
import { getBatch } from './getBatch'
import { listApprovals } from './listApprovals'
import { batchStateOf, getBatchRow } from './readBatch'
import { emitBatchChanged, requireBatchState, transitionBatch } from './transitionBatch'

export interface DecideBatchParameters {
  id: string
  version: number
  comment?: string | undefined
}
export type ApproveBatchReturnType = BatchDetail

export async function approveBatch(
  ctx: CoreContext,
  operator: Operator | null,
  sign: ApprovalSigner | null,
  input: DecideBatchParameters,
): Promise<BatchDetail> {
  const approver = requireRole(operator, 'approver', 'approve batches')
  if (!sign) throw new CsError('OPERATOR_LOCKED', 'Unlock your operator profile with your passphrase before you approve.')
  // Checked and signed outside the transaction (a Ledger waits for a person); checked again inside.
  const before = await getBatchRow(ctx, input.id)
  await checkDecision(ctx, approver, input, 'approve')
  await assertDailyLimits(ctx, before.id)
  const signedDigest = await computeBatchDigest(ctx, before)
  const signature = await sign({ digest: signedDigest.digest, typedData: signedDigest.typedData })
  await ctx.db.tx(async () => {
    const row = await checkDecision(ctx, approver, input, 'approve')
    await assertDailyLimits(ctx, row.id)
    if ((await computeBatchDigest(ctx, row)).digest !== signedDigest.digest) {
      throw new CsError(
        'APPROVAL_STALE',
        `Batch "${row.name}" changed while you were signing — review it again (batches show ${row.id}) and approve the current version.`,
      )
    }
    await ctx.db.run(
      ctx.db.k.insertInto('approvals').values({
        batch_id: row.id,
        version: row.version,
        operator_id: approver.id,
        decision: 'approve',
        comment: emptyToNull(input.comment),
        at: ctx.clock.now().toISOString(),
        key_id: signature.keyId,
        digest: signedDigest.digest,
        signature: signature.signature,
      }),
    )
    await appendAudit(ctx, {
      actor: approver.id,
      action: 'batches.approve',
      subject: `batch:${row.id}`,
      change: {
        version: row.version,
        comment: emptyToNull(input.comment),
        digest: signedDigest.digest,
        keyId: signature.keyId,
        signature: signature.signature,
      },
    })
    // Only signatures that verify count toward 'approved' (a row slipped in with SQL does not).
    const check = await checkBatchApprovals(ctx, row)
    if (check.valid >= check.required) {
      const required = check.required
      const approvers = check.approvals.filter((a) => a.ok).map((a) => a.operatorId)
      await transitionBatch(ctx, approver.id, row.id, 'approved', {
        reason: 'approved',
        expectVersion: row.version,
        details: { required, approvers },
      })
    }
  })
  emitBatchChanged(ctx, input.id)
  return await getBatch(ctx, { id: input.id }, approver)
}

/** The checks approve and reject share; returns the batch row. Runs inside the decision's tx. */
export async function checkDecision(ctx: CoreContext, operator: Operator, input: DecideBatchParameters, verb: 'approve' | 'reject') {
  const row = await getBatchRow(ctx, input.id)
  if (row.version !== input.version) {
    throw new CsError(
      'APPROVAL_STALE',
      `Batch "${row.name}" changed after you reviewed it: you were shown version ${input.version}, it is now version ${row.version} — review it again (batches show ${row.id}) and ${verb} version ${row.version} if it is still right.`,
    )
  }
  requireBatchState(row.name, batchStateOf(row), ['awaiting_approval'], `${verb} it`)
  const blocker = approvalBlocker(row, operator, await listApprovals(ctx, row.id, row.version))
  if (blocker !== null) {
    const hint = blocker.startsWith('you already') ? '' : ' — another approver must'
    throw new CsError('APPROVAL_NOT_ALLOWED', `${operator.name}: ${blocker}${hint}.`)
  }
  return row
}

function emptyToNull(text: string | undefined): string | null {
  const t = text?.trim() ?? ''
  return t === '' ? null : t
}
