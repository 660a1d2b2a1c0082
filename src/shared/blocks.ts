/**
 * The building blocks of the contract: the small schemas every contract file is made of — ids and
 * references, decimal strings, dates, rails, roles, account kinds, the states of holds, batches,
 * payouts and submissions. Every contract file (ledgerApi.ts, payoutsApi.ts, payoutImport.ts, …)
 * imports these and never another contract file; only api.ts gathers the contract files. This
 * module imports only zod, ./limits and ./payoutStates, so no cycle can pass through it.
 */
import { z } from 'zod'
import { DECIMAL_STRING_CHARS_MAX, HTTP_URL_CHARS_MAX, ID_CHARS_MAX } from './limits'
import { BATCH_STATES, PAYOUT_STATES, SUBMISSION_STATES } from './payoutStates'

export const ROLES = ['preparer', 'approver', 'signer', 'admin'] as const
export const Role = z.enum(ROLES)
export type Role = z.infer<typeof Role>

export const ACCOUNT_KINDS = ['treasury', 'payee', 'clearing', 'fees', 'escrow', 'external'] as const
export const AccountKind = z.enum(ACCOUNT_KINDS)
export type AccountKind = z.infer<typeof AccountKind>

export const RAILS = ['evm', 'stellar', 'stripe'] as const
export const Rail = z.enum(RAILS)
export type Rail = z.infer<typeof Rail>

export const HOLD_STATES = ['pending', 'posted', 'partially_posted', 'voided', 'expired'] as const
export const HoldState = z.enum(HOLD_STATES)
export type HoldState = z.infer<typeof HoldState>

export const BatchState = z.enum(BATCH_STATES)
export type BatchStateName = z.infer<typeof BatchState>
export const PayoutState = z.enum(PAYOUT_STATES)
export const SubmissionState = z.enum(SUBMISSION_STATES)

/** Ids chosen by people or upstream systems (entry ids, account ids, CSV payout ids). */
export const Ref = z
  .string()
  .min(1)
  .max(ID_CHARS_MAX)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, 'use letters, digits and . _ : / @ - (no spaces), starting with a letter or digit')
/** An id the core issued or stored (batch, payout, asset, operator), as a caller sends it back. */
export const Id = z.string().min(1).max(ID_CHARS_MAX)
/** A decimal amount as a string, signed or not; exactness is checked against the asset's scale in the core. */
export const DecimalString = z
  .string()
  .min(1)
  .max(DECIMAL_STRING_CHARS_MAX)
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number such as 12.50')
/** A decimal that is not negative (policy amounts). */
export const UnsignedDecimal = z
  .string()
  .min(1)
  .max(DECIMAL_STRING_CHARS_MAX)
  .regex(/^\d+(\.\d+)?$/, 'must be a decimal number of zero or more such as 10000.00')
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
export const IsoTimestamp = z.string()

export const HexAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address of 40 hex digits')
export const HttpUrl = z
  .string()
  .max(HTTP_URL_CHARS_MAX)
  .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')

/** Why something could not be read or done: a stable code and the sentence to show. */
export const Problem = z.object({ code: z.string(), message: z.string() })
export type Problem = z.infer<typeof Problem>

/** The input of a call that takes none. */
export const Empty = z.object({}).strict()

/** What protects a saved secret at rest on this desk (Settings shows it): Stripe key, team database password. */
export const SecretProtection = z.enum(['os-encryption', 'basic-text', 'environment', 'plaintext-file', 'memory'])
export type SecretProtection = z.infer<typeof SecretProtection>

// ---------------------------------------------------------------------------------------------
// Operators: who sits at the desk, and the key their approvals are signed with.

export const OPERATOR_STATUSES = ['invited', 'active', 'deactivated'] as const
export const OperatorStatus = z.enum(OPERATOR_STATUSES)
export type OperatorStatus = z.infer<typeof OperatorStatus>

export const APPROVAL_KEY_KINDS = ['ed25519', 'ledger-evm'] as const
export const ApprovalKeyKind = z.enum(APPROVAL_KEY_KINDS)
export type ApprovalKeyKind = z.infer<typeof ApprovalKeyKind>

/** The public half of an operator's approval key. The private half never leaves the core (or the Ledger). */
export const ApprovalKeyInfo = z.object({
  id: z.string(),
  kind: ApprovalKeyKind,
  /** Hex ed25519 public key, or the EIP-55 address of the Ledger account. */
  publicKey: z.string(),
  /** Short, human-comparable: "ed25519:3f2a 91c0 7b1e 44d2" or "ledger:0xAbC…1234". */
  fingerprint: z.string(),
  /** The Ledger account's BIP32 path; null for ed25519. */
  path: z.string().nullable(),
  createdAt: IsoTimestamp,
  revokedAt: IsoTimestamp.nullable(),
})
export type ApprovalKeyInfo = z.infer<typeof ApprovalKeyInfo>

export const Operator = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(Role),
  createdAt: IsoTimestamp,
  status: OperatorStatus,
  /** False until the operator set their passphrase at first unlock. */
  passphraseSet: z.boolean(),
  /** The key their approvals are signed with now; null before first unlock. */
  approvalKey: ApprovalKeyInfo.nullable(),
})
export type Operator = z.infer<typeof Operator>

/** A change that waits for a second admin (operators.changes.approve), as a setting's answer names it. */
export const PendingChangeRef = z.object({ id: z.string(), summary: z.string() })
export type PendingChangeRef = z.infer<typeof PendingChangeRef>
