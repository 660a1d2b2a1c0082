/**
 * The rail-neutral contract between the execution engine (payouts/execute) and one rail on one
 * network: EVM chains now, Stellar and Stripe later. The engine owns every state change and every
 * database transaction; a rail only talks to its network and its signer and turns answers into
 * verdicts. That split is what keeps "exactly once" in one place:
 *
 * - `plan` and `prepare` may call the network (gas, fees, sequence numbers) and write nothing;
 * - `build` is synchronous and runs INSIDE the engine's db.tx that records the submission as
 *   planned, so the nonce / sequence it reserves and the submission row commit together;
 * - `sign` returns signed bytes; the engine commits them (state 'signed') before `broadcast`;
 * - `broadcast` and `rebroadcast` only ever send bytes already committed;
 * - `lookup` reads the network for many submissions at once (one request per sweep where the
 *   rail's protocol allows it), and `classify` turns one observation into a verdict, purely.
 */
import type { Rail as RailName } from '../../../shared/api'
import type { CoreContext } from '../context'
import type { PayoutRow, SubmissionRow } from '../db/schema'
import type { Signer, SignerProgress } from '../signing/Signer'

/** One submission-to-be: payouts of one asset that go out in one transaction / request. */
export interface PlannedChunk {
  chunkIndex: number
  assetId: string
  /** Payouts in on-chain order: position i is Paid.index i (EVM) / operation i (Stellar). */
  payoutIds: readonly string[]
  /** Rail-specific, JSON-able facts `build` needs (gas limit, fees). Computed outside any db.tx. */
  prepared: unknown
}

/** What `build` returns, committed by the engine in the same db.tx as the nonce reservation. */
export interface BuiltSubmission {
  source: string
  /** Decimal text; null for rails without one (Stripe). */
  nonce: string | null
  /** Unique forever (a DB constraint): whatever makes a resend "the same" on this rail. */
  idempotencyKey: string
  unsignedPayload: string
  /** Most this submission may cost in fees, in the fee asset's minor units (decimal text). */
  feeCap: string | null
}

export interface SignedSubmission {
  signedPayload: string
  txHash: string
}

/**
 * How a broadcast ended. 'sent': the node took it. 'maybe-sent': the node answered with an
 * error, or the answer was lost — the bytes may be out there, so the submission counts as
 * broadcast and only `lookup` may decide what happened. 'unreachable': nothing was delivered
 * (connection refused): the submission stays 'signed', which is looked up exactly like
 * 'broadcast' anyway — the difference is only what the screen says.
 */
export type BroadcastOutcome = { kind: 'sent' } | { kind: 'maybe-sent'; message: string } | { kind: 'unreachable'; message: string }

/** One payout's place in a confirmed submission (EVM: the Paid event's log index). */
export interface ConfirmedPayout {
  payoutId: string
  logIndex: number
}

export type Verdict =
  /** Nothing to write. `rebroadcast`: the network has not got it; send the SAME bytes again. */
  | { kind: 'pending'; rebroadcast: boolean; seenByNetwork: boolean }
  | {
      kind: 'confirmed'
      blockNumber: string
      blockHash: string
      /** Fee paid, in `feeAssetId` minor units. */
      feePaid: bigint
      feeAssetId: string
      payouts: readonly ConfirmedPayout[]
    }
  /** Landed and reverted: the nonce is used, nothing was paid, the fee was. */
  | {
      kind: 'failed'
      blockNumber: string
      blockHash: string
      feePaid: bigint
      feeAssetId: string
      reason: string
      /** Stable failure code for the payouts (default REVERTED), e.g. STELLAR_NO_TRUST. */
      code?: string
    }
  /** Provably never landing (its nonce consumed by another transaction, or its time bound passed). */
  | { kind: 'dead'; reason: string; code?: string }
  /** Was confirmed, but its block is no longer canonical. */
  | { kind: 'reorged'; reason: string }
  /** Confirmed and still canonical: nothing to do. */
  | { kind: 'unchanged' }

export interface RailSignOptions {
  onProgress?: (progress: SignerProgress) => void
}

export interface Rail {
  readonly rail: RailName
  readonly network: string
  /** The account that pays (EVM address) and its signing path. */
  readonly source: { address: string; path: string }
  /** Asset in which this rail's fees are paid (EVM: ETH@evm:<chainId>). */
  readonly feeAssetId: string
  /** Stellar: the passphrase signatures are bound to (external signing exports it). */
  readonly networkPassphrase?: string
  /**
   * false for rails whose "signing" needs no device (Stripe: the request body is the payload and
   * the API key authorises it); the engine then neither demands nor queries a signer. Default true.
   */
  readonly needsSigner?: boolean
  /** Group the payouts (all of this rail + network) into chunks and prepare each; writes nothing. */
  plan(ctx: CoreContext, batchId: string, payouts: readonly PayoutRow[], chunkIndexStart: number): Promise<PlannedChunk[]>
  /** Prepare the same chunks again (a retry keeps a chunk's payouts and its identity). */
  prepare(
    ctx: CoreContext,
    batchId: string,
    chunks: readonly { chunkIndex: number; payouts: readonly PayoutRow[] }[],
  ): Promise<PlannedChunk[]>
  /** SYNCHRONOUS, inside the engine's db.tx: reserve the nonce and build the unsigned payload. */
  build(ctx: CoreContext, batchId: string, chunk: PlannedChunk, attempt: number, payouts: readonly PayoutRow[]): BuiltSubmission
  /** Whether the network already used this submission's nonce (a planned one that can never land). */
  nonceConsumed(ctx: CoreContext, submission: SubmissionRow): Promise<boolean>
  sign(ctx: CoreContext, submission: SubmissionRow, signer: Signer, options?: RailSignOptions): Promise<SignedSubmission>
  broadcast(ctx: CoreContext, submission: SubmissionRow): Promise<BroadcastOutcome>
  /** Many at once: the SAME committed bytes, never new ones. */
  rebroadcast(ctx: CoreContext, submissions: readonly SubmissionRow[]): Promise<void>
  /** Observations of open (signed / broadcast) and recently confirmed submissions, by id. */
  lookup(ctx: CoreContext, submissions: readonly SubmissionRow[]): Promise<Map<string, unknown>>
  /** Pure: one submission + its observation → what to do. */
  classify(submission: SubmissionRow, observation: unknown): Verdict
  /** Confirmed submissions still inside the reorg window, to pass to `lookup` with the open ones. */
  watchedConfirmed(ctx: CoreContext): SubmissionRow[]
}

/** Finds the rail for (rail, network); RAIL_NOT_CONFIGURED is the caller's to throw. */
export interface RailRegistry {
  get(rail: string, network: string): Rail | undefined
  all(): readonly Rail[]
}

export function createRailRegistry(rails: readonly Rail[]): RailRegistry {
  const byKey = new Map<string, Rail>(rails.map((r) => [`${r.rail}:${r.network}`, r]))
  return {
    get: (rail, network) => byKey.get(`${rail}:${network}`),
    all: () => rails,
  }
}
