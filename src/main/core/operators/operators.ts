/** Operator profiles: who sits at the desk. Roles gate what each call may do. */
import type { Operator, Role } from '../../../shared/blocks'
import { CsError } from '../../../shared/errors'
import type { CoreContext } from '../context'
import type { OperatorKeyRow, OperatorRow } from '../db/schema'
import { toApprovalKeyInfo } from './approvalKeys'

/** The actor recorded when the very first operator of an empty workspace is created. */
export const BOOTSTRAP_ACTOR = 'bootstrap'

export function toOperator(row: OperatorRow, key: OperatorKeyRow | null | undefined): Operator {
  return {
    id: row.id,
    name: row.name,
    roles: JSON.parse(row.roles) as Role[],
    createdAt: row.created_at,
    status: row.status as Operator['status'],
    passphraseSet: row.passphrase !== null,
    approvalKey: key ? toApprovalKeyInfo(key) : null,
  }
}

/** The key an operator's approvals are signed with now (at most one is unrevoked). */
export async function activeKeyOf(ctx: CoreContext, operatorId: string): Promise<OperatorKeyRow | undefined> {
  return await ctx.db.first(
    ctx.db.k
      .selectFrom('operator_keys')
      .selectAll()
      .where('operator_id', '=', operatorId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc'),
  )
}

export async function listOperators(ctx: CoreContext): Promise<Operator[]> {
  const rows = await ctx.db.all(ctx.db.k.selectFrom('operators').selectAll().orderBy('name'))
  const keys = await ctx.db.all(ctx.db.k.selectFrom('operator_keys').selectAll().where('revoked_at', 'is', null))
  const byOperator = new Map(keys.map((k) => [k.operator_id, k]))
  return rows.map((r) => toOperator(r, byOperator.get(r.id)))
}

export async function findOperatorRow(ctx: CoreContext, idOrName: string): Promise<OperatorRow | undefined> {
  return (
    (await ctx.db.first(ctx.db.k.selectFrom('operators').selectAll().where('id', '=', idOrName))) ??
    (await ctx.db.first(ctx.db.k.selectFrom('operators').selectAll().where('name', '=', idOrName)))
  )
}

export async function findOperator(ctx: CoreContext, idOrName: string): Promise<Operator | undefined> {
  const row = await findOperatorRow(ctx, idOrName)
  return row ? toOperator(row, await activeKeyOf(ctx, row.id)) : undefined
}

export async function getOperator(ctx: CoreContext, id: string): Promise<Operator> {
  const op = await findOperator(ctx, id)
  if (!op) throw new CsError('OPERATOR_NOT_FOUND', `There is no operator "${id}" in this workspace — pick a profile from the list.`)
  return op
}

export async function countOperators(ctx: CoreContext): Promise<number> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('operators').select((eb) => eb.fn.countAll<number>().as('n')))
  return Number(row?.n ?? 0)
}

/** Active admins (passphrase set or not: an invited admin is not yet one who can approve). */
export async function activeAdmins(ctx: CoreContext): Promise<Operator[]> {
  return (await listOperators(ctx)).filter((o) => o.status === 'active' && o.roles.includes('admin'))
}

/** Throws ROLE_REQUIRED (or OPERATOR_REQUIRED / OPERATOR_INACTIVE) unless `operator` is active and holds `role`. */
export function requireRole(operator: Operator | null, role: Role, what: string): Operator {
  if (!operator)
    throw new CsError('OPERATOR_REQUIRED', `Unlock your operator profile before you ${what} (CLI: --as NAME with your passphrase).`)
  if (operator.status !== 'active')
    throw new CsError('OPERATOR_INACTIVE', `${operator.name} is ${operator.status} and cannot ${what} — ask an admin.`)
  if (!operator.roles.includes(role)) {
    throw new CsError(
      'ROLE_REQUIRED',
      `${operator.name} cannot ${what}: that needs the ${role} role — ask an admin to grant it, or switch operator.`,
    )
  }
  return operator
}

export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 40)
  return s.length > 0 ? s : 'operator'
}

export async function uniqueOperatorId(ctx: CoreContext, base: string, taken: ReadonlySet<string> = new Set()): Promise<string> {
  for (let i = 1; i < 10_000; i++) {
    const id = i === 1 ? base : `${base}-${i}`
    if (taken.has(id)) continue
    if (!(await ctx.db.first(ctx.db.k.selectFrom('operators').select('id').where('id', '=', id)))) return id
  }
  throw new CsError('OPERATOR_EXISTS', `Too many operators are named like "${base}" — pick another name.`)
}
