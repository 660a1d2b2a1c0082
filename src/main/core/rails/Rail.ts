/**
 * The rail-neutral contract between the execution engine (payouts/execute) and one rail on one
 * network. A rail is a PURE ADAPTER, shaped like Ledger Live's coin bridges and viem's actions:
 * it is handed plain data (payouts, assets, submissions with their payout ids), talks to its
 * network and its signer, and answers with plain data. It never opens the database, never
 * imports the engine (payouts/), the API (api/) or db/ at runtime — ESLint enforces it — and it
 * holds no state that must survive a restart.
 *
 * The engine owns everything that is written: submissions, their payout links, the nonce /
 * sequence reservation (one strategy for every rail: max(highest live stored + 1, nonceFloor)),
 * states, bookings and audit. That split is what keeps "exactly once" in one place:
 *
 * - `plan`, `prepare`, `nonceFloor` may call the network (gas, fees, sequence numbers);
 * - `build` is pure and synchronous: given the nonce the engine reserved, it returns the unsigned
 *   payload, which the engine commits in the same transaction as the reservation;
 * - `sign` returns signed bytes (device rails) and `seal` the final payload (device-free rails);
 *   the engine commits them (state 'signed') before `broadcast`;
 * - `broadcast` and `rebroadcast` only ever send bytes already committed;
 * - `head` is the cheapest "did anything change?" probe; `lookup` reads the network for many
 *   submissions at once, and `classify` turns one observation into a verdict, purely.
 */
import type { Rail as RailName } from '../../../shared/blocks'
import type { PreflightProblem } from '../../../shared/payoutsApi'
import type { AssetRow, BatchRow, PayoutRow, SubmissionRow } from '../db/schema'
import type { Signer, SignerChain, SignerProgress } from '../signing/Signer'

/** A submission as a rail sees it: the stored row plus its payouts in on-chain order. */
export type RailSubmission = Readonly<SubmissionRow> & {
  /** Position i is Paid.index i (EVM), operation i (Stellar), the one transfer (Stripe). */
  readonly payoutIds: readonly string[]
}

/** One submission-to-be: payouts of one asset that go out in one transaction / request. */
export interface PlannedChunk {
  chunkIndex: number
  assetId: string
  /** Payouts in on-chain order: position i is Paid.index i (EVM) / operation i (Stellar). */
  payoutIds: readonly string[]
  /** Rail-specific, JSON-able facts `build` needs (gas limit, fees). Computed outside any db.tx. */
  prepared: unknown
}

/** What the engine hands `plan`: this rail's payouts of one batch and the assets they are in. */
export interface RailPlanInput {
  batchId: string
  payouts: readonly PayoutRow[]
  /** Every asset the payouts (and the fee) are in, by id. */
  assets: ReadonlyMap<string, AssetRow>
  chunkIndexStart: number
}

/** A retry: the same chunks again (a retried chunk keeps its payouts, order and identity). */
export interface RailPrepareInput {
  batchId: string
  chunks: readonly { chunkIndex: number; payouts: readonly PayoutRow[] }[]
  assets: ReadonlyMap<string, AssetRow>
}

export interface RailBuildInput {
  batchId: string
  chunk: PlannedChunk
  attempt: number
  /** The chunk's payouts, in `chunk.payoutIds` order. */
  payouts: readonly PayoutRow[]
  assets: ReadonlyMap<string, AssetRow>
  /** The nonce / sequence the engine reserved for this submission; null on rails without one. */
  nonce: bigint | null
  /** The engine's clock (time bounds are computed from it, never from Date.now()). */
  now: Date
}

/** What `build` returns, committed by the engine in the same db.tx as the nonce reservation. */
export interface BuiltSubmission {
  source: string
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
  | {
      kind: 'dead'
      reason: string
      code?: string
      /**
       * Rails with reorgs (`reorgWatch`): the head at which death was proven. The engine keeps it
       * in block_number, and the signed dead submission stays watched from there for the reorg
       * window — a reorg deeper than confirmationsMin can still let it land.
       */
      atBlock?: string
    }
  /** Was confirmed, but its block is no longer canonical. */
  | { kind: 'reorged'; reason: string }
  /** Confirmed and still canonical: nothing to do. */
  | { kind: 'unchanged' }

export interface RailSignOptions {
  onProgress?: (progress: SignerProgress) => void
}

/** What the engine and the screens need to know about a rail without naming it. */
export interface RailCapabilities {
  /** The device app that signs for this rail; null when no device signs (Stripe). */
  signer: SignerChain | null
  /** The source address must have been verified on the device before it first pays. */
  verifiesSourceAddress: boolean
  /** Whether a submission's payload can be exported, signed outside the app and imported back. */
  externalSigning: boolean
  /** What one submission is called on screen: "transaction", "transfer". */
  unit: { one: string; other: string }
  /** What the rail's ordering number is called in messages ("nonce", "sequence"); null: none. */
  nonceName: string | null
  /**
   * The service a broadcast is handed to, named in progress messages ("Transfer 3 of 3 sent to
   * Stripe."); absent where "sent" says enough (a chain's own network).
   */
  sentTo?: string
}

/** What a rail holds for one address in one asset, as its network says (readBalances). */
export interface RailBalance {
  assetId: string
  /** Minor units of the asset (Stripe: available + pending). */
  minor: bigint
  /** The parts `minor` adds up, where the rail splits it (Stripe: available, pending). */
  parts?: Readonly<Record<string, bigint>>
  /** What the network said besides the figure (no such account, no trustline, no token contract). */
  note?: string
}

/** What a rail's `checkRecipients` found: a sentence per recipient it cannot pay, or why it could not ask. */
export interface RecipientCheck {
  /** By recipient: a sentence (with its full stop) saying what is wrong and what to do. */
  problems: ReadonlyMap<string, string>
  /** Why the network could not be asked (a clause, no full stop); null when it was. */
  unreachable: string | null
}

/** What pre-flight shows a rail: one batch and its payouts on this rail + network only. */
export interface RailPreflightInput {
  batch: BatchRow
  payouts: readonly PayoutRow[]
  assets: ReadonlyMap<string, AssetRow>
}

/**
 * Keeping settled submissions under watch (reorgs): the engine reads, the rail decides. Watched
 * are the confirmed ones (their block may leave the chain: 'reorged') and the SIGNED dead ones
 * (the transaction that used their nonce may leave the chain, and their own bytes land after all:
 * 'confirmed' or 'failed'; while nothing shows, 'unchanged'). block_number is the confirmed one's
 * block, the dead one's `atBlock`.
 */
export interface RailReorgWatch {
  /** At most this many of the newest confirmed, and as many of the newest dead, are looked at per sweep. */
  submissionsMax: number
  /** Whether a settled submission is still inside the reorg window (pure; rail's own head). */
  isWatched(submission: RailSubmission): boolean
  /**
   * Whether confirmed submissions are final now, read from the network (one request, the same
   * lookup the engine makes): the head, whether each one's block is still on the chain, and how
   * many blocks it still needs to leave the reorg window — by the same rule as `isWatched`.
   * Throws when the network cannot be asked (a receipt then waits: it is never issued early).
   */
  finality(submissions: readonly RailSubmission[]): Promise<Map<string, RailFinality>>
}

/** One confirmed submission's place in the reorg window, as `RailReorgWatch.finality` read it. */
export interface RailFinality {
  /** The chain's head when read. */
  head: bigint
  /** Its block (number and hash as recorded) is still on the chain. */
  onChain: boolean
  /** Blocks on top of its block, its own included (head − block + 1). */
  confirmations: bigint
  /** The rail's reorg window, in blocks. */
  windowBlocks: bigint
  /** Blocks the head must still advance before it leaves the window; 0: final. */
  blocksLeft: bigint
}

interface RailBase {
  readonly rail: RailName
  readonly network: string
  /** The account that pays and its signing path ('' where nothing is derived). */
  readonly source: { address: string; path: string }
  /** Asset in which this rail's fees are paid (EVM: ETH@evm:<chainId>). */
  readonly feeAssetId: string
  /** Stellar: the passphrase signatures are bound to (external signing exports it). */
  readonly networkPassphrase?: string
  readonly capabilities: RailCapabilities
  /** Group the payouts (all of this rail + network) into chunks and prepare each; writes nothing. */
  plan(input: RailPlanInput): Promise<PlannedChunk[]>
  /** Prepare the same chunks again (a retry keeps a chunk's payouts and its identity). */
  prepare(input: RailPrepareInput): Promise<PlannedChunk[]>
  /**
   * The lowest nonce / sequence the network accepts next from `source` (EVM: the pending
   * transaction count; Stellar: the account's sequence + 1); null on rails without one. Read
   * before the engine's transaction; the engine reserves max(its highest live one + 1, this).
   */
  nonceFloor(source: string): Promise<bigint | null>
  /** PURE: the unsigned payload for one chunk at the nonce the engine reserved. */
  build(input: RailBuildInput): BuiltSubmission
  /** Whether the network already used this submission's nonce (a planned one that can never land). */
  nonceConsumed(submission: RailSubmission): Promise<boolean>
  broadcast(submission: RailSubmission): Promise<BroadcastOutcome>
  /** Many at once: the SAME committed bytes, never new ones. */
  rebroadcast(submissions: readonly RailSubmission[]): Promise<void>
  /**
   * The cheapest probe of whether the network moved (EVM: the latest block's HASH — not its
   * height, a reorg can keep the height). When it returns what it returned at the last full
   * lookup, the engine may skip `lookup`. Absent: every sweep looks up.
   */
  head?(): Promise<string>
  /** Observations of open (signed / broadcast) and watched (reorgWatch) submissions, by id. */
  lookup(submissions: readonly RailSubmission[]): Promise<Map<string, unknown>>
  /** Pure: one submission + its observation → what to do. */
  classify(submission: RailSubmission, observation: unknown): Verdict
  /** Confirmed and signed dead submissions still worth looking up (reorgs); absent: none are. */
  readonly reorgWatch?: RailReorgWatch
  /** PURE: where a person can see a submission on a block explorer, when one is configured. */
  explorerUrl?(txHash: string): string | null
  /**
   * Problems that would stop this batch being paid on this rail (balances, trustlines, the key).
   * May call the network; writes nothing. A thrown error becomes a RAIL_CHECK_FAILED problem.
   */
  preflight?(input: RailPreflightInput): Promise<readonly PreflightProblem[]>
  /**
   * Which recipients this rail cannot pay, asked of the network when rows are typed in (Stripe:
   * the connected account exists and its transfers capability is active), so a person learns it
   * next to the row rather than at Submit. Writes nothing. When the network cannot be asked it says
   * so once (`unreachable`) and nothing of any recipient: no false alarm offline.
   */
  checkRecipients?(recipients: readonly string[]): Promise<RecipientCheck>
  /**
   * What `address` holds in each of `assets` (all of this rail + network), read from the network
   * itself: the rail's side of the balance checks (recon/balanceChecks.ts). Writes nothing; throws
   * when the network cannot be read. Absent: this rail cannot say.
   */
  readBalances?(address: string, assets: readonly AssetRow[]): Promise<readonly RailBalance[]>
}

/** A rail whose submissions are signed on a device (EVM, Stellar). */
export interface DeviceRail extends RailBase {
  readonly capabilities: RailCapabilities & { signer: SignerChain }
  sign(submission: RailSubmission, signer: Signer, options?: RailSignOptions): Promise<SignedSubmission>
  /**
   * PURE: the same unsigned submission at another nonce / sequence (same payouts, same calls,
   * same idempotency key). Only for PLANNED submissions — nothing outside knows their bytes — when
   * a cancelled chunk frees a nonce that later chunks of the same source must close up.
   */
  renumber(submission: RailSubmission, nonce: bigint, now: Date): BuiltSubmission
}

/** A rail whose request needs no device (Stripe: the body is the payload, the API key authorises it). */
export interface DeviceFreeRail extends RailBase {
  readonly capabilities: RailCapabilities & { signer: null }
  /** The final payload and its id, from the unsigned one; no device, no network. */
  seal(submission: RailSubmission): SignedSubmission
}

export type Rail = DeviceRail | DeviceFreeRail

export function isDeviceRail(rail: Rail): rail is DeviceRail {
  return rail.capabilities.signer !== null
}

/** Finds the rail for (rail, network); RAIL_NOT_CONFIGURED is the caller's to throw. */
export interface RailRegistry {
  get(rail: string, network: string): Rail | undefined
  all(): readonly Rail[]
}

/**
 * Rails as a long-lived holder (a poller task) is handed them: a fixed registry (tests), or the
 * core's live rails (createLiveRails.ts), loaded — built on first use — at each run.
 */
export type RailsSource = RailRegistry | { load(): Promise<RailRegistry> }

export async function railsOf(source: RailsSource): Promise<RailRegistry> {
  return 'load' in source ? await source.load() : source
}

export function createRailRegistry(rails: readonly Rail[]): RailRegistry {
  const byKey = new Map<string, Rail>(rails.map((r) => [`${r.rail}:${r.network}`, r]))
  return {
    get: (rail, network) => byKey.get(`${rail}:${network}`),
    all: () => rails,
  }
}
