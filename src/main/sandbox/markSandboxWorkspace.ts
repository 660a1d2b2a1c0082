/**
 * A sandbox workspace is marked as one in `meta`, so demo money is only ever seeded into a folder
 * that was empty or already a sandbox — never into real books by a mistyped --data-dir.
 */
import { CsError } from '../../shared/errors'
import { appendAudit } from '../core/audit/appendAudit'
import { SYSTEM_ACTOR, type CoreContext } from '../core/context'

/** meta key; value is JSON `{ "markedAt": ISO timestamp }`. */
import { SANDBOX_META_KEY } from '../core/api/handlers'

export { SANDBOX_META_KEY }

export async function isSandboxWorkspace(ctx: CoreContext): Promise<boolean> {
  return (await ctx.db.first(ctx.db.k.selectFrom('meta').select('value').where('key', '=', SANDBOX_META_KEY))) !== undefined
}

/**
 * Mark the workspace as a sandbox if it is empty (no operators, accounts or entries); accept it if
 * it is marked already; refuse anything else. Returns true when it marked it just now.
 */
export async function markSandboxWorkspace(ctx: CoreContext, dataDir: string): Promise<boolean> {
  return await ctx.db.tx(async () => {
    if (await isSandboxWorkspace(ctx)) return false
    const used =
      (await ctx.db.first(ctx.db.k.selectFrom('operators').select('id').limit(1))) ??
      (await ctx.db.first(ctx.db.k.selectFrom('accounts').select('id').limit(1))) ??
      (await ctx.db.first(ctx.db.k.selectFrom('entries').select('id').limit(1)))
    if (used) {
      throw new CsError(
        'DATA_DIR_INVALID',
        `${dataDir} holds a real workspace (it has operators, accounts or entries and was not made by "sandbox up") — the sandbox seeds demo money only into an empty folder or a sandbox; choose another folder with --data-dir.`,
      )
    }
    const markedAt = ctx.clock.now().toISOString()
    await ctx.db.run(ctx.db.k.insertInto('meta').values({ key: SANDBOX_META_KEY, value: JSON.stringify({ markedAt }) }))
    await appendAudit(ctx, { actor: SYSTEM_ACTOR, action: 'workspace.markSandbox', subject: 'workspace', change: { sandbox: true } })
    return true
  })
}
