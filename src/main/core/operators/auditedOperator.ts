/**
 * An operator as the audit chain recorded them: roles and status replayed from their audit rows
 * (added, roles changed, deactivated, re-invited, activated). The operators table is a cache of
 * this; a row edited with SQL — an approver role granted, a deactivation undone — no longer
 * matches, and the engine and `audit verify` go by the chain, not the row.
 */
import type { Role } from '../../../shared/blocks'
import type { CoreContext } from '../context'

export interface AuditedOperator {
  roles: Role[]
  status: 'invited' | 'active' | 'deactivated'
}

export async function auditedOperator(ctx: CoreContext, operatorId: string): Promise<AuditedOperator | null> {
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('audit_log').select(['action', 'change']).where('subject', '=', `operator:${operatorId}`).orderBy('seq'),
  )
  let state: AuditedOperator | null = null
  for (const r of rows) {
    const change = JSON.parse(r.change) as { roles?: Role[]; to?: Role[]; status?: string }
    switch (r.action) {
      case 'operators.add':
        // Before signed approvals an added operator was active at once (no status recorded).
        state = { roles: [...(change.roles ?? [])].sort(), status: change.status === 'invited' ? 'invited' : 'active' }
        break
      case 'operators.roles':
        if (state) state.roles = [...(change.to ?? [])].sort()
        break
      case 'operators.deactivate':
        if (state) state.status = 'deactivated'
        break
      case 'operators.reinvite':
        if (state) state.status = 'invited'
        break
      case 'operators.activate':
      case 'operators.claim':
        if (state) state.status = 'active'
        break
    }
  }
  return state
}

/** Why the stored row differs from the chain, or null when it does not. */
export function rowDiffersFromAudit(row: { roles: string; status: string }, audited: AuditedOperator | null): string | null {
  if (!audited) return 'it was never added through Countersign (no audit record)'
  const roles = [...(JSON.parse(row.roles) as string[])].sort()
  if (roles.join(',') !== audited.roles.join(','))
    return `its roles (${roles.join(', ')}) are not what the audit log recorded (${audited.roles.join(', ')})`
  if (row.status !== audited.status) return `its status (${row.status}) is not what the audit log recorded (${audited.status})`
  return null
}
