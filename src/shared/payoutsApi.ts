/**
 * The payout calls of the contract: batches, their rows, approval and the approval policy,
 * execution and external signing, the rails setting — and the details their errors may carry
 * across the wire. Gathered into `calls` and `errorDetails` by ./api.ts; like every contract file
 * it imports the building blocks and the limits, never another contract file (the CSV import call
 * is its own contract file, ./payoutImport.ts).
 */
import { z } from 'zod'
import {
  BatchState,
  DecimalString,
  Empty,
  HexAddress,
  HttpUrl,
  Id,
  IsoTimestamp,
  PayoutState,
  PendingChangeRef,
  Rail,
  Ref,
  SubmissionState,
  UnsignedDecimal,
} from './blocks'
import { call } from './callSpec'
import { SafeText } from './safeText'
import type { ErrorCode } from './errors'
import {
  APPROVAL_COMMENT_CHARS_MAX,
  BATCHES_LIST_MAX,
  BATCH_NAME_CHARS_MAX,
  ERROR_DETAILS_LIST_MAX,
  ERROR_DETAILS_TEXT_CHARS_MAX,
  EVM_CONFIRMATIONS_MAX,
  EVM_REORG_WATCH_BLOCKS_MAX,
  EXTERNAL_SIGNED_BYTES_MAX,
  ID_CHARS_MAX,
  MEMO_CHARS_MAX,
  PAYEE_NAME_CHARS_MAX,
  POLICY_APPROVERS_MAX,
  POLICY_RULES_MAX,
  RAIL_CHAINS_MAX,
  RECIPIENT_CHARS_MAX,
  REFERENCE_CHARS_MAX,
  ROWS_PER_BATCH_MAX,
  SIGNING_PATH_CHARS_MAX,
  STELLAR_NETWORK_PASSPHRASE_CHARS_MAX,
  STELLAR_OPS_PER_TX_MAX,
  STELLAR_TIME_BOUND_SECONDS_MAX,
  STELLAR_TIME_BOUND_SECONDS_MIN,
} from './limits'

// ---------------------------------------------------------------------------------------------
// Batches.

/** An exact total of one asset (decimal string at the asset's scale). */
export const AssetTotal = z.object({
  assetId: z.string(),
  assetCode: z.string(),
  scale: z.number().int(),
  total: DecimalString,
  payouts: z.number().int(),
})
export type AssetTotal = z.infer<typeof AssetTotal>

export const RailTotal = AssetTotal.extend({ rail: Rail, network: z.string() })
export type RailTotal = z.infer<typeof RailTotal>

/**
 * An executing batch whose signing stopped part-way (the device stopped, or the process signing
 * it was closed or killed) and that nobody is signing now: it waits for a signer to resume.
 */
export const SigningStopped = z.object({
  /** Transactions of the batch signed on the device so far. */
  signed: z.number().int(),
  /** Transactions to sign on the device in all (their latest attempts). */
  total: z.number().int(),
  unsigned: z.number().int(),
})
export type SigningStopped = z.infer<typeof SigningStopped>

export const BatchSummary = z.object({
  id: z.string(),
  name: z.string(),
  state: BatchState,
  /** Bumped by every edit and every rejection: approvals are for one version. */
  version: z.number().int(),
  source: z.string().nullable(),
  createdBy: z.string(),
  editors: z.array(z.string()),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
  payouts: z.number().int(),
  totals: z.array(AssetTotal),
  rails: z.array(Rail),
  /** Not null: signing stopped part-way and waits for a signer to resume it (`batches resume`). */
  signingStopped: SigningStopped.nullable(),
})
export type BatchSummary = z.infer<typeof BatchSummary>

export const Payout = z.object({
  id: z.string(),
  rowNo: z.number().int(),
  rail: Rail,
  network: z.string(),
  assetId: z.string(),
  recipient: z.string(),
  amount: DecimalString,
  memo: z.string().nullable(),
  reference: z.string().nullable(),
  name: z.string().nullable(),
  state: PayoutState,
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
  /** The submission (transaction) that carries it now; null before planning. */
  submissionId: z.string().nullable(),
  /** Stripe: how much of it the platform took back (transfer reversals, booked by the sync); null if none. */
  reversed: DecimalString.nullable(),
})
export type Payout = z.infer<typeof Payout>

export const Approval = z.object({
  version: z.number().int(),
  operatorId: z.string(),
  operatorName: z.string(),
  decision: z.enum(['approve', 'reject']),
  comment: z.string().nullable(),
  at: IsoTimestamp,
  /** The approval key it was signed with ("ed25519:3f2a 91c0 …"); null for a decision made before signed approvals. */
  keyFingerprint: z.string().nullable(),
  /**
   * verified: the signature checks against the approver's registered key over the batch digest as
   * stored now; invalid: it does not (the batch or the row was changed behind the app's back);
   * missing: no signature; unchecked: not computed for this view.
   */
  signature: z.enum(['verified', 'invalid', 'missing', 'unchecked']),
})
export type Approval = z.infer<typeof Approval>

export const PreflightProblem = z.object({
  /** Stable code: BATCH_EMPTY, TREASURY_MISSING, INSUFFICIENT_FUNDS, RECIPIENT_INVALID, … or a rail's own. */
  code: z.string(),
  message: z.string(),
  payoutId: z.string().optional(),
})
export type PreflightProblem = z.infer<typeof PreflightProblem>
export const PreflightResult = z.object({ ok: z.boolean(), problems: z.array(PreflightProblem) })
export type PreflightResult = z.infer<typeof PreflightResult>

export const DailyLimitUsage = z.object({
  rail: Rail,
  assetId: z.string(),
  limit: DecimalString,
  /** Other batches approved or executed today (UTC). */
  usedToday: DecimalString,
  thisBatch: DecimalString,
  ok: z.boolean(),
})
export type DailyLimitUsage = z.infer<typeof DailyLimitUsage>

/** The approval policy applied to one batch, explained for the operator who asked. */
export const ApprovalStatus = z.object({
  /** Distinct eligible approvers this version needs. */
  required: z.number().int(),
  /** Eligible approvals of the current version. */
  approvals: z.number().int(),
  remaining: z.number().int(),
  /** May the calling operator approve (or reject) this version now? False when no operator was given. */
  canApprove: z.boolean(),
  /** Sentences for people: the policy, who approved, what is missing, and why the caller may or may not approve. */
  sentences: z.array(z.string()),
  /**
   * The ones of `sentences` that speak to the caller: why they may or may not approve (or pick a
   * profile to find out). Empty when the state leaves the caller nothing to decide.
   */
  callerSentences: z.array(z.string()),
  /** The ones of `sentences` about a daily limit passed (a view that draws `dailyLimits` need not repeat them). */
  limitSentences: z.array(z.string()),
  dailyLimits: z.array(DailyLimitUsage),
})
export type ApprovalStatus = z.infer<typeof ApprovalStatus>

/**
 * One warning on a batch's rows, kept with the batch (never a refusal: each asks a person to look
 * twice). `code` is one of payoutImport.ts's ROW_WARNING_CODES: PAYEE_NEW, PAYEE_LOOKALIKE,
 * ADDRESS_NO_CHECKSUM, PAYMENT_REPEATED, ID_DERIVED, TEXT_FORMULA_LIKE, NETWORK_NOT_SET_UP,
 * RECIPIENT_CANNOT_RECEIVE, RECIPIENTS_NOT_CHECKED, WARNINGS_TRUNCATED.
 */
export const BatchWarning = z.object({
  /** The payout it is about; null for the whole file. */
  payoutId: z.string().nullable(),
  /** The payout's row (its spreadsheet row when imported); null for the whole file. */
  row: z.number().int().nullable(),
  column: z.string().nullable(),
  code: z.string(),
  /** The sentence without its place (row and column have their own fields). */
  problem: z.string(),
  /** The whole sentence, "Row N, column: …". */
  message: z.string(),
})
export type BatchWarning = z.infer<typeof BatchWarning>

/**
 * What paying the batch's open payouts will ask of the signer, per rail and network: how many
 * transactions (Stripe: transfers) they go out in, and how many of those must each be confirmed
 * on the device — one per transaction on EVM and Stellar, none on Stripe. Shown beside Execute
 * (and in `batches show --json`) so a batch that forces many confirmations is seen before it runs.
 */
export const SigningPlanRail = z.object({
  rail: Rail,
  network: z.string(),
  /** Payouts still to be sent on this rail + network: pending ones, and failed ones a retry sends again. */
  payouts: z.number().int(),
  /** Transactions (EVM, Stellar) or transfers (Stripe) they go out in. */
  transactions: z.number().int(),
  /** Confirmations on the device: equal to `transactions` on EVM and Stellar, 0 on Stripe. */
  deviceConfirmations: z.number().int(),
  /**
   * What they would take if every payout of one asset could share a transaction. Above it on
   * Stellar when payouts carry different memos: a transaction holds one memo, so each memo needs
   * its own transaction (and its own confirmation).
   */
  deviceConfirmationsIfShared: z.number().int(),
  /** Stellar: the different memos among these payouts (0 on other rails). */
  distinctMemos: z.number().int(),
  /** exact: the rail cuts exactly so. atLeast: the node's gas estimate may split a chunk further (EVM). */
  precision: z.enum(['exact', 'atLeast']),
})
export type SigningPlanRail = z.infer<typeof SigningPlanRail>

/** Payouts one `batches.payouts` page (and `batches.get`'s `payoutsLimit`) carries at most. */
export const PAYOUTS_PAGE_MAX = 1_000

/**
 * Which of the batch's payouts `payouts` holds: rows [0, payouts.length) in row order, of `total`.
 * `nextOffset` is null when they are all there (always, unless `payoutsLimit` was asked); else
 * the offset to ask `batches.payouts` for next.
 */
export const PayoutsPage = z.object({
  total: z.number().int().min(0),
  nextOffset: z.number().int().min(0).nullable(),
})
export type PayoutsPage = z.infer<typeof PayoutsPage>

export const BatchDetail = z.object({
  batch: BatchSummary,
  /**
   * Every payout of the batch, in row order (a batch holds at most ROWS_PER_BATCH_MAX) — or, when
   * `payoutsLimit` was asked, the first ones (`payoutsPage` says how many there are in all).
   */
  payouts: z.array(Payout),
  payoutsPage: PayoutsPage,
  totalsByRail: z.array(RailTotal),
  /** Approvals and rejections recorded for the current version. */
  approvals: z.array(Approval),
  /** The newest rejection of any version, so a draft sent back says why. */
  lastRejection: Approval.nullable(),
  approvalStatus: ApprovalStatus,
  /**
   * The warnings on its rows, worked out when they were imported or last changed and again when
   * the batch was submitted — what the approver must see. In row order, at most IMPORT_ISSUES_MAX
   * (the last then says how many more). With `payoutsLimit`: those about the payouts in `payouts`
   * and those about the whole file; `batches.payouts` pages carry the rest.
   */
  warnings: z.array(BatchWarning),

  /** Per rail and network, what paying the open payouts asks of the signer (empty when nothing is left to send). */
  signingPlan: z.array(SigningPlanRail),
})
export type BatchDetail = z.infer<typeof BatchDetail>

/** The batches waiting for the caller's approval (the navigation's count): ones the caller may approve now. */
export const AwaitingMe = z.object({ count: z.number().int().min(0), batchIds: z.array(Id) })
export type AwaitingMe = z.infer<typeof AwaitingMe>

/** One page of a batch's payouts in row order, with the stored warnings about them. */
export const BatchPayoutsPage = z.object({
  batchId: z.string(),
  /** The batch's version when the page was read (an edit in between makes a new version). */
  version: z.number().int(),
  offset: z.number().int().min(0),
  payouts: z.array(Payout),
  /** The batch's stored warnings about these payouts, in row order. */
  warnings: z.array(BatchWarning),
  /** Payouts in the batch; `nextOffset` null when this page is the last. */
  total: z.number().int().min(0),
  nextOffset: z.number().int().min(0).nullable(),
})
export type BatchPayoutsPage = z.infer<typeof BatchPayoutsPage>

export const BatchList = z.object({
  batches: z.array(BatchSummary),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: z.string().nullable(),
})
export type BatchList = z.infer<typeof BatchList>

/** One payout row as a person or a file gives it. `id` is the idempotency key (unique forever). */
export const PayoutRowInput = z
  .object({
    id: Ref.optional(),
    assetId: Id,
    recipient: z.string().trim().min(1).max(RECIPIENT_CHARS_MAX),
    amount: DecimalString,
    memo: SafeText(MEMO_CHARS_MAX, { charsMin: 0, trim: false }).optional(),
    reference: SafeText(REFERENCE_CHARS_MAX, { charsMin: 0, trim: false }).optional(),
    name: SafeText(PAYEE_NAME_CHARS_MAX, { charsMin: 0, trim: false }).optional(),
  })
  .strict()
export type PayoutRowInput = z.infer<typeof PayoutRowInput>

export const PayoutRowPatch = PayoutRowInput.omit({ id: true })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'change at least one field')
export type PayoutRowPatch = z.infer<typeof PayoutRowPatch>

const BatchId = Id
/** Optional on edits: when given, the edit is refused if the batch changed since it was read. */
const ExpectedVersion = z.number().int().min(1).optional()
/** Approval, rejection and cancellation comments: the only contract text that may span lines. */
const Comment = SafeText(APPROVAL_COMMENT_CHARS_MAX, { charsMin: 0, multiline: true })
const Decision = z.object({ id: BatchId, version: z.number().int().min(1), comment: Comment.optional() }).strict()

// ---------------------------------------------------------------------------------------------
// Approval policy (settings key 'approval_policy').

export const PolicyThreshold = z
  .object({ assetId: Id, above: UnsignedDecimal, approversMin: z.number().int().min(1).max(POLICY_APPROVERS_MAX) })
  .strict()
export const PolicyDailyLimit = z.object({ rail: Rail, assetId: Id, amount: UnsignedDecimal }).strict()
export const ApprovalPolicy = z
  .object({
    /** Whoever created or edited a batch can never approve it: not configurable, stated for the record. */
    approversMin: z.number().int().min(1).max(POLICY_APPROVERS_MAX),
    thresholds: z.array(PolicyThreshold).max(POLICY_RULES_MAX),
    dailyLimits: z.array(PolicyDailyLimit).max(POLICY_RULES_MAX),
  })
  .strict()
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { approversMin: 1, thresholds: [], dailyLimits: [] }

export const PolicySetting = z.object({
  policy: ApprovalPolicy,
  /** null while the default applies (never set). */
  updatedAt: IsoTimestamp.nullable(),
  updatedBy: z.string().nullable(),
  /** After settings.policy.set in a workspace with two admins: the change waiting for the other one. */
  pendingChange: PendingChangeRef.nullable().optional(),
})
export type PolicySetting = z.infer<typeof PolicySetting>

// ---------------------------------------------------------------------------------------------
// Execution: sign + broadcast an approved batch, retry failed chunks, follow its submissions.

/** One EVM chain the app pays on (settings key 'rails'); wei amounts as decimal strings. */
export const EvmChainSetting = z
  .object({
    chainId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    rpcUrl: HttpUrl,
    batchContract: HexAddress,
    /** The deployed CountersignEscrow; absent: escrows cannot be held on this chain. */
    escrowContract: HexAddress.optional(),
    confirmationsMin: z.number().int().min(1).max(EVM_CONFIRMATIONS_MAX),
    /** Most ever signed as maxFeePerGas, in wei (decimal string). */
    maxFeePerGasCap: z.string().regex(/^\d{1,40}$/, 'must be a whole number of wei such as 500000000000'),
    /** The treasury account that pays: its address and its BIP32 path on the Ledger. */
    source: z.object({ address: HexAddress, path: z.string().min(1).max(SIGNING_PATH_CHARS_MAX) }).strict(),
    reorgWatchBlocks: z.number().int().min(1).max(EVM_REORG_WATCH_BLOCKS_MAX).optional(),
    payoutsPerChunkMax: z.number().int().min(1).max(ROWS_PER_BATCH_MAX).optional(),
    /** Block explorer base URL (https://basescan.org): submissions link to {explorerUrl}/tx/{hash}. */
    explorerUrl: HttpUrl.optional(),
  })
  .strict()
export type EvmChainSetting = z.infer<typeof EvmChainSetting>
export const StellarNetworkSetting = z
  .object({
    /** Countersign's name for the network, as in asset ids: pubnet, testnet, standalone. */
    network: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a short lower-case name such as pubnet'),
    horizonUrl: HttpUrl,
    networkPassphrase: z.string().min(1).max(STELLAR_NETWORK_PASSPHRASE_CHARS_MAX),
    source: z
      .object({
        address: z.string().regex(/^G[A-Z2-7]{55}$/, 'must be a G… Stellar account'),
        path: z.string().min(1).max(SIGNING_PATH_CHARS_MAX),
      })
      .strict(),
    /** Highest fee bid per operation, in stroops (decimal string). */
    maxFeePerOpStroops: z.string().regex(/^\d{1,19}$/, 'must be a whole number of stroops such as 1000'),
    timeBoundSeconds: z.number().int().min(STELLAR_TIME_BOUND_SECONDS_MIN).max(STELLAR_TIME_BOUND_SECONDS_MAX).optional(),
    allowCreateAccount: z.boolean().optional(),
    opsPerTxMax: z.number().int().min(1).max(STELLAR_OPS_PER_TX_MAX).optional(),
  })
  .strict()
export type StellarNetworkSetting = z.infer<typeof StellarNetworkSetting>
/** Stripe Connect: the API it talks to; the secret key is kept apart (Settings → Stripe, never here). */
export const StripeRailSetting = z.object({ apiUrl: HttpUrl }).strict()
export type StripeRailSetting = z.infer<typeof StripeRailSetting>
export const RailsConfigSetting = z
  .object({
    evm: z
      .object({ chains: z.array(EvmChainSetting).max(RAIL_CHAINS_MAX) })
      .strict()
      .optional(),
    stellar: z
      .object({ networks: z.array(StellarNetworkSetting).max(RAIL_CHAINS_MAX) })
      .strict()
      .optional(),
    stripe: StripeRailSetting.optional(),
  })
  .strict()
export type RailsConfigSetting = z.infer<typeof RailsConfigSetting>
export const RailsSetting = z.object({
  rails: RailsConfigSetting,
  /** null while nothing was ever set (no rails: nothing can be executed). */
  updatedAt: IsoTimestamp.nullable(),
  updatedBy: z.string().nullable(),
  /** After settings.rails.set in a workspace with two admins: the change waiting for the other one. */
  pendingChange: PendingChangeRef.nullable().optional(),
})
export type RailsSetting = z.infer<typeof RailsSetting>

/** One transaction (EVM) of a batch's execution: a chunk of its payouts, one attempt. */
export const ExternalExportResult = z.object({
  batchId: z.string(),
  /** One signing file per rail (EVM: unsigned serialized transactions; Stellar: unsigned XDR). */
  files: z.array(z.object({ rail: Rail, fileName: z.string(), content: z.string(), transactions: z.number().int() })),
})
export type ExternalExportResult = z.infer<typeof ExternalExportResult>
export const ExternalImportResult = z.object({
  batchId: z.string(),
  /** Signatures checked and committed now. */
  accepted: z.number().int(),
  /** Items whose exact signed bytes were already committed (imported before): nothing done. */
  alreadySigned: z.number().int(),
  broadcast: z.number().int(),
  /** Committed but the node was unreachable: the poller sends the same bytes later. */
  undelivered: z.number().int(),
  /** Transactions of the batch still waiting for a signature. */
  stillUnsigned: z.number().int(),
})
export type ExternalImportResult = z.infer<typeof ExternalImportResult>

export const Submission = z.object({
  id: z.string(),
  rail: Rail,
  network: z.string(),
  /** 0-based; the screen says "chunk {chunkIndex + 1}". */
  chunkIndex: z.number().int(),
  /** 1 for the first attempt; a retry of a failed chunk is attempt 2, … */
  attempt: z.number().int(),
  state: SubmissionState,
  /** The engine's handle on it: EVM/Stellar transaction hash; Stripe: our idempotency key (cs_…), not for people. */
  txHash: z.string().nullable(),
  /**
   * The rail's own id, the one to show and copy: EVM or Stellar transaction hash; Stripe: the
   * transfer id (tr_…) once Stripe has it. null before then.
   */
  railRef: z.string().nullable(),
  nonce: z.string().nullable(),
  payoutCount: z.number().int(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Link to the transaction on a block explorer; null on local chains or before it is signed. */
  explorerUrl: z.string().nullable(),
  /**
   * The network fee it paid once it landed (confirmed, or reverted: a reverted transaction pays
   * its fee too), exact at the fee asset's scale; null before it landed, or when no fee was paid.
   */
  fee: z.object({ assetId: z.string(), assetCode: z.string(), scale: z.number().int(), amount: DecimalString }).nullable(),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
})
export type Submission = z.infer<typeof Submission>

export const ExecuteResult = z.object({
  batchId: z.string(),
  /** The batch state now: 'executing' until the poller has confirmed every chunk. */
  state: BatchState,
  chunks: z.number().int(),
  signed: z.number().int(),
  broadcast: z.number().int(),
  /** Signed but not delivered (node unreachable): the poller sends the same bytes later. */
  undelivered: z.number().int(),
})
export type ExecuteResult = z.infer<typeof ExecuteResult>

/** What batches.cancelSubmission changed: the cancelled transaction, its payouts, the later ones renumbered, the batch. */
export const CancelSubmissionResult = z.object({
  submission: z.object({
    id: z.string(),
    batchId: z.string(),
    chunkIndex: z.number().int(),
    state: SubmissionState,
    /** The nonce it gave back; null on rails without one. */
    nonce: z.string().nullable(),
    failure: z.object({ code: z.string(), message: z.string() }),
  }),
  /** Its payouts, now failed with CANCELLED: a retry pays them as a new attempt, or they stay unpaid. */
  payouts: z.array(z.object({ id: z.string(), state: PayoutState, failureCode: z.string() })),
  /** Later planned transactions of the same source moved down to close the nonce gap. */
  renumbered: z.array(z.object({ id: z.string(), batchId: z.string(), fromNonce: z.string(), toNonce: z.string() })),
  batch: z.object({ id: z.string(), state: BatchState }),
})
export type CancelSubmissionResult = z.infer<typeof CancelSubmissionResult>

// ---------------------------------------------------------------------------------------------
// Calls.

export const payoutCalls = {
  'batches.create': call({
    summary: 'Create an empty draft batch to add rows to (preparer).',
    mutates: true,
    input: z.object({ name: SafeText(BATCH_NAME_CHARS_MAX) }).strict(),
    output: BatchSummary,
  }),
  'batches.list': call({
    summary: 'Batches, newest first, with exact totals per asset.',
    mutates: false,
    input: z
      .object({ state: BatchState.optional(), limit: z.number().int().min(1).max(BATCHES_LIST_MAX).optional(), before: BatchId.optional() })
      .strict(),
    output: BatchList,
  }),
  'batches.awaitingMe': call({
    summary: 'Batches awaiting approval that the caller may approve now (approver role, neither creator nor editor, not yet decided).',
    mutates: false,
    input: z.object({}).strict(),
    output: AwaitingMe,
  }),
  'batches.get': call({
    summary:
      'One batch: its payouts, totals per asset and rail, approvals, and the approval policy explained for you. ' +
      'payoutsLimit: only the first payouts (and their warnings); batches.payouts pages the rest.',
    mutates: false,
    input: z.object({ id: BatchId, payoutsLimit: z.number().int().min(1).max(PAYOUTS_PAGE_MAX).optional() }).strict(),
    output: BatchDetail,
  }),
  'batches.payouts': call({
    summary: "A page of a batch's payouts in row order, with the stored warnings about them (what batches.get left out with payoutsLimit).",
    mutates: false,
    input: z
      .object({
        id: BatchId,
        offset: z.number().int().min(0).max(ROWS_PER_BATCH_MAX),
        limit: z.number().int().min(1).max(PAYOUTS_PAGE_MAX),
      })
      .strict(),
    output: BatchPayoutsPage,
  }),
  'batches.preflight': call({
    summary: 'Check a batch can be paid: treasury accounts, available balances, recipients, rail checks.',
    mutates: false,
    input: z.object({ id: BatchId }).strict(),
    output: PreflightResult,
  }),
  'batches.rows.add': call({
    summary: 'Add payout rows to a batch (preparer). An approved or submitted batch goes back to draft.',
    mutates: true,
    input: z.object({ id: BatchId, version: ExpectedVersion, rows: z.array(PayoutRowInput).min(1).max(ROWS_PER_BATCH_MAX) }).strict(),
    output: BatchSummary,
  }),
  'batches.rows.update': call({
    summary: 'Change one payout row of a batch (preparer). An approved or submitted batch goes back to draft.',
    mutates: true,
    input: z.object({ id: BatchId, version: ExpectedVersion, payoutId: Id, changes: PayoutRowPatch }).strict(),
    output: BatchSummary,
  }),
  'batches.rows.remove': call({
    summary: 'Remove payout rows from a batch (preparer). An approved or submitted batch goes back to draft.',
    mutates: true,
    input: z.object({ id: BatchId, version: ExpectedVersion, payoutIds: z.array(Id).min(1).max(ROWS_PER_BATCH_MAX) }).strict(),
    output: BatchSummary,
  }),
  'batches.submit': call({
    summary: 'Submit a draft for approval after the pre-flight checks (preparer).',
    mutates: true,
    input: z.object({ id: BatchId, version: ExpectedVersion }).strict(),
    output: BatchSummary,
  }),
  'batches.approve': call({
    summary: 'Approve the given version of a batch (approver who neither created nor edited it).',
    mutates: true,
    input: Decision,
    output: BatchDetail,
  }),
  'batches.reject': call({
    summary: 'Reject the given version: the batch goes back to its preparer as a draft, with the comment.',
    mutates: true,
    input: Decision,
    output: BatchDetail,
  }),
  'batches.cancel': call({
    summary: 'Cancel a batch that has not started executing (preparer or admin).',
    mutates: true,
    input: z.object({ id: BatchId, comment: Comment.optional() }).strict(),
    output: BatchSummary,
  }),

  'batches.execute': call({
    summary:
      'Execute an approved batch (signer): pre-flight again, then sign each chunk on the Ledger and broadcast it. Returns once every chunk is broadcast; confirmation follows.',
    mutates: true,
    input: z.object({ id: BatchId }).strict(),
    output: ExecuteResult,
  }),
  'batches.retryFailed': call({
    summary: 'A new attempt for the chunks of a batch whose last submission failed or is provably dead (signer).',
    mutates: true,
    input: z.object({ id: BatchId }).strict(),
    output: ExecuteResult,
  }),
  'batches.resume': call({
    summary: 'Continue signing an executing batch whose signing stopped (device locked, rejected, unplugged); never re-signs (signer).',
    mutates: true,
    input: z.object({ id: BatchId }).strict(),
    output: ExecuteResult,
  }),
  'batches.cancelSubmission': call({
    summary:
      'Cancel a transaction never signed (the device refused it): its payouts fail as CANCELLED, later planned transactions of its source take over its nonce (signer or admin).',
    mutates: true,
    input: z.object({ submissionId: Id }).strict(),
    output: CancelSubmissionResult,
  }),
  'batches.external.export': call({
    summary:
      'Sign outside the app: plan an approved batch (pre-flight, nonces reserved) and export its unsigned transactions, one file per rail (signer).',
    mutates: true,
    input: z.object({ id: BatchId }).strict(),
    output: ExternalExportResult,
  }),
  'batches.external.import': call({
    summary:
      'Import externally signed transactions: each must be exactly what was planned and signed by its source; all are committed, then sent (signer).',
    mutates: true,
    input: z.object({ id: BatchId, content: z.string().min(1).max(EXTERNAL_SIGNED_BYTES_MAX) }).strict(),
    output: ExternalImportResult,
  }),
  'batches.submissions': call({
    summary: 'The submissions (transactions) of a batch, chunk by chunk and attempt by attempt.',
    mutates: false,
    input: z.object({ id: BatchId }).strict(),
    output: z.array(Submission),
  }),

  'settings.rails.get': call({
    summary: 'The rails payouts execute on: EVM chains with their RPC URL, batch contract, treasury and fee cap.',
    mutates: false,
    input: Empty,
    output: RailsSetting,
  }),
  'settings.rails.set': call({
    summary:
      'Replace the rails configuration (admin; approved by a second admin where there are two). Takes effect for execution and confirmation once applied.',
    mutates: true,
    input: RailsConfigSetting,
    output: RailsSetting,
  }),

  'settings.policy.get': call({
    summary: 'The approval policy: approvers needed, thresholds per asset, daily limits per rail.',
    mutates: false,
    input: Empty,
    output: PolicySetting,
  }),
  'settings.policy.set': call({
    summary: 'Replace the approval policy (admin; approved by a second admin where there are two).',
    mutates: true,
    input: ApprovalPolicy,
    output: PolicySetting,
  }),
} as const

// ---------------------------------------------------------------------------------------------
// Error details: what a payout error may carry across the wire (everything else is dropped).
// Lists are cut at ERROR_DETAILS_LIST_MAX; the sentence still counts them all.

const Text = z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX)
const capped = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (Array.isArray(v) ? v.slice(0, ERROR_DETAILS_LIST_MAX) : v), z.array(item))

/** One row a person must fix: where (the row of the file or batch, the column), what, and the sentence without its place. */
export const RowProblem = z.object({
  /** The row as the person counts it (a file's spreadsheet row, the n-th row given); null for none. */
  row: z.number().int().min(1).nullable(),
  /** The field or column at fault ("amount", "recipient", "asset"); null for the whole row. */
  column: Text.nullable(),
  /** The payout's id when it has one. */
  payoutId: z.string().max(ID_CHARS_MAX).optional(),
  /** The importer's issue code (AMOUNT_PRECISION, ADDRESS_CHECKSUM, …) when one applies. */
  code: z.string().max(64).optional(),
  /** What is wrong and what to do, without the "Row 4, amount: " place (row and column say it). */
  message: Text,
})
export type RowProblem = z.infer<typeof RowProblem>

export const payoutErrorDetails = {
  /** Who holds the batch now, from which desktop, since when (batches.execute, retryFailed, resume, external export). */
  BATCH_BUSY: z.object({ batchId: Text, operatorName: Text, host: Text, since: Text }),
  /** batches.execute on an executing batch: whether its signing stopped and waits for a signer (then resume). */
  EXECUTION_STATE: z.object({ batchId: Text.optional(), signingStopped: SigningStopped.nullable().optional() }),
  /** Every check that failed (batches.submit, batches.execute). */
  PREFLIGHT_FAILED: z.object({ problems: capped(PreflightProblem.extend({ code: Text, message: Text, payoutId: Text.optional() })) }),
  /** Each daily limit the batch was checked against today. */
  DAILY_LIMIT_EXCEEDED: z.object({ usage: capped(DailyLimitUsage) }),
  /** The rows refused (batches.rows.add / rows.update), for the form to mark the field. */
  PAYOUT_INVALID: z.object({ issues: capped(RowProblem) }),
  /** The fee the network asks now against the configured cap, in wei. */
  FEE_CAP_EXCEEDED: z.object({ maxFeePerGas: z.string().regex(/^\d{1,80}$/), cap: z.string().regex(/^\d{1,80}$/) }),
  /** Which part of an externally signed document does not match what was planned. */
  EXTERNAL_CONTENT_MISMATCH: z.object({ field: Text }),
  EXTERNAL_SIGNATURE_INVALID: z.object({ field: Text }),
} as const satisfies Partial<Record<ErrorCode, z.ZodType>>
