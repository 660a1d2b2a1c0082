/** Saved CSV column mappings (one per bank layout), checked against the schema before they are saved. */
import { CsError } from '../../../shared/errors'
import { ERROR_DETAILS_LIST_MAX } from '../../../shared/limits'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { CsvStatementMapping } from './statements/parseCsvStatement'

export async function saveCsvMapping(
  ctx: CoreContext,
  actor: Actor,
  name: string,
  mapping: unknown,
): Promise<{ name: string; updatedAt: string }> {
  const checked = CsvStatementMapping.safeParse(mapping)
  if (!checked.success) {
    const first = checked.error.issues[0]
    const n = checked.error.issues.length
    throw new CsError(
      'STATEMENT_MAPPING_INVALID',
      `The column mapping "${name}" is not valid: ${first ? `${first.path.join('.') || 'mapping'} ${first.message}` : 'unknown problem'}${n > 1 ? ` (and ${n - 1} more)` : ''} — fix it and save it again.`,
      // Every issue with its field, so an editor can show each beside its field.
      {
        details: {
          issues: checked.error.issues.slice(0, ERROR_DETAILS_LIST_MAX).map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      },
    )
  }
  const now = ctx.clock.now().toISOString()
  const text = JSON.stringify(checked.data)
  await ctx.db.tx(async () => {
    const before = await ctx.db.first(ctx.db.k.selectFrom('recon_csv_mappings').select('mapping').where('name', '=', name))
    await ctx.db.run(
      ctx.db.k
        .insertInto('recon_csv_mappings')
        .values({ name, mapping: text, created_by: actor, updated_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ mapping: text, updated_at: now })),
    )
    await appendAudit(ctx, {
      actor,
      action: 'recon.mapping.save',
      subject: `csv-mapping:${name}`,
      change: { before: before ? (JSON.parse(before.mapping) as unknown) : null, after: checked.data },
    })
  })
  return { name, updatedAt: now }
}

export async function listCsvMappings(ctx: CoreContext): Promise<{ name: string; mapping: unknown; updatedAt: string }[]> {
  const rows = await ctx.db.all(ctx.db.k.selectFrom('recon_csv_mappings').selectAll().orderBy('name'))
  return rows.map((r) => ({ name: r.name, mapping: JSON.parse(r.mapping) as unknown, updatedAt: r.updated_at }))
}
