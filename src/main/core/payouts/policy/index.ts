/** The approval policy: who may approve, how many must, and how much may leave per day. */
export { assertDailyLimits, checkDailyLimits, type CheckDailyLimitsReturnType } from './checkDailyLimits'
export { approvalBlocker, countApprovals, describeApprovalStatus } from './describeApprovalStatus'
export { APPROVAL_POLICY_KEY, getApprovalPolicy, readApprovalPolicy } from './getApprovalPolicy'
export { requiredApprovers } from './requiredApprovers'
export { canonicalPolicy, setApprovalPolicy } from './setApprovalPolicy'
