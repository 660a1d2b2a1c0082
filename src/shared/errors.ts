/**
 * Error codes a person can meet. Each error crossing a process boundary is `{ code, message,
 * details? }`: a stable code to branch on, a sentence that says what happened and what to do, and
 * structured details for a view to use (which field, which rows, the device's state) — so no
 * surface ever has to parse or reword the sentence. Which details a code may carry is whitelisted
 * per code in the contract (`errorDetails` in ./api.ts); anything else never crosses.
 * Never put a secret, a stack or a file path of the user's machine into `message` or `details`.
 */

export const ERROR_CODES = [
  // Transport / contract
  'UNKNOWN_CALL',
  'INVALID_INPUT',
  'PAYLOAD_TOO_LARGE',
  'FORBIDDEN_SENDER',
  'UNAUTHORIZED',
  'INTERNAL',
  // Operators and permissions
  'OPERATOR_REQUIRED',
  'OPERATOR_NOT_FOUND',
  'OPERATOR_EXISTS',
  'OPERATOR_NAME_CONFUSABLE',
  'ROLE_REQUIRED',
  'OPERATOR_LOCKED',
  'OPERATOR_SESSION_MISMATCH',
  'OPERATOR_INACTIVE',
  'OPERATOR_SETUP_REQUIRED',
  'PASSPHRASE_WRONG',
  'PASSPHRASE_WEAK',
  'PASSPHRASE_REQUIRED',
  'UNLOCK_THROTTLED',
  'INVITE_INVALID',
  'LAST_ADMIN',
  'SELF_APPROVAL',
  'CHANGE_NOT_FOUND',
  'CHANGE_STATE',
  'APPROVAL_KEY_MISSING',
  'APPROVAL_SIGNATURE_INVALID',
  // Assets and accounts
  'ASSET_NOT_FOUND',
  'ASSET_EXISTS',
  'ACCOUNT_NOT_FOUND',
  'ACCOUNT_EXISTS',
  // Money
  'AMOUNT_INVALID',
  'AMOUNT_PRECISION',
  'AMOUNT_RANGE',
  // Journal
  'ENTRY_UNBALANCED',
  'ENTRY_INVALID',
  'ENTRY_CONFLICT',
  'INSUFFICIENT_FUNDS',
  // A balance (debits or credits, posted or pending) would pass uint256 (2^256 − 1 minor units).
  'BALANCE_RANGE',
  // Holds
  'HOLD_NOT_FOUND',
  'HOLD_CONFLICT',
  'HOLD_ALREADY_RESOLVED',
  'HOLD_EXPIRED',
  'HOLD_AMOUNT_EXCEEDED',
  'HOLD_INVALID',
  // Audit
  'AUDIT_BROKEN',
  // Storage / workspace
  'DATA_DIR_INVALID',
  'DB_LOCKED',
  'DB_NEWER_THAN_APP',
  // The database file is damaged (empty, not a database, fails its integrity check) — restore a backup.
  'DB_CORRUPT',
  // The disk refused a write (full, or an I/O error): the transaction was rolled back — free space and retry.
  'DISK_FULL',
  // The database is older than the last state this folder committed, or was replaced by another copy.
  'DB_ROLLED_BACK',
  // Another window or command has the workspace open (restore needs it to itself).
  'WORKSPACE_IN_USE',
  'BACKUP_INVALID',
  // Team workspaces (PostgreSQL) are backed up by their database's administrator (pg_dump).
  'BACKUP_UNSUPPORTED',
  'DB_UNREACHABLE',
  'DB_AUTH_FAILED',
  'DB_NOT_FOUND',
  'WORKSPACE_FILE_INVALID',
  'WORKSPACE_NOT_EMPTY',
  'MIGRATION_MISMATCH',
  'BATCH_BUSY',
  'FILE_INVALID',
  // Secrets (API keys in the secret store)
  'SECRETS_UNAVAILABLE',
  // Hardware signing (Ledger and the sandbox emulator)
  'DEVICE_NOT_FOUND',
  'DEVICE_LOCKED',
  'DEVICE_REJECTED',
  'DEVICE_WRONG_APP',
  'DEVICE_BLIND_SIGNING_OFF',
  'DEVICE_HASH_SIGNING_OFF',
  'DEVICE_DATA_TOO_LARGE',
  'DEVICE_PARSE_FAILED',
  'DEVICE_DISCONNECTED',
  'DEVICE_BUSY',
  'DEVICE_TIMEOUT',
  'DEVICE_ADDRESS_MISMATCH',
  'DEVICE_UNEXPECTED',
  // Batches and approval
  'BATCH_NOT_FOUND',
  'BATCH_STATE',
  'BATCH_STALE',
  'BATCH_TOO_LARGE',
  'PAYOUT_NOT_FOUND',
  'PAYOUT_EXISTS',
  'PAYOUT_INVALID',
  'APPROVAL_NOT_ALLOWED',
  'APPROVAL_STALE',
  'POLICY_INVALID',
  'DAILY_LIMIT_EXCEEDED',
  'PREFLIGHT_FAILED',
  // Execution (the payout engine and its rails)
  'EXECUTION_STATE',
  'FEE_CAP_EXCEEDED',
  'RAIL_UNAVAILABLE',
  'RAIL_NOT_CONFIGURED',
  'RAIL_URL_REFUSED',
  'NONCE_CONFLICT',
  'CONTRACT_MISMATCH',
  'CHAIN_MISMATCH',
  'CHUNK_TOO_LARGE',
  'SIGNER_UNAVAILABLE',
  'SIGNER_ADDRESS_NOT_VERIFIED',
  'SUBMISSION_NOT_FOUND',
  'CANCEL_BLOCKED',
  // Stellar (per-operation and per-transaction results, as Horizon reports them)
  'STELLAR_NO_TRUST',
  'STELLAR_NO_DESTINATION',
  'STELLAR_UNDERFUNDED',
  'STELLAR_TX_FAILED',
  'STELLAR_EXPIRED',
  // Stripe (Connect transfers and payouts; codes name the payee in their message)
  'STRIPE_IDEMPOTENCY_CONFLICT',
  'STRIPE_AUTH_FAILED',
  'STRIPE_BALANCE_INSUFFICIENT',
  'STRIPE_ACCOUNT_MISSING',
  'STRIPE_ACCOUNT_NOT_READY',
  'STRIPE_REQUEST_REJECTED',
  'STRIPE_KEY_MISSING',
  'STRIPE_UNREACHABLE',
  'SECRET_PLAINTEXT_REFUSED',
  // External signing (air-gapped machine, HSM, build-only export)
  'EXTERNAL_FILE_INVALID',
  'EXTERNAL_SIGNATURE_INVALID',
  'EXTERNAL_CONTENT_MISMATCH',
  // Escrow (escrows, milestones, action requests and their rail transactions)
  'ESCROW_NOT_FOUND',
  'ESCROW_EXISTS',
  'ESCROW_MILESTONE_NOT_FOUND',
  'ESCROW_ACTION_NOT_FOUND',
  'ESCROW_INVALID',
  'ESCROW_STATE',
  'ESCROW_MILESTONE_DISPUTED',
  'ESCROW_SPLIT_MISMATCH',
  'ESCROW_REFUND_BEFORE_EXPIRY',
  'ESCROW_FUNDS_INSUFFICIENT',
  'ESCROW_TOKEN_REFUSED',
  'ESCROW_CHARGE_MISMATCH',
  'ESCROW_RAIL_NOT_CONFIGURED',
  'ESCROW_RAIL_REFUSED',
  'ESCROW_APPROVAL_NOT_ALLOWED',
  'ESCROW_NOT_APPROVED',
  // Reconciliation (bank, Stripe and chain statements against the ledger)
  'STATEMENT_FORMAT_UNKNOWN',
  'STATEMENT_INVALID',
  'STATEMENT_UNBALANCED',
  'STATEMENT_DUPLICATE',
  'STATEMENT_TOO_LARGE',
  'STATEMENT_MAPPING_INVALID',
  'RECON_ACCOUNT_NOT_FOUND',
  'RECON_ACCOUNT_MISMATCH',
  'STATEMENT_NOT_FOUND',
  'UPLOAD_NOT_FOUND',
  'RECON_MATCH_NOT_FOUND',
  'RECON_MATCH_STATE',
  'RECON_ITEM_NOT_FOUND',
  'RECON_ITEM_TAKEN',
  'RECON_MATCH_UNBALANCED',
  'RECON_PERIOD_CLOSED',
  'RECON_PERIOD_OPEN_ITEMS',
  'RECON_EXCEPTION_NOT_FOUND',
  'RECON_ADJUSTMENT_NOT_FOUND',
  'RECON_ADJUSTMENT_SELF_APPROVAL',
  'RECON_RULE_INVALID',
  // Receipts (issue 16). Each is thrown with a sentence that says what to do:
  // no receipt has that number — list the receipts (countersign receipts list) and pick one that exists.
  'RECEIPT_NOT_FOUND',
  // the file is not a Countersign receipt (or is damaged) — ask the payer for the original file or PDF.
  'RECEIPT_INVALID',
  // this workspace's receipt key is not on this computer — restore it in the secret store (or COUNTERSIGN_SECRET_RECEIPTS_SIGNING_KEY).
  'RECEIPT_KEY_MISSING',
  // the receipt key in the secret store is not the workspace's live key — put the right key back before issuing.
  'RECEIPT_KEY_MISMATCH',
  // the organisation details cannot go on a receipt (name too long, logo not a PNG or too large) — fix the field named.
  'ORGANISATION_INVALID',
  // a batch's receipts cannot be attested on the device yet (payouts in flight, receipts not issued, several
  // treasury addresses, or an EVM + Stellar batch without the chain named) — the sentence says which and what to do.
  'RECEIPT_ATTESTATION_NOT_READY',
  // a device attestation does not verify (the signature the device returned, or one stored) — nothing was stored; the sentence says which check failed.
  'RECEIPT_ATTESTATION_INVALID',
  // a prepared download (a batch's receipts ZIP) is gone: read to its end, expired unread, or asked by another window — download it again.
  'DOWNLOAD_EXPIRED',
  // Accounting exports (CSV / JSON, Xero, QuickBooks, the balanced journal). Each sentence says what to do:
  // the options do not fit together (a QuickBooks file without an account, --from after --to) — fix the option named.
  'EXPORT_INVALID',
  // more rows than one export holds, or one journal longer than a Xero file — narrow the date range.
  'EXPORT_TOO_LARGE',
  // the journal read back does not sum to zero per asset — nothing is written; run `audit verify`.
  'EXPORT_UNBALANCED',
  // ledger accounts with no Xero account code — add them to the mapping (exports.accountCodes / --account-codes).
  'EXPORT_ACCOUNT_CODE_MISSING',
  // an amount has more decimals than Xero or QuickBooks keeps — never rounded: export that asset as CSV / JSON instead.
  'EXPORT_PRECISION',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** Structured details of an error, as whitelisted for its code (see `errorDetails` in ./api.ts). */
export type ErrorDetails = Readonly<Record<string, unknown>>

export interface ErrorPayload {
  code: ErrorCode
  message: string
  /** Only what the contract whitelists for `code`; absent when there is none. */
  details?: ErrorDetails
}

/**
 * The one error class of Countersign (viem's BaseError habit): a stable code, a short sentence
 * for people, optional structured details, and the cause kept for the log only.
 */
export class CsError extends Error {
  override readonly name = 'CsError'
  readonly code: ErrorCode
  readonly details: Readonly<Record<string, unknown>> | undefined
  /**
   * The command a CLI user runs next ("countersign batches list"), for the sentence's place in the
   * app ("Payouts lists every batch"). The CLI prints it after the sentence; it never crosses to the
   * app (toPayload and the core's toErrorPayload leave it out): a finance person is never sent to a terminal.
   */
  readonly cliHint: string | undefined

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown>; cliHint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details
    this.cliHint = options.cliHint
  }

  /** Code and sentence only: details leave a process through the contract's whitelist (pickErrorDetails), never raw. */
  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message }
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)
}

/** Branch on codes, not on instanceof: classes may be duplicated across bundles. */
export function hasErrorCode(error: unknown, code: ErrorCode): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code
}
