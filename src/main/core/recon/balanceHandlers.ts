/**
 * Handlers of the rail balance calls (src/shared/reconBalancesApi.ts): anyone unlocked may read
 * the stored checks, and run a check now — it only reads the rails and records what it found,
 * audited as that operator when a difference appears or goes away.
 */
import type { reconBalanceCalls } from '../../../shared/reconBalancesApi'
import type { Handler } from '../api/createApi'
import { railsOf, type RailsSource } from '../rails/Rail'
import { invariant } from '../util/invariant'
import { checkRailBalances, listRailBalances } from './balanceChecks'

export type ReconBalanceHandlers = { [K in keyof typeof reconBalanceCalls]: Handler<K> }

export function createReconBalanceHandlers(rails: RailsSource): ReconBalanceHandlers {
  return {
    'recon.balances': async ({ core }) => await listRailBalances(core),
    'recon.checkBalances': async ({ core, operator }) => {
      invariant(operator, 'mutating call without operator')
      return await checkRailBalances(core, await railsOf(rails), operator.id)
    },
  }
}
