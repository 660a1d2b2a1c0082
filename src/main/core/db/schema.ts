/**
 * The one Database interface (Kysely habit). Every amount column is TEXT holding a canonical
 * decimal integer in minor units: SQLite INTEGER stops at 2^63, on-chain amounts reach 2^256.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface MetaTable {
  key: string
  value: string
}

export interface OperatorsTable {
  id: string
  name: string
  /** JSON array of roles. */
  roles: string
  created_at: string
  /** invited | active | deactivated (0008; defaults to active). */
  status: Generated<string>
  /** JSON PassphraseRecord (operators/credentials.ts); null until first unlock. */
  passphrase: string | null
  /** JSON { hash, expiresAt } of the one-time invite code; null once used. */
  invite: string | null
  failed_unlocks: Generated<number>
  locked_until: string | null
  updated_at: string | null
}

export interface OperatorKeysTable {
  id: string
  operator_id: string
  /** ed25519 | ledger-evm */
  kind: string
  /** Hex ed25519 public key, or the Ledger account's EIP-55 address. */
  public_key: string
  path: string | null
  fingerprint: string
  /** JSON SealedSecret: the ed25519 secret sealed by the operator's passphrase; null for Ledger keys. */
  sealed_secret: string | null
  created_at: string
  revoked_at: string | null
}

export interface AdminChangesTable {
  id: string
  kind: string
  subject_id: string
  summary: string
  payload: string
  digest: string
  requested_by: string
  requested_at: string
  state: string
  decided_by: string | null
  decided_at: string | null
  key_id: string | null
  signature: string | null
}

export interface AssetsTable {
  id: string
  code: string
  name: string
  scale: number
  rail: string
  network: string
  issuer: string | null
  created_at: string
}

export interface AccountsTable {
  id: string
  name: string
  kind: string
  asset_id: string
  address: string | null
  /** 0 | 1: may the balance on its normal side go below zero. */
  allow_negative: number
  created_at: string
}

export interface BalancesTable {
  account_id: string
  debits_posted: string
  credits_posted: string
  debits_pending: string
  credits_pending: string
  updated_at: string
}

export interface EntriesTable {
  seq: Generated<number>
  id: string
  date: string
  kind: string
  description: string
  /** JSON object of string -> string. */
  metadata: string
  created_at: string
  created_by: string
  /** 0009: the entry's seal (its content and its postings'), null only before the one-time seal of old rows. */
  seal: string | null
  /** 0009: a short check of each posting, in idx order, space-separated (names the posting that changed). */
  posting_checks: string | null
  /** 0009: the audit row that sealed the entry. */
  audit_seq: number | null
}

export interface PostingsTable {
  entry_seq: number
  idx: number
  account_id: string
  asset_id: string
  /** Signed minor units: positive = debit, negative = credit. */
  amount: string
}

export interface HoldsTable {
  id: string
  debit_account_id: string
  credit_account_id: string
  asset_id: string
  amount: string
  posted_amount: string
  state: string
  description: string
  expires_at: string | null
  created_at: string
  created_by: string
  resolved_at: string | null
  /** Creation order (migration 0007); every hold made since has one. */
  seq: number | null
}

export interface BatchClaimsTable {
  batch_id: string
  operator_id: string
  operator_name: string
  host: string
  pid: number
  /** 'execute' | 'retry' | 'resume' | 'external' */
  purpose: string
  claimed_at: string
  expires_at: string
  released_at: string | null
}

export interface AuditLogTable {
  seq: number
  at: string
  actor: string
  action: string
  subject: string
  /** Canonical JSON of the change. */
  change: string
  prev_hash: string
  hash: string
  /** 0009: digest of the row seals this row's change made (audit/rowSeals.ts); hashed into the row only when not null. */
  rows_digest: string | null
}

/** 0009: seals of rows that change or disappear (holds, payouts), as history: one per (audit row, position). */
export interface RowSealsTable {
  audit_seq: number
  idx: number
  table_name: string
  row_key: string
  /** Null: the row was removed by the audit row's change. */
  hash: string | null
}

export interface BatchesTable {
  id: string
  name: string
  /** draft | awaiting_approval | approved | executing | completed | partially_failed | failed | cancelled */
  state: string
  version: number
  source: string | null
  created_by: string
  /** JSON array of operator ids who created or edited the batch. */
  editors: string
  created_at: string
  updated_at: string
}

export interface PayoutsTable {
  id: string
  batch_id: string
  row_no: number
  rail: string
  network: string
  asset_id: string
  recipient: string
  /** Minor units, canonical decimal integer text. */
  amount: string
  memo: string | null
  reference: string | null
  name: string | null
  /** pending | planned | signed | broadcast | confirmed | failed */
  state: string
  attempt: number
  submission_id: string | null
  entry_id: string | null
  failure_code: string | null
  failure_message: string | null
  created_at: string
  updated_at: string
}

export interface ApprovalsTable {
  batch_id: string
  version: number
  operator_id: string
  decision: 'approve' | 'reject'
  comment: string | null
  at: string
  /** 0008: the approver's key, the batch digest they signed and the signature (hex). */
  key_id: string | null
  digest: string | null
  signature: string | null
}

export interface SubmissionsTable {
  id: string
  batch_id: string
  rail: string
  network: string
  chunk_index: number
  attempt: number
  /** planned | signed | broadcast | confirmed | failed | dead */
  state: string
  source: string
  nonce: string | null
  idempotency_key: string
  unsigned_payload: string | null
  signed_payload: string | null
  tx_hash: string | null
  fee_cap: string | null
  fee_paid: string | null
  block_number: string | null
  block_hash: string | null
  failure_code: string | null
  failure_message: string | null
  created_at: string
  updated_at: string
}

export interface SubmissionPayoutsTable {
  submission_id: string
  payout_id: string
  idx: number
}

export interface NoncesTable {
  rail: string
  network: string
  source: string
  /** Next unreserved nonce / sequence, decimal text. */
  next: string
}

export interface SettingsTable {
  key: string
  /** JSON; amounts inside are decimal strings. */
  value: string
  updated_at: string
  updated_by: string
}

export interface StellarPaymentsTable {
  network: string
  operation_id: string
  account: string
  paging_token: string
  tx_hash: string
  type: string
  from_account: string | null
  to_account: string | null
  asset: string
  amount: string
  successful: number
  created_at: string
  seen_at: string
}

export interface StellarCursorsTable {
  network: string
  account: string
  cursor: string
  updated_at: string
}

/** A device address a person checked on the Ledger screen (0005_signers). EVM addresses lower-case. */
export interface SignerAddressesTable {
  chain: string
  address: string
  path: string
  verified_at: string
  verified_by: string
}

/** Stripe (0006_stripe): events applied by the sync, in Stripe's order. */
export interface StripeEventsTable {
  id: string
  type: string
  object_id: string | null
  created: number
  summary: string
  booked_entry_id: string | null
  received_at: string
}

export interface StripeCursorsTable {
  stream: string
  cursor: string
  updated_at: string
}

/** A payout from the Stripe platform balance to its bank; `key` is our idempotency key (or "stripe:<po_id>"). */
export interface StripeBankPayoutsTable {
  key: string
  stripe_id: string | null
  asset_id: string
  amount: string
  description: string | null
  status: string
  booked: string | null
  failure_code: string | null
  failure_message: string | null
  created_by: string
  created_at: string
  updated_at: string
}

export interface StripeBalanceTxnsTable {
  id: string
  type: string
  currency: string
  amount: string
  fee: string
  net: string
  source: string | null
  created: number
  seen_at: string
}

/** 0010_escrow: one asset on one rail held for a payee (escrow/). */
export interface EscrowsTable {
  id: string
  name: string
  reference: string | null
  rail: string
  network: string
  asset_id: string
  /** The treasury address / account that funds it (the rail's source). */
  payer: string
  payee: string
  payee_name: string | null
  /** treasury | charge */
  funding: string
  funding_charge: string | null
  /** EVM bytes32 id in the contract; the escrow id elsewhere. */
  rail_escrow_id: string
  total: string
  auto_release: number
  expires_at: string
  /** draft | funding | held | disputed | released | resolved | refunded | expired | failed | cancelled | closed (rolled up) */
  state: string
  version: number
  created_by: string
  created_at: string
  updated_at: string
}

export interface EscrowMilestonesTable {
  escrow_id: string
  /** 1-based. */
  idx: number
  title: string
  amount: string
  review_window_hours: number
  review_ends_at: string
  /** draft | funding | held | released | disputed | resolved | refunded | expired | failed */
  state: string
  released: string
  refunded: string
  rail_ref: string | null
  hold_id: string | null
  auto_released: number
  updated_at: string
}

export interface EscrowActionsTable {
  id: string
  escrow_id: string
  /** fund | release | dispute | resolve | refund */
  kind: string
  milestone: number | null
  amount: string
  to_payee: string | null
  to_payer: string | null
  reason: string | null
  /** awaiting_approval | approved | executing | done | failed | rejected | cancelled */
  state: string
  digest: string
  requested_by: string
  requested_at: string
  failure_code: string | null
  failure_message: string | null
  updated_at: string
}

export interface EscrowApprovalsTable {
  action_id: string
  operator_id: string
  decision: 'approve' | 'reject'
  comment: string | null
  at: string
  key_id: string | null
  digest: string | null
  signature: string | null
}

/** Rail transactions of escrow actions: the columns of a payout submission, for the same rail parts. */
export interface EscrowTxsTable {
  id: string
  escrow_id: string
  action_id: string
  /** JSON EscrowOp (amounts as decimal text). */
  op: string
  rail: string
  network: string
  attempt: number
  state: string
  source: string
  nonce: string | null
  idempotency_key: string
  unsigned_payload: string | null
  signed_payload: string | null
  tx_hash: string | null
  /** JSON { milestone: railRef } known before signing (Stellar balance ids). */
  rail_refs: string | null
  fee_cap: string | null
  fee_paid: string | null
  block_number: string | null
  block_hash: string | null
  failure_code: string | null
  failure_message: string | null
  created_at: string
  updated_at: string
}

/** 0011_recon: a statement account (IBAN / account number + currency) and the ledger account it shows. */
export interface ReconAccountsTable {
  id: string
  external_id: string
  currency: string
  name: string | null
  bic: string | null
  ledger_account_id: string | null
  created_at: string
  created_by: string
  updated_at: string
}

/** 0011_recon: one imported statement file, unique by the SHA-256 of its text. */
export interface StatementFilesTable {
  id: string
  sha256: string
  file_name: string
  format: string
  chars: number
  statements: number
  lines: number
  imported_at: string
  imported_by: string
}

/** 0011_recon: one statement of a file (amounts: signed minor units as decimal text). */
export interface StatementsTable {
  id: string
  file_id: string
  idx: number
  account_id: string
  format: string
  currency: string
  scale: number
  statement_ref: string | null
  sequence: string | null
  bank_created_at: string | null
  from_date: string | null
  to_date: string | null
  opening: string | null
  opening_date: string | null
  closing: string | null
  closing_date: string | null
  credits: string
  debits: string
  lines: number
  /** JSON StatementWarning[]. */
  warnings: string
  imported_at: string
}

/** 0011_recon: one statement line as the bank reported it; amount positive = money in. */
export interface StatementLinesTable {
  id: string
  statement_id: string
  account_id: string
  idx: number
  booking_date: string | null
  value_date: string | null
  amount: string
  currency: string
  reversal: number
  status: string
  bank_ref: string | null
  end_to_end_id: string | null
  customer_ref: string | null
  counterparty_name: string | null
  counterparty_account: string | null
  counterparty_bic: string | null
  remittance: string | null
  structured_ref: string | null
  type_code: string | null
  /** JSON of the batch's transactions (amounts as signed minor-unit text). */
  details: string
  state: string
  /** Where in the file ("line 42"). */
  location: string
  /** 0012: a rail record's own id ("stripe:txn_…", "evm:8453:0xhash:3"), unique; null for a bank line. */
  external_key: string | null
}

/** 0011_recon: a saved CSV column mapping. */
export interface ReconCsvMappingsTable {
  name: string
  mapping: string
  created_by: string
  updated_at: string
}

/** 0012: a matching rule (config: JSON of the rule's settings, checked on use). */
export interface ReconRulesTable {
  id: string
  name: string
  position: number
  config: string
  enabled: number
  updated_by: string
  updated_at: string
}

/** 0012: one matching run (stats: JSON). */
export interface ReconRunsTable {
  id: string
  at: string
  by: string
  dry_run: number
  account_id: string | null
  stats: string
}

/** 0012: a match of statement lines and ledger postings. state: suggested | confirmed | undone. */
export interface ReconMatchesTable {
  id: string
  account_id: string
  /** key | 1:1 | 1:N | N:1 | fee | manual */
  kind: string
  rule_id: string
  state: string
  /** JSON MatchReason (+ the items, kept when the match is undone). */
  reason: string
  statement_total: string
  ledger_total: string
  variance: string
  currency: string
  /** The match's date (the statement side's latest booking date), for periods. */
  day: string
  run_id: string | null
  created_at: string
  created_by: string
  decided_at: string | null
  decided_by: string | null
  /** The closed period that locks it. */
  period: string | null
}

/** 0012: an item of a live match (side: statement | ledger; ledger item id "<entry id>/<posting idx>"). */
export interface ReconMatchItemsTable {
  side: string
  item_id: string
  match_id: string
  amount: string
}

/** 0012: the exceptions queue. reason: unmatched | ambiguous | amount_differs | duplicate; state: open | resolved. */
export interface ReconExceptionsTable {
  id: string
  side: string
  item_id: string
  account_id: string
  reason: string
  detail: string
  /** JSON string[] of the other side's items involved. */
  related: string
  amount: string
  currency: string
  day: string
  state: string
  assignee: string | null
  /** JSON [{ at, by, text }]. */
  notes: string
  resolution: string | null
  created_at: string
  updated_at: string
  resolved_by: string | null
}

/** 0012: an adjustment entry proposed for a variance or a bank charge. state: proposed | posted | rejected. */
export interface ReconAdjustmentsTable {
  id: string
  match_id: string
  account_id: string
  ledger_account_id: string
  counter_account_id: string
  /** Signed minor units seen from the ledger account (positive = money in). */
  amount: string
  currency: string
  day: string
  description: string
  state: string
  proposed_by: string
  proposed_at: string
  decided_by: string | null
  decided_at: string | null
  entry_id: string | null
}

/** 0012: a closed period (YYYY-MM) of a statement account. */
export interface ReconPeriodsTable {
  account_id: string
  period: string
  closed_at: string
  closed_by: string
  summary: string
}

/** 0012: the rail's own balance beside the ledger's. state: matches | differs | unavailable. */
export interface ReconBalanceChecksTable {
  id: string
  ledger_account_id: string
  asset_id: string
  at: string
  ledger: string
  rail: string | null
  difference: string | null
  state: string
  problem: string | null
}

/** 0013: one signed receipt (receipts/); `number` gap-free from 1, `document` the canonical JSON that is hashed and signed. */
export interface ReceiptsTable {
  number: number
  /** Hex SHA-256 of `document`. */
  sha256: string
  /** payout | escrow_release | escrow_refund | reversal */
  kind: string
  /** "payout:<id>", "escrow:<actionId>:<milestone>[:refund]", "reversal:<entryId>": receipted once. */
  subject_key: string
  payout_id: string | null
  batch_id: string | null
  escrow_id: string | null
  rail: string
  network: string
  asset_id: string
  /** Minor units, decimal integer text. */
  amount: string
  payee_name: string
  recipient: string
  reference: string
  tx_hash: string | null
  paid_at: string
  issued_at: string
  document: string
  key_id: string
  /** Hex Ed25519 signature over the 32 bytes of sha256. */
  signature: string
  previous_number: number | null
}

/** 0013: a receipt key's public half; the live one has retired_at null. handover: JSON ReceiptKeyHandover from the previous key. */
export interface ReceiptKeysTable {
  key_id: string
  public_key: string
  created_at: string
  created_by: string
  retired_at: string | null
  handover: string | null
}

/** 0013: the treasury device's signature over the Merkle root of one batch's receipts (leaves: JSON array of receipt numbers). */
export interface ReceiptBatchAttestationsTable {
  batch_id: string
  chain: string
  signer: string
  root: string
  leaf_count: number
  message: string
  signature: string
  leaves: string
  created_at: string
  created_by: string
}

/** 0013: a lower-cased search term of a receipt (name, words, recipient, reference, tx hash, payout id). */
export interface ReceiptSearchTermsTable {
  term: string
  number: number
}

/** 0015: one warning of a batch's rows (payouts/batches/batchWarnings.ts); payout_id null for the whole file. */
export interface BatchWarningsTable {
  batch_id: string
  seq: number
  payout_id: string | null
  row_no: number | null
  code: string
  column_name: string | null
  problem: string
  message: string
}

export interface Database {
  meta: MetaTable
  operators: OperatorsTable
  operator_keys: OperatorKeysTable
  admin_changes: AdminChangesTable
  assets: AssetsTable
  accounts: AccountsTable
  balances: BalancesTable
  entries: EntriesTable
  postings: PostingsTable
  holds: HoldsTable
  audit_log: AuditLogTable
  row_seals: RowSealsTable
  batches: BatchesTable
  payouts: PayoutsTable
  approvals: ApprovalsTable
  submissions: SubmissionsTable
  submission_payouts: SubmissionPayoutsTable
  nonces: NoncesTable
  settings: SettingsTable
  stellar_payments: StellarPaymentsTable
  stellar_cursors: StellarCursorsTable
  signer_addresses: SignerAddressesTable
  stripe_events: StripeEventsTable
  stripe_cursors: StripeCursorsTable
  stripe_bank_payouts: StripeBankPayoutsTable
  stripe_balance_txns: StripeBalanceTxnsTable
  batch_claims: BatchClaimsTable
  escrows: EscrowsTable
  escrow_milestones: EscrowMilestonesTable
  escrow_actions: EscrowActionsTable
  escrow_approvals: EscrowApprovalsTable
  escrow_txs: EscrowTxsTable
  recon_accounts: ReconAccountsTable
  statement_files: StatementFilesTable
  statements: StatementsTable
  statement_lines: StatementLinesTable
  recon_csv_mappings: ReconCsvMappingsTable
  recon_rules: ReconRulesTable
  recon_runs: ReconRunsTable
  recon_matches: ReconMatchesTable
  recon_match_items: ReconMatchItemsTable
  recon_exceptions: ReconExceptionsTable
  recon_adjustments: ReconAdjustmentsTable
  recon_periods: ReconPeriodsTable
  recon_balance_checks: ReconBalanceChecksTable
  receipts: ReceiptsTable
  receipt_keys: ReceiptKeysTable
  receipt_batch_attestations: ReceiptBatchAttestationsTable
  receipt_search_terms: ReceiptSearchTermsTable
  batch_warnings: BatchWarningsTable
}

export type OperatorRow = Selectable<OperatorsTable>
export type OperatorKeyRow = Selectable<OperatorKeysTable>
export type AdminChangeRow = Selectable<AdminChangesTable>
export type AssetRow = Selectable<AssetsTable>
export type AccountRow = Selectable<AccountsTable>
export type NewAccountRow = Insertable<AccountsTable>
export type BalanceRow = Selectable<BalancesTable>
export type BalanceUpdate = Updateable<BalancesTable>
export type EntryRow = Selectable<EntriesTable>
export type PostingRow = Selectable<PostingsTable>
export type HoldRow = Selectable<HoldsTable>
export type AuditRowDb = Selectable<AuditLogTable>
export type BatchRow = Selectable<BatchesTable>
export type PayoutRow = Selectable<PayoutsTable>
export type ApprovalRow = Selectable<ApprovalsTable>
export type SubmissionRow = Selectable<SubmissionsTable>
export type EscrowRow = Selectable<EscrowsTable>
export type EscrowMilestoneRow = Selectable<EscrowMilestonesTable>
export type EscrowActionRow = Selectable<EscrowActionsTable>
export type EscrowApprovalRow = Selectable<EscrowApprovalsTable>
export type EscrowTxRow = Selectable<EscrowTxsTable>
export type ReceiptRow = Selectable<ReceiptsTable>
export type ReceiptKeyRow = Selectable<ReceiptKeysTable>
export type ReceiptBatchAttestationRow = Selectable<ReceiptBatchAttestationsTable>
