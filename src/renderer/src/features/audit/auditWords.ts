/** How the audit view names who made a row and groups the actions (shared by the table, the filters and the detail pane). */
import { AUDIT_SYSTEM_ACTOR } from '../../../../shared/workspaceApi'

/** The system's own rows (the poller's confirmations, syncs, sweeps): not a person. */
export const SYSTEM_ACTOR_LABEL = 'Countersign (system)'

/** A person's name from their operator id; the system by name; an id nobody has any more as it is. */
export function actorLabel(actor: string, names: ReadonlyMap<string, string>): string {
  if (actor === AUDIT_SYSTEM_ACTOR) return SYSTEM_ACTOR_LABEL
  return names.get(actor) ?? actor
}

/** Actions grouped by their first word ('batches.approve' under "batches"), for a grouped picker. */
export function groupActions(actions: readonly string[]): { group: string; items: string[] }[] {
  const groups = new Map<string, string[]>()
  for (const action of actions) {
    const dot = action.indexOf('.')
    const group = dot > 0 ? action.slice(0, dot) : 'other'
    groups.set(group, [...(groups.get(group) ?? []), action])
  }
  return [...groups].map(([group, items]) => ({ group, items }))
}
