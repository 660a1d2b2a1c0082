/** The execution engine: plan, sign, broadcast, confirm, book — exactly once. */
export { cancelSubmission, type CancelSubmissionReturnType } from './cancelSubmission'
export { executeBatch, type ExecuteBatchReturnType } from './executeBatch'
export { resumeOpen, type ResumeOpenReturnType } from './resumeOpen'
export { retryFailed, type RetryFailedReturnType } from './retryFailed'
export { sweepRail, type SweepResult } from './sweepRail'
export { CRASH_ENV, CRASH_POINTS, crashPoint, type CrashPointName } from '../../util/crashPoint'
export type { ExecuteDeps, ExecuteOptions, ExecuteProgress } from './executeDeps'
