/**
 * audit.facets: what the audit log can be filtered by — every actor and every action it holds, so
 * the filters offer only values that match something. Each is a DISTINCT over its own index
 * ((actor, seq), (action, seq)): the index is read, never the rows.
 */
import type { CoreContext } from '../context'

export async function listAuditFacets(ctx: CoreContext): Promise<{ actors: string[]; actions: string[] }> {
  const actors = await ctx.db.all(ctx.db.k.selectFrom('audit_log').select('actor').distinct().orderBy('actor'))
  const actions = await ctx.db.all(ctx.db.k.selectFrom('audit_log').select('action').distinct().orderBy('action'))
  // Sorted again in JS: the two backends' collations may order text differently; the UI needs one order.
  return { actors: actors.map((r) => r.actor).sort(byCodePoint), actions: actions.map((r) => r.action).sort(byCodePoint) }
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
