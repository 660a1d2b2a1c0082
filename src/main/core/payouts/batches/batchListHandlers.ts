/**
 * The batch lists (./payoutCallNames.ts): answered without importing the rest of the payout
 * handlers, so `countersign batches list` and the navigation's "waiting for me" count load
 * neither the import checks nor the rails' libraries.
 */
import type { Handler } from '../../api/createApi'
import { awaitingMe } from './awaitingMe'
import { listBatches } from './listBatches'
import type { BatchListCallName } from './payoutCallNames'

export type BatchListHandlers = { [K in BatchListCallName]: Handler<K> }

export function createBatchListHandlers(): BatchListHandlers {
  return {
    'batches.list': async ({ core }, input) => await listBatches(core, input),
    'batches.awaitingMe': async ({ core, operator }) => await awaitingMe(core, operator),
  }
}
