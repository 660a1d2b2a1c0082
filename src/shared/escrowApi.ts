/**
 * The escrow calls of the contract: an escrow holds one asset on one rail for a payee until its
 * milestones are released, refunded to the payer, or split after a dispute. Release, resolve and
 * refund (and the funding itself, with its automatic releases) are ACTION REQUESTS that go through
 * maker-checker like a batch: a preparer asks, approvers sign the request's digest, and only then
 * may it be executed (on the device where the rail needs a signature). A dispute is protective and
 * takes effect at once. Gathered into `calls` by ./api.ts; imports the building blocks only.
 */
import { z } from 'zod'
import { DecimalString, Id, IsoTimestamp, Rail, Ref, UnsignedDecimal } from './blocks'
import { call } from './callSpec'
import { SafeText } from './safeText'
import {
  APPROVAL_COMMENT_CHARS_MAX,
  ESCROWS_LIST_MAX,
  ESCROW_MILESTONES_MAX,
  ESCROW_NAME_CHARS_MAX,
  ESCROW_CSV_BYTES_MAX,
  ESCROW_REVIEW_WINDOW_HOURS_MAX,
  PAYEE_NAME_CHARS_MAX,
  RECIPIENT_CHARS_MAX,
  REFERENCE_CHARS_MAX,
} from './limits'

/** The states of one milestone. `in_review` is `held` inside its review window (computed from the clock). */
export const ESCROW_MILESTONE_STATES = [
  'draft',
  'funding',
  'held',
  'in_review',
  'released',
  'disputed',
  'resolved',
  'refunded',
  'expired',
  'failed',
] as const
export const EscrowMilestoneState = z.enum(ESCROW_MILESTONE_STATES)
export type EscrowMilestoneState = z.infer<typeof EscrowMilestoneState>

/** The escrow's own state, rolled up from its milestones (escrow/rollUpEscrowState.ts). */
export const ESCROW_STATES = [
  'draft',
  'funding',
  'held',
  'in_review',
  'disputed',
  'released',
  'resolved',
  'refunded',
  'expired',
  'failed',
  'cancelled',
  'closed',
] as const
export const EscrowState = z.enum(ESCROW_STATES)
export type EscrowState = z.infer<typeof EscrowState>

export const ESCROW_ACTION_KINDS = ['fund', 'release', 'dispute', 'resolve', 'refund'] as const
export const EscrowActionKind = z.enum(ESCROW_ACTION_KINDS)
export type EscrowActionKind = z.infer<typeof EscrowActionKind>

export const ESCROW_ACTION_STATES = ['awaiting_approval', 'approved', 'executing', 'done', 'failed', 'rejected', 'cancelled'] as const
export const EscrowActionState = z.enum(ESCROW_ACTION_STATES)
export type EscrowActionState = z.infer<typeof EscrowActionState>

/** Where the escrowed money comes from: the treasury's own balance, or a customer's payment (Stripe charge). */
export const EscrowFunding = z.enum(['treasury', 'charge'])
export type EscrowFunding = z.infer<typeof EscrowFunding>

const EscrowId = Id
const ActionId = Id

export const MilestoneInput = z
  .object({
    title: SafeText(ESCROW_NAME_CHARS_MAX),
    amount: UnsignedDecimal,
    /** Hours the payer has to object once the milestone's review starts; the window ends at `reviewEndsAt`. */
    reviewWindowHours: z.number().int().min(0).max(ESCROW_REVIEW_WINDOW_HOURS_MAX),
    /** Absolute end of the review window, fixed now (the rail enforces it where it can). */
    reviewEndsAt: IsoTimestamp,
  })
  .strict()
export type MilestoneInput = z.infer<typeof MilestoneInput>

export const EscrowCreateInput = z
  .object({
    /** Your own id (an order or contract number), so a customer's Stripe payment can carry it as transfer_group; default: one is made. */
    id: Ref.max(REFERENCE_CHARS_MAX).optional(),
    name: SafeText(ESCROW_NAME_CHARS_MAX),
    reference: Ref.max(REFERENCE_CHARS_MAX).optional(),
    rail: Rail,
    network: z.string().min(1),
    assetId: Id,
    payee: z.string().min(1).max(RECIPIENT_CHARS_MAX),
    payeeName: SafeText(PAYEE_NAME_CHARS_MAX).optional(),
    funding: EscrowFunding.default('treasury'),
    /** Stripe, funding 'charge': the customer's charge (ch_…) whose transfer_group is this escrow's id. */
    fundingCharge: z
      .string()
      .regex(/^ch_[A-Za-z0-9]+$/, 'must be a Stripe charge id such as ch_3Nc…')
      .optional(),
    /** The approval of the funding is also the approval of each milestone's automatic release. */
    autoRelease: z.boolean(),
    /** After this, unreleased milestones may go back to the payer (refund without a dispute). */
    expiresAt: IsoTimestamp,
    milestones: z.array(MilestoneInput).min(1).max(ESCROW_MILESTONES_MAX),
  })
  .strict()
export type EscrowCreateInput = z.infer<typeof EscrowCreateInput>

export const EscrowMilestone = z.object({
  index: z.number().int(),
  title: z.string(),
  amount: DecimalString,
  state: EscrowMilestoneState,
  reviewWindowHours: z.number().int(),
  reviewStartsAt: IsoTimestamp,
  reviewEndsAt: IsoTimestamp,
  /** What went to the payee and back to the payer (a resolved split has both). */
  released: DecimalString,
  refunded: DecimalString,
  /** The rail's handle: Stellar claimable balance id, Stripe transfer id; null on EVM (the contract indexes milestones). */
  railRef: z.string().nullable(),
  holdId: z.string().nullable(),
  autoReleased: z.boolean(),
})
export type EscrowMilestone = z.infer<typeof EscrowMilestone>

export const EscrowDeadline = z.object({
  kind: z.enum(['review_ends', 'expires', 'stripe_hold_limit']),
  at: IsoTimestamp,
  milestone: z.number().int().nullable(),
})

export const EscrowSummary = z.object({
  id: EscrowId,
  name: z.string(),
  reference: z.string().nullable(),
  rail: Rail,
  network: z.string(),
  assetId: z.string(),
  assetCode: z.string(),
  scale: z.number().int(),
  payee: z.string(),
  payeeName: z.string().nullable(),
  funding: EscrowFunding,
  total: DecimalString,
  held: DecimalString,
  released: DecimalString,
  refunded: DecimalString,
  state: EscrowState,
  version: z.number().int(),
  autoRelease: z.boolean(),
  expiresAt: IsoTimestamp,
  milestones: z.number().int(),
  nextDeadline: EscrowDeadline.nullable(),
  /** Actions waiting for approval or execution. */
  openActions: z.number().int(),
  createdBy: z.string(),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
})
export type EscrowSummary = z.infer<typeof EscrowSummary>

export const EscrowApprovalView = z.object({
  operatorId: z.string(),
  operatorName: z.string(),
  at: IsoTimestamp,
  keyFingerprint: z.string().nullable(),
  verified: z.boolean(),
})

export const EscrowAction = z.object({
  id: ActionId,
  escrowId: EscrowId,
  kind: EscrowActionKind,
  /** 1-based milestone, or null for the whole escrow (fund, refund of every open milestone). */
  milestone: z.number().int().nullable(),
  amount: DecimalString,
  toPayee: DecimalString.nullable(),
  toPayer: DecimalString.nullable(),
  reason: z.string().nullable(),
  state: EscrowActionState,
  /** The poller acting on an approved automatic release, or an operator. */
  requestedBy: z.string(),
  requestedAt: IsoTimestamp,
  required: z.number().int(),
  approvals: z.array(EscrowApprovalView),
  digest: z.string(),
  canApprove: z.boolean(),
  canExecute: z.boolean(),
  /** Sentences for the caller: why they may or may not approve / execute. */
  sentences: z.array(z.string()),
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
})
export type EscrowAction = z.infer<typeof EscrowAction>

export const EscrowTx = z.object({
  id: z.string(),
  actionId: z.string().nullable(),
  kind: z.string(),
  state: z.enum(['planned', 'signed', 'broadcast', 'confirmed', 'failed', 'dead']),
  txHash: z.string().nullable(),
  /** The rail's own id to show and copy: EVM/Stellar transaction hash, Stripe object id (tr_…); null until known. */
  railRef: z.string().nullable(),
  explorerUrl: z.string().nullable(),
  /** The network fee, as a decimal of the fee asset (ETH, XLM); null until settled or where none is paid (Stripe). */
  feePaid: DecimalString.nullable(),
  feeAssetCode: z.string().nullable(),
  /** The fee asset's scale (to show feePaid at display precision, exact on hover); null with feePaid. */
  feeAssetScale: z.number().int().nonnegative().nullable(),
  failureMessage: z.string().nullable(),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
})
export type EscrowTx = z.infer<typeof EscrowTx>

export const EscrowEvent = z.object({
  at: IsoTimestamp,
  actor: z.string(),
  action: z.string(),
  text: z.string(),
})

export const EscrowDetail = z.object({
  escrow: EscrowSummary,
  milestoneList: z.array(EscrowMilestone),
  actions: z.array(EscrowAction),
  txs: z.array(EscrowTx),
  history: z.array(EscrowEvent),
  /** Stripe: how long the platform may hold funds for the payee's country, and when that runs out. */
  holdLimit: z.object({ days: z.number().int(), country: z.string(), endsAt: IsoTimestamp, warn: z.boolean() }).nullable(),
})
export type EscrowDetail = z.infer<typeof EscrowDetail>

export const EscrowList = z.object({
  escrows: z.array(EscrowSummary),
  /** Per asset: the sum of open escrow holds (the dashboard's "In escrow"). */
  inEscrow: z.array(z.object({ assetId: z.string(), assetCode: z.string(), scale: z.number().int(), held: DecimalString })),
})
export type EscrowList = z.infer<typeof EscrowList>

const Comment = SafeText(APPROVAL_COMMENT_CHARS_MAX, { multiline: true })

export const EscrowRequestInput = z
  .object({
    id: EscrowId,
    kind: z.enum(['release', 'resolve', 'refund']),
    milestone: z.number().int().min(1).max(ESCROW_MILESTONES_MAX).optional(),
    toPayee: UnsignedDecimal.optional(),
    toPayer: UnsignedDecimal.optional(),
    reason: Comment.optional(),
  })
  .strict()
export type EscrowRequestInput = z.infer<typeof EscrowRequestInput>

export const escrowCalls = {
  'escrow.list': call({
    summary: 'Escrows, newest first, with their state, next deadline and the sum held per asset.',
    mutates: false,
    input: z.object({ state: EscrowState.optional(), limit: z.number().int().min(1).max(ESCROWS_LIST_MAX).optional() }).strict(),
    output: EscrowList,
  }),
  'escrow.get': call({
    summary: 'One escrow: milestones, action requests with their approvals, rail transactions and history.',
    mutates: false,
    input: z.object({ id: EscrowId }).strict(),
    output: EscrowDetail,
  }),
  'escrow.create': call({
    summary: 'Create an escrow (preparer) with its milestones; its funding waits for approval.',
    mutates: true,
    input: EscrowCreateInput,
    output: EscrowDetail,
  }),
  'escrow.importCsv': call({
    summary: 'Create escrows from a CSV, one row per milestone (rows with the same escrow name form one escrow).',
    mutates: true,
    input: z.object({ csv: z.string().min(1).max(ESCROW_CSV_BYTES_MAX), autoRelease: z.boolean() }).strict(),
    output: z.object({ escrows: z.array(EscrowSummary) }),
  }),
  'escrow.request': call({
    summary: 'Ask for a release, a resolve (split) or a refund (preparer); it waits for approval.',
    mutates: true,
    input: EscrowRequestInput,
    output: EscrowDetail,
  }),
  'escrow.approve': call({
    summary: 'Approve an action request with your approval key (approver who did not ask for it).',
    mutates: true,
    input: z.object({ actionId: ActionId, comment: Comment.optional() }).strict(),
    output: EscrowDetail,
  }),
  'escrow.reject': call({
    summary: 'Reject an action request; nothing moves.',
    mutates: true,
    input: z.object({ actionId: ActionId, comment: Comment.optional() }).strict(),
    output: EscrowDetail,
  }),
  'escrow.execute': call({
    summary: 'Carry out an approved action on its rail (signer), exactly once.',
    mutates: true,
    input: z.object({ actionId: ActionId }).strict(),
    output: EscrowDetail,
  }),
  'escrow.dispute': call({
    summary: 'Dispute a milestone: its automatic release stops at once (on chain: a lock signed on the device).',
    mutates: true,
    input: z.object({ id: EscrowId, milestone: z.number().int().min(1).max(ESCROW_MILESTONES_MAX), reason: Comment }).strict(),
    output: EscrowDetail,
  }),
  'escrow.cancel': call({
    summary: 'Cancel an escrow that was never funded.',
    mutates: true,
    input: z.object({ id: EscrowId, comment: Comment.optional() }).strict(),
    output: EscrowSummary,
  }),
} as const
