/**
 * The batches.* calls the execute handlers answer (./executeHandlers.ts), apart from that module:
 * the handler map names them before it imports the module (api/lazyHandlers.ts).
 */
import type { payoutCalls } from '../../../../shared/payoutsApi'

export const EXECUTE_CALL_NAMES = [
  'batches.execute',
  'batches.retryFailed',
  'batches.resume',
  'batches.cancelSubmission',
  'batches.external.export',
  'batches.external.import',
  'batches.submissions',
  'settings.rails.get',
  'settings.rails.set',
] as const
export type ExecuteCallName = (typeof EXECUTE_CALL_NAMES)[number] & keyof typeof payoutCalls
