/** Operator profiles: who sits at the desk. Roles gate what each call may do. */
import type { Operator } from '../../../shared/workspaceApi'
import type { Role } from '../../../shared/blocks'
import { CsError } from '../../../shared/errors'
import { appendAudit } from '../audit/appendAudit'
import type { CoreContext } from '../context'
import type { OperatorRow } from '../db/schema'
import { unreachable } from '../util/invariant'

/** The actor recorded when the very first operator of an empty workspace is created. */
export const BOOTSTRAP_ACTOR = 'bootstrap'

export function toOperator(row: OperatorRow): Operator {
  return { id: row.id, name: row.name, roles: JSON.parse(row.roles) as Role[], createdAt: row.created_at }
}

export async function listOperators(ctx: CoreContext): Promise<Operator[]> {
  return (await ctx.db.all(ctx.db.k.selectFrom('operators').selectAll().orderBy('name'))).map(toOperator)
}

export async function findOperator(ctx: CoreContext, idOrName: string): Promise<Operator | undefined> {
  const row = await ctx.db.first(
    ctx.db.k
      .selectFrom('operators')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])),
  )
  return row ? toOperator(row) : undefined
}

export async function countOperators(ctx: CoreContext): Promise<number> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('operators').select((eb) => eb.fn.countAll<number>().as('n')))
  return Number(row?.n ?? 0)
}

/**
 * Add an operator. Needs an admin, except on an empty workspace, where the first profile is
 * created by 'bootstrap' and must hold the admin role (someone has to be able to add the rest).
 */
export async function addOperator(ctx: CoreContext, actor: Operator | null, input: { name: string; roles: Role[] }): Promise<Operator> {
  const roles = [...new Set(input.roles)].sort() as Role[]
  const name = input.name.trim()
  const op = await ctx.db.tx(async () => {
    const empty = (await countOperators(ctx)) === 0
    if (!empty) requireRole(actor, 'admin', 'add operators')
    if (empty && !roles.includes('admin')) {
      throw new CsError('ROLE_REQUIRED', 'The first operator of a workspace must have the admin role — add it with --role admin.')
    }
    if (await findOperator(ctx, name))
      throw new CsError('OPERATOR_EXISTS', `An operator named "${name}" already exists — pick another name.`)
    const id = await uniqueId(ctx, slug(name))
    const row: OperatorRow = { id, name, roles: JSON.stringify(roles), created_at: ctx.clock.now().toISOString() }
    await ctx.db.run(ctx.db.k.insertInto('operators').values(row))
    await appendAudit(ctx, {
      actor: actor?.id ?? BOOTSTRAP_ACTOR,
      action: 'operators.add',
      subject: `operator:${id}`,
      change: { name, roles },
    })
    return toOperator(row)
  })
  ctx.events.emit('operators.changed', {})
  return op
}

/** Throws ROLE_REQUIRED (or OPERATOR_REQUIRED) unless `operator` holds `role`. */
export function requireRole(operator: Operator | null, role: Role, what: string): Operator {
  if (!operator)
    throw new CsError('OPERATOR_REQUIRED', `Choose who you are before you ${what} — pick your operator profile (CLI: --as NAME).`)
  if (!operator.roles.includes(role)) {
    throw new CsError(
      'ROLE_REQUIRED',
      `${operator.name} cannot ${what}: that needs the ${role} role — ask an admin to grant it, or switch operator.`,
    )
  }
  return operator
}

function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 40)
  return s.length > 0 ? s : 'operator'
}

async function uniqueId(ctx: CoreContext, base: string): Promise<string> {
  for (let i = 1; i < 10_000; i++) {
    const id = i === 1 ? base : `${base}-${i}`
    if (!(await ctx.db.first(ctx.db.k.selectFrom('operators').select('id').where('id', '=', id)))) return id
  }
  unreachable('could not find a free operator id')
}
