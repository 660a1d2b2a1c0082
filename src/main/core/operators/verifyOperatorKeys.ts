/**
 * Keys and signatures, checked from the stored rows: each approval key is the one the audit
 * chain recorded when it was made (a key swapped in with SQL is caught), and every stored
 * approval is a valid signature by its key — over the batch as stored now for the current
 * version, over its recorded digest for older versions (whose payouts were since edited).
 */
import type { KeyVerification } from '../../../shared/operatorsApi'
import type { CoreContext } from '../context'
import { verifyApprovalSignature } from './approvalKeys'
import { checkBatchApprovals } from '../payouts/approvals/verifyBatchApprovals'
import { checkEscrowApprovals } from '../escrow/checkEscrowApprovals'
import { getEscrowRow } from '../escrow/escrowRows'
import { adminChangeTypedData, batchApprovalTypedData } from './typedData'
import { auditedOperator, rowDiffersFromAudit } from './auditedOperator'
import { changeDigest } from './adminChanges'

export async function verifyOperatorKeys(ctx: CoreContext): Promise<KeyVerification> {
  const operators = await ctx.db.all(ctx.db.k.selectFrom('operators').selectAll().orderBy('name'))
  const keys = await ctx.db.all(ctx.db.k.selectFrom('operator_keys').selectAll())
  const recorded = await ctx.db.all(
    ctx.db.k
      .selectFrom('audit_log')
      .select(['subject', 'change'])
      .where('action', 'in', ['operators.activate', 'operators.claim', 'operators.key']),
  )
  const recordedKeys = new Set<string>()
  for (const r of recorded) {
    const key = (JSON.parse(r.change) as { key?: { id?: string; publicKey?: string } }).key
    if (key?.id && key.publicKey) recordedKeys.add(`${r.subject}|${key.id}|${key.publicKey.toLowerCase()}`)
  }
  const keyProblem = new Map<string, string>()
  for (const k of keys) {
    if (!recordedKeys.has(`operator:${k.operator_id}|${k.id}|${k.public_key.toLowerCase()}`))
      keyProblem.set(k.operator_id, `key ${k.fingerprint} is not the key the audit log recorded for this operator`)
  }
  const out: KeyVerification = { operators: [], approvals: { checked: 0, valid: 0, broken: [] } }
  for (const o of operators) {
    const active = keys.find((k) => k.operator_id === o.id && k.revoked_at === null)
    const problem = keyProblem.get(o.id) ?? rowDiffersFromAudit(o, await auditedOperator(ctx, o.id))
    out.operators.push({
      id: o.id,
      name: o.name,
      status: o.status,
      fingerprint: active?.fingerprint ?? null,
      ok: problem === null,
      problem,
    })
  }
  // Every admin change applied with a signature: the decider's key signed exactly this change.
  const changes = await ctx.db.all(ctx.db.k.selectFrom('admin_changes').selectAll().where('signature', 'is not', null))
  for (const c of changes) {
    const key = c.key_id ? keys.find((k) => k.id === c.key_id) : undefined
    const typed = () => adminChangeTypedData({ changeId: c.id, summary: c.summary, digest: c.digest })
    const ok =
      key !== undefined &&
      key.operator_id === c.decided_by &&
      changeDigest(c) === c.digest &&
      (await verifyApprovalSignature(key, c.digest, c.signature!, typed))
    if (!ok) {
      const who = out.operators.find((o) => o.id === c.subject_id)
      const problem = `admin change ${c.id} (${c.summary}) was altered after it was signed`
      if (who && who.ok) Object.assign(who, { ok: false, problem })
      else if (!who) out.operators.push({ id: c.subject_id, name: c.subject_id, status: 'setting', fingerprint: null, ok: false, problem })
    }
  }
  const byId = new Map(keys.map((k) => [k.id, k]))
  const batches = await ctx.db.all(ctx.db.k.selectFrom('batches').selectAll().orderBy('created_at'))
  for (const batch of batches) {
    const rows = await ctx.db.all(
      ctx.db.k.selectFrom('approvals').selectAll().where('batch_id', '=', batch.id).where('decision', '=', 'approve'),
    )
    if (rows.length === 0) continue
    const current = rows.some((r) => r.version === batch.version) ? await checkBatchApprovals(ctx, batch) : null
    for (const a of rows) {
      out.approvals.checked++
      let problem: string | null
      if (a.version === batch.version && current) {
        problem = current.approvals.find((c) => c.operatorId === a.operator_id && c.version === a.version)?.problem ?? null
        // Role changes after approval do not make a signature false; only the signature is judged here.
        if (problem !== null && /no longer|maker and checker|approved twice/.test(problem)) problem = null
      } else {
        const key = a.key_id ? byId.get(a.key_id) : undefined
        if (!key || a.signature === null || a.digest === null) problem = 'it carries no signature (it was not made by Countersign)'
        else if (key.operator_id !== a.operator_id) problem = `its key ${key.fingerprint} belongs to another operator`
        else {
          const digest = a.digest
          const typed = () =>
            batchApprovalTypedData({ batchId: batch.id, batch: batch.name, version: a.version, payouts: 0, totals: '', digest })
          // A Ledger signature binds the device-shown fields of its version, which are not kept; the ed25519 one is checked in full.
          problem =
            key.kind === 'ed25519' && !(await verifyApprovalSignature(key, digest, a.signature, typed))
              ? 'its signature does not verify against its key'
              : null
        }
      }
      if (problem === null) out.approvals.valid++
      else out.approvals.broken.push({ batchId: batch.id, version: a.version, operatorId: a.operator_id, problem })
    }
  }
  await verifyEscrowApprovalSignatures(ctx, out)
  return out
}

/** Escrow action approvals, judged the same way: only the signature, not later role changes. Reported under the action's id. */
async function verifyEscrowApprovalSignatures(ctx: CoreContext, out: KeyVerification): Promise<void> {
  const actions = await ctx.db.all(
    ctx.db.k
      .selectFrom('escrow_actions')
      .selectAll()
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('escrow_approvals')
            .select('action_id')
            .whereRef('escrow_approvals.action_id', '=', 'escrow_actions.id')
            .where('decision', '=', 'approve'),
        ),
      )
      .orderBy('requested_at'),
  )
  for (const action of actions) {
    const escrow = await getEscrowRow(ctx, action.escrow_id)
    const check = await checkEscrowApprovals(ctx, escrow, action)
    for (const a of check.approvals) {
      out.approvals.checked++
      const problem = a.problem !== null && /no longer|maker and checker|approved twice|changed outside/.test(a.problem) ? null : a.problem
      if (problem === null) out.approvals.valid++
      else
        out.approvals.broken.push({
          batchId: action.id,
          version: 1,
          operatorId: a.operatorId,
          problem: `escrow action ${action.id}: ${problem}`,
        })
    }
  }
}
