/**
 * The rows of the audit log an AuditFilter matches, as a query to select from — the one place the
 * list (audit.list), the export (audit.export) and the CLI's filters are read, so they can never
 * disagree about which rows a filter means.
 *
 * Each field is an index (migrations 0001 and 0015): subject, actor and action are equalities on
 * (column, seq), so newest-first pages come straight from the index; the date range is a range on
 * `at` (ISO-8601 UTC text, which sorts as time on both backends). `at` is stored by
 * Date.toISOString() (always milliseconds and a Z), so an instant in a filter is written the same
 * way before it is compared as text.
 */
import { AUDIT_SYSTEM_ACTOR, type AuditFilter } from '../../../shared/workspaceApi'
import { CsError } from '../../../shared/errors'
import type { CoreContext } from '../context'

/** The audit rows `f` matches (`a` is audit_log). */
export function filterAuditRows(ctx: CoreContext, f: AuditFilter) {
  let q = ctx.db.k.selectFrom('audit_log as a')
  if (f.subject !== undefined) q = q.where('a.subject', '=', f.subject)
  if (f.actor !== undefined) q = q.where('a.actor', '=', f.actor)
  if (f.actions !== undefined) q = q.where('a.action', 'in', [...new Set(f.actions)])
  if (f.hideSystem === true) q = q.where('a.actor', '<>', AUDIT_SYSTEM_ACTOR)
  const range = auditDateRange(f)
  if (range.from !== null) q = q.where('a.at', '>=', range.from)
  if (range.before !== null) q = q.where('a.at', '<', range.before)
  return q
}

/** True when `f` narrows by date: its pages are best read from the `at` index (see listAuditRows). */
export function hasDateRange(f: AuditFilter): boolean {
  return f.from !== undefined || f.to !== undefined
}

/**
 * The filter's dates as a half-open range of stored `at` text: [from, before). A day is UTC: `from`
 * its first instant, `to` up to the first instant of the next day. An instant `to` is inclusive.
 */
export function auditDateRange(f: Pick<AuditFilter, 'from' | 'to'>): { from: string | null; before: string | null } {
  const from = f.from === undefined ? null : instantOf(f.from, 'from')
  if (f.to === undefined) return { from, before: null }
  const to = new Date(instantOf(f.to, 'to'))
  // A day: the next day's first instant; an instant: the next millisecond (the stored precision).
  if (f.to.length === 10) to.setUTCDate(to.getUTCDate() + 1)
  else to.setUTCMilliseconds(to.getUTCMilliseconds() + 1)
  return { from, before: to.toISOString() }
}

function instantOf(text: string, field: 'from' | 'to'): string {
  const t = new Date(text.length === 10 ? `${text}T00:00:00.000Z` : text)
  // A date the calendar does not have (2026-02-30 rolls over in Date): refuse it, never read it as another day.
  if (Number.isNaN(t.getTime()) || (text.length === 10 && t.toISOString().slice(0, 10) !== text)) {
    throw new CsError('INVALID_INPUT', `${field}: "${text}" is not a date — write it as YYYY-MM-DD (UTC), e.g. 2026-03-31.`)
  }
  return t.toISOString()
}
