/** Batches: create, edit rows, submit, approve / reject, cancel — every state change through transitionBatch. */
export { addBatchRows, type AddBatchRowsParameters, type AddBatchRowsReturnType } from './addBatchRows'
export { approveBatch, type ApproveBatchReturnType, type DecideBatchParameters } from './approveBatch'
export { beginBatchEdit, EDITABLE_STATES } from './beginBatchEdit'
export { cancelBatch, type CancelBatchParameters, type CancelBatchReturnType } from './cancelBatch'
export { createBatch, type CreateBatchParameters, type CreateBatchReturnType } from './createBatch'
export { getBatch, type GetBatchParameters, type GetBatchReturnType } from './getBatch'
export { lastRejection, listApprovals } from './listApprovals'
export { listBatches, type ListBatchesParameters, type ListBatchesReturnType } from './listBatches'
export { preflightBatch, type PreflightBatchReturnType } from './preflightBatch'
export { getBatchRow, readBatchSummary } from './readBatch'
export { rejectBatch, type RejectBatchReturnType } from './rejectBatch'
export { removeBatchRows, type RemoveBatchRowsParameters, type RemoveBatchRowsReturnType } from './removeBatchRows'
export { submitBatch, type SubmitBatchParameters, type SubmitBatchReturnType } from './submitBatch'
export {
  describeState,
  emitBatchChanged,
  transitionBatch,
  type TransitionBatchParameters,
  type TransitionBatchReturnType,
} from './transitionBatch'
export { updateBatchRow, type UpdateBatchRowParameters, type UpdateBatchRowReturnType } from './updateBatchRow'
export { validatePayoutRow, validatePayoutRowsBatch, type ValidatePayoutRowReturnType, type ValidPayoutRow } from './validatePayoutRow'
