/**
 * The payout calls of the contract: batches, their rows, approval and the approval policy.
 * Spread into `calls` in ./api.ts, so every transport and the renderer take their types from here.
 *
 * This file must not import ./api.ts at runtime: api.ts imports this one to build `calls`, and a
 * cycle would leave one side's constants undefined while the other is evaluated. The few building
 * blocks it shares with api.ts are declared here and checked against api.ts at compile time
 * (see `_SameAsApi` at the bottom), so they cannot drift.
 */
import { z } from 'zod'
import { call } from './callSpec'
import { BATCH_STATES, PAYOUT_STATES, SUBMISSION_STATES } from './payoutStates'
import type { Rail as ApiRail } from './api'
import type * as Importer from './payoutImport'

// ---------------------------------------------------------------------------------------------
// Limits (units last in the name).

/** Payouts one batch may hold: a batch detail (all its payouts) must stay one answer. */
export const BATCH_PAYOUTS_MAX = 10_000
/** Batches one batches.list call returns at most (each summary sums its payouts exactly). */
export const BATCHES_LIST_MAX = 200
/** Batches batches.list returns when no limit is given. */
export const BATCHES_LIST_DEFAULT = 50
export const BATCH_NAME_CHARS_MAX = 120
export const APPROVAL_COMMENT_CHARS_MAX = 1_000
/** Approvers a policy may demand: more than a desk has is a policy nobody can meet. */
export const POLICY_APPROVERS_MAX = 10
/** Thresholds and daily limits one policy may hold. */
export const POLICY_RULES_MAX = 100
export const RECIPIENT_CHARS_MAX = 128
export const MEMO_CHARS_MAX = 140
export const PAYEE_NAME_CHARS_MAX = 200
export const REFERENCE_CHARS_MAX = 200

// ---------------------------------------------------------------------------------------------
// Building blocks (the same as api.ts's; checked below).

const RAILS_HERE = ['evm', 'stellar', 'stripe'] as const
const Rail = z.enum(RAILS_HERE)
const Ref = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, 'use letters, digits and . _ : / @ - (no spaces), starting with a letter or digit')
const DecimalString = z
  .string()
  .min(1)
  .max(120)
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number such as 12.50')
/** A decimal that is not negative (policy amounts). */
const UnsignedDecimal = z
  .string()
  .min(1)
  .max(120)
  .regex(/^\d+(\.\d+)?$/, 'must be a decimal number of zero or more such as 10000.00')
const IsoTimestamp = z.string()
/** api.ts's PAYLOAD_BYTES_MAX (4 MiB, UTF-8 JSON): a CSV cannot be larger than one request. */
export const PAYOUT_CSV_CHARS_MAX = 4 * 1024 * 1024

export const BatchState = z.enum(BATCH_STATES)
export type BatchStateName = z.infer<typeof BatchState>
export const PayoutState = z.enum(PAYOUT_STATES)

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
  dailyLimits: z.array(DailyLimitUsage),
})
export type ApprovalStatus = z.infer<typeof ApprovalStatus>

export const BatchDetail = z.object({
  batch: BatchSummary,
  /** Every payout of the batch, in row order (a batch holds at most BATCH_PAYOUTS_MAX). */
  payouts: z.array(Payout),
  totalsByRail: z.array(RailTotal),
  /** Approvals and rejections recorded for the current version. */
  approvals: z.array(Approval),
  /** The newest rejection of any version, so a draft sent back says why. */
  lastRejection: Approval.nullable(),
  approvalStatus: ApprovalStatus,
})
export type BatchDetail = z.infer<typeof BatchDetail>

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
    assetId: z.string().min(1).max(128),
    recipient: z.string().trim().min(1).max(RECIPIENT_CHARS_MAX),
    amount: DecimalString,
    memo: z.string().max(MEMO_CHARS_MAX).optional(),
    reference: z.string().max(REFERENCE_CHARS_MAX).optional(),
    name: z.string().max(PAYEE_NAME_CHARS_MAX).optional(),
  })
  .strict()
export type PayoutRowInput = z.infer<typeof PayoutRowInput>

export const PayoutRowPatch = PayoutRowInput.omit({ id: true })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'change at least one field')
export type PayoutRowPatch = z.infer<typeof PayoutRowPatch>

const BatchId = z.string().min(1).max(128)
/** Optional on edits: when given, the edit is refused if the batch changed since it was read. */
const ExpectedVersion = z.number().int().min(1).optional()
const Decision = z
  .object({ id: BatchId, version: z.number().int().min(1), comment: z.string().trim().max(APPROVAL_COMMENT_CHARS_MAX).optional() })
  .strict()

// ---------------------------------------------------------------------------------------------
// Approval policy (settings key 'approval_policy').

export const PolicyThreshold = z
  .object({ assetId: z.string().min(1).max(128), above: UnsignedDecimal, approversMin: z.number().int().min(1).max(POLICY_APPROVERS_MAX) })
  .strict()
export const PolicyDailyLimit = z.object({ rail: Rail, assetId: z.string().min(1).max(128), amount: UnsignedDecimal }).strict()
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
})
export type PolicySetting = z.infer<typeof PolicySetting>

// ---------------------------------------------------------------------------------------------
// CSV import. The importer owns the shapes (./payoutImport.ts); that file imports ./api.ts at
// runtime, so importing it here would close a cycle. These are the same shapes, checked against
// the importer's types at compile time (bottom of this file); issue codes are plain strings here
// so a new code in the importer never breaks the contract check.

export const ImportPayoutCsvInput = z
  .object({
    /** The transport refuses requests above 4 MiB (PAYLOAD_BYTES_MAX) before this is checked. */
    csv: z.string().min(1).max(PAYOUT_CSV_CHARS_MAX),
    fileName: z.string().max(255).optional(),
    batchName: z.string().trim().min(1).max(BATCH_NAME_CHARS_MAX).optional(),
    /** Chain id for files that name no chain (Safe airdrop layout), e.g. "8453". */
    network: z.string().min(1).max(64).optional(),
    /** Store the valid rows as a draft batch even if other rows have problems. */
    keepValidAsDraft: z.boolean().optional(),
  })
  .strict()
export type ImportPayoutCsvInput = z.infer<typeof ImportPayoutCsvInput>

const ImportRowRef = {
  /** Spreadsheet row (header = row 1); null for the whole file. */
  row: z.number().int().min(1).nullable(),
  column: z.string().nullable(),
  message: z.string(),
  code: z.string(),
}
export const ImportRowIssue = z.object(ImportRowRef)
export type ImportRowIssue = z.infer<typeof ImportRowIssue>
export const ImportPayoutCsvResult = z.object({
  batchId: z.string().nullable(),
  rowsTotal: z.number().int().min(0),
  valid: z.array(
    z.object({
      row: z.number().int().min(2),
      id: z.string(),
      rail: Rail,
      network: z.string(),
      assetId: z.string(),
      recipient: z.string(),
      amount: z.string(),
      memo: z.string().optional(),
      reference: z.string().optional(),
      name: z.string().optional(),
    }),
  ),
  issues: z.array(ImportRowIssue),
  warnings: z.array(ImportRowIssue),
})
export type ImportPayoutCsvResult = z.infer<typeof ImportPayoutCsvResult>

// ---------------------------------------------------------------------------------------------
// Execution: sign + broadcast an approved batch, retry failed chunks, follow its submissions.

/** Chains one rails setting may configure. */
export const RAIL_CHAINS_MAX = 32
const HexAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address of 40 hex digits')
const HttpUrl = z
  .string()
  .max(2_000)
  .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')

/** One EVM chain the app pays on (settings key 'rails'); wei amounts as decimal strings. */
export const EvmChainSetting = z
  .object({
    chainId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    rpcUrl: HttpUrl,
    batchContract: HexAddress,
    confirmationsMin: z.number().int().min(1).max(1_000),
    /** Most ever signed as maxFeePerGas, in wei (decimal string). */
    maxFeePerGasCap: z.string().regex(/^\d{1,40}$/, 'must be a whole number of wei such as 500000000000'),
    /** The treasury account that pays: its address and its BIP32 path on the Ledger. */
    source: z.object({ address: HexAddress, path: z.string().min(1).max(64) }).strict(),
    reorgWatchBlocks: z.number().int().min(1).max(10_000).optional(),
    payoutsPerChunkMax: z.number().int().min(1).max(BATCH_PAYOUTS_MAX).optional(),
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
    networkPassphrase: z.string().min(1).max(200),
    source: z
      .object({
        address: z.string().regex(/^G[A-Z2-7]{55}$/, 'must be a G… Stellar account'),
        path: z.string().min(1).max(64),
      })
      .strict(),
    /** Highest fee bid per operation, in stroops (decimal string). */
    maxFeePerOpStroops: z.string().regex(/^\d{1,19}$/, 'must be a whole number of stroops such as 1000'),
    timeBoundSeconds: z.number().int().min(30).max(86_400).optional(),
    allowCreateAccount: z.boolean().optional(),
    opsPerTxMax: z.number().int().min(1).max(100).optional(),
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
})
export type RailsSetting = z.infer<typeof RailsSetting>

export const SubmissionState = z.enum(SUBMISSION_STATES)
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
/** A signed file is small: a few transactions; the transport refuses more than 4 MiB anyway. */
export const EXTERNAL_SIGNED_CHARS_MAX = 4_000_000

export const Submission = z.object({
  id: z.string(),
  rail: Rail,
  network: z.string(),
  /** 0-based; the screen says "chunk {chunkIndex + 1}". */
  chunkIndex: z.number().int(),
  /** 1 for the first attempt; a retry of a failed chunk is attempt 2, … */
  attempt: z.number().int(),
  state: SubmissionState,
  txHash: z.string().nullable(),
  nonce: z.string().nullable(),
  payoutCount: z.number().int(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Link to the transaction on a block explorer; null on local chains or before it is signed. */
  explorerUrl: z.string().nullable(),
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

// ---------------------------------------------------------------------------------------------
// Calls.

export const payoutCalls = {
  'payouts.import': call({
    summary: 'Import a payout CSV into a new draft batch (preparer).',
    mutates: true,
    input: ImportPayoutCsvInput,
    output: ImportPayoutCsvResult,
  }),

  'batches.create': call({
    summary: 'Create an empty draft batch to add rows to (preparer).',
    mutates: true,
    input: z.object({ name: z.string().trim().min(1).max(BATCH_NAME_CHARS_MAX) }).strict(),
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
  'batches.get': call({
    summary: 'One batch: its payouts, totals per asset and rail, approvals, and the approval policy explained for you.',
    mutates: false,
    input: z.object({ id: BatchId }).strict(),
    output: BatchDetail,
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
    input: z.object({ id: BatchId, version: ExpectedVersion, rows: z.array(PayoutRowInput).min(1).max(BATCH_PAYOUTS_MAX) }).strict(),
    output: BatchSummary,
  }),
  'batches.rows.update': call({
    summary: 'Change one payout row of a batch (preparer). An approved or submitted batch goes back to draft.',
    mutates: true,
    input: z.object({ id: BatchId, version: ExpectedVersion, payoutId: z.string().min(1).max(128), changes: PayoutRowPatch }).strict(),
    output: BatchSummary,
  }),
  'batches.rows.remove': call({
    summary: 'Remove payout rows from a batch (preparer). An approved or submitted batch goes back to draft.',
    mutates: true,
    input: z
      .object({ id: BatchId, version: ExpectedVersion, payoutIds: z.array(z.string().min(1).max(128)).min(1).max(BATCH_PAYOUTS_MAX) })
      .strict(),
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
    input: z.object({ id: BatchId, comment: z.string().trim().max(APPROVAL_COMMENT_CHARS_MAX).optional() }).strict(),
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
    input: z.object({ id: BatchId, content: z.string().min(1).max(EXTERNAL_SIGNED_CHARS_MAX) }).strict(),
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
    input: z.object({}).strict(),
    output: RailsSetting,
  }),
  'settings.rails.set': call({
    summary: 'Replace the rails configuration (admin). Takes effect at once for execution and confirmation.',
    mutates: true,
    input: RailsConfigSetting,
    output: RailsSetting,
  }),

  'settings.policy.get': call({
    summary: 'The approval policy: approvers needed, thresholds per asset, daily limits per rail.',
    mutates: false,
    input: z.object({}).strict(),
    output: PolicySetting,
  }),
  'settings.policy.set': call({
    summary: 'Replace the approval policy (admin).',
    mutates: true,
    input: ApprovalPolicy,
    output: PolicySetting,
  }),
} as const

// ---------------------------------------------------------------------------------------------
// Compile-time proof the local shapes are api.ts's and the importer's (type imports only: no cycle).

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type _Checks = [
  Same<z.infer<typeof Rail>, ApiRail>,
  // What the importer returns passes this contract; what this contract accepts the importer takes.
  Importer.ImportPayoutCsvResult extends ImportPayoutCsvResult ? true : false,
  ImportPayoutCsvInput extends Importer.ImportPayoutCsvInput ? true : false,
  Same<typeof BATCH_PAYOUTS_MAX, typeof Importer.rowsPerBatchMax>,
]
const _checks: _Checks = [true, true, true, true]
