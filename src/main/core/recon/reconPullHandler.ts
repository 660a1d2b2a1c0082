/**
 * Handler of `recon.pull` (src/shared/reconPullApi.ts): preparers and admins bring the rails'
 * records in, as they bring statement files in (reconHandlers.ts).
 */
import type { Operator } from '../../../shared/blocks'
import type { reconPullCalls } from '../../../shared/reconPullApi'
import type { Handler } from '../api/createApi'
import { requireRole } from '../operators/operators'
import type { RailsConfig } from '../rails/evm/evmRailConfig'
import { pullRailRecords } from './pullRailRecords'

export type ReconPullHandlers = { [K in keyof typeof reconPullCalls]: Handler<K> }

function requireImporter(operator: Operator | null, what: string): Operator {
  if (operator?.roles.includes('admin')) return requireRole(operator, 'admin', what)
  return requireRole(operator, 'preparer', what)
}

/** `rails`: the core's live rails (settings.rails.set swaps their configuration; it is read at each call). */
export function createReconPullHandlers(rails: { readonly config: RailsConfig }): ReconPullHandlers {
  return {
    'recon.pull': async ({ core, operator }, input) => {
      const actor = requireImporter(operator, 'pull rail records')
      return { pulls: await pullRailRecords(core, actor.id, { config: rails.config, rails: input.rails }) }
    },
  }
}
