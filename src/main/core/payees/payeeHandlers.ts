/** Handlers of the payees calls (src/shared/payeesApi.ts): read-only, any unlocked operator. */
import type { payeeCalls } from '../../../shared/payeesApi'
import type { Handler } from '../api/createApi'
import { getPayee } from './getPayee'
import { listPayees } from './listPayees'

export type PayeeHandlers = { [K in keyof typeof payeeCalls]: Handler<K> }

export function createPayeeHandlers(): PayeeHandlers {
  return {
    'payees.list': async ({ core }) => await listPayees(core),
    'payees.get': async ({ core }, input) => await getPayee(core, input.key),
  }
}
