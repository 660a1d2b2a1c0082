/** The double-entry ledger: assets, accounts, journal entries, holds (two-phase), balances. */
export { addAccount, type AddAccountParameters, type AddAccountReturnType } from './addAccount'
export { addAsset, type AddAssetParameters, type AddAssetReturnType } from './addAsset'
export {
  allowNegativeDefault,
  availableOnNormalSide,
  NEVER_NEGATIVE_KINDS,
  normalSideOf,
  postedOnNormalSide,
  type NormalSide,
} from './accountRules'
export { checkLedgerInvariants, LEDGER_VIOLATIONS_MAX } from './checkLedgerInvariants'
export { createHold, type CreateHoldParameters, type CreateHoldReturnType } from './createHold'
export { EXPIRE_HOLDS_PER_SWEEP_MAX, expireHolds } from './expireHolds'
export { findAccount, getAccount } from './getAccount'
export { findAsset, getAsset } from './getAsset'
export { getBalances, type GetBalancesParameters } from './getBalances'
export { getHold } from './getHold'
export { getSummary } from './getSummary'
export { assetIdFor, holdPostEntryId } from './ids'
export { listAccounts, type ListAccountsParameters } from './listAccounts'
export { listAssets } from './listAssets'
export { listEntries, type ListEntriesParameters, type ListEntriesReturnType } from './listEntries'
export { listHolds, type ListHoldsParameters } from './listHolds'
export { AUDIT_ENTRY_IDS_MAX, postEntries, type PostEntriesOptions, type PostEntriesReturnType } from './postEntries'
export { postHold, type PostHoldParameters, type PostHoldReturnType } from './postHold'
export { DEFAULT_ASSETS, seedDefaultAssets } from './seedDefaultAssets'
export { voidHold, type VoidHoldParameters, type VoidHoldReturnType } from './voidHold'
