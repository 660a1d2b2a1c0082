/**
 * Which payout calls the handler map answers at once, and which through the lazily imported
 * payout handlers (./payoutHandlers.ts, api/lazyHandlers.ts): those reach the import checks, the
 * pre-flights and through them the rails' address libraries (stellar-base's StrKey), which the
 * lists a screen or `countersign batches list` opens with never need (issue 17, finding 15).
 */
import { importCalls } from '../../../../shared/payoutImport'
import { payoutCalls } from '../../../../shared/payoutsApi'
import { EXECUTE_CALL_NAMES, type ExecuteCallName } from '../execute/executeCallNames'

/** Answered by ./batchListHandlers.ts, loaded with the core. */
export const BATCH_LIST_CALL_NAMES = ['batches.list', 'batches.awaitingMe'] as const
export type BatchListCallName = (typeof BATCH_LIST_CALL_NAMES)[number] & keyof typeof payoutCalls

/** Answered by ./payoutHandlers.ts, imported at the first of them. */
export type PayoutCallName = Exclude<keyof typeof payoutCalls | keyof typeof importCalls, ExecuteCallName | BatchListCallName>

const answeredElsewhere = new Set<string>([...EXECUTE_CALL_NAMES, ...BATCH_LIST_CALL_NAMES])
export const PAYOUT_CALL_NAMES = [...Object.keys(payoutCalls), ...Object.keys(importCalls)].filter(
  (name) => !answeredElsewhere.has(name),
) as PayoutCallName[]
