/**
 * The rail-neutral contract between the escrow engine (escrow/) and one rail on one network, for
 * the rail's own lock on escrowed money: our escrow contract on EVM, one claimable balance per
 * milestone on Stellar, `transfer_group`-tagged platform funds on Stripe.
 *
 * Like Rail.ts it is a PURE ADAPTER: plain data in, plain data out; it never opens the database
 * and never imports the engine. The engine owns the `escrow_txs` rows (planned -> signed ->
 * broadcast -> confirmed | failed | dead), the nonce / sequence reservation (shared with payout
 * submissions of the same source: reserveNonce.ts), bookings and audit. The row a rail sees is an
 * `EscrowRailTx`, shaped like a payout submission so the EVM and Stellar signing, sending and
 * lookup parts are reused as they are.
 *
 * What happens on each rail for each operation:
 *
 *                 EVM (CountersignEscrow)       Stellar                          Stripe
 *   fund          fund(...) [+ approve ERC-20]  create_claimable_balance × n     none (treasury) / the charge (customer)
 *   release i     release(id, i)                claim back + payment to payee    Transfer, transfer_group = escrow id
 *   dispute i     lock(id)                      claim back milestone i           none: our side freezes
 *   resolve i     resolve(id, i, payee, payer)  payment(s) from the treasury     Transfer (payee part) + Refund (payer part)
 *   refund        refund(id) after expiry       claim back open milestones       Refund (charge) / none (treasury)
 *   auto-release  anyone's claim(id, i)         the payee claims after T          our poller asks for a Transfer
 *
 * A rail answers `needsTx(op)` false where nothing is sent (Stripe's treasury funding, a Stripe
 * dispute): the engine books such an action at once.
 */
import type { AssetRow } from '../db/schema'
import type { Signer, SignerChain } from '../signing/Signer'
import type { BroadcastOutcome, BuiltSubmission, RailSignOptions, RailSubmission, SignedSubmission } from './Rail'

/** One milestone as a rail needs it; deadlines are absolute (Unix seconds on chain). */
export interface EscrowRailMilestone {
  /** 1-based, as people and the contract count them. */
  index: number
  amount: bigint
  /** The payee may take it (EVM `claim`, Stellar `not(before T)`) from this instant, unless disputed. */
  releaseAfter: Date
  /** The rail's handle once funded: the Stellar claimable balance id; null elsewhere. */
  railRef: string | null
  /**
   * The engine's dispute of it has taken effect (its state now, not a term): on Stellar its
   * balance was claimed back then, so a refund has nothing left to claim. Absent means not
   * disputed — the cautious reading, which sends the rail transaction.
   */
  disputed?: boolean
}

/** What an escrow is, as the rail needs it: fixed when the escrow was approved, never changed after. */
export interface EscrowTerms {
  escrowId: string
  /** The on-rail id: EVM bytes32 (0x + 64 hex), Stellar / Stripe the escrow id itself. */
  railEscrowId: string
  assetId: string
  /** The treasury address / account that funds it and may claim back (= the rail's source). */
  payer: string
  payee: string
  milestones: readonly EscrowRailMilestone[]
  expiresAt: Date
  /** Stripe: the charge that funded it (a refund goes back to it); null when the treasury funded it. */
  fundingCharge: string | null
}

export type EscrowOp =
  | { kind: 'fund' }
  | { kind: 'release'; milestone: number }
  | { kind: 'dispute'; milestone: number }
  | { kind: 'resolve'; milestone: number; toPayee: bigint; toPayer: bigint }
  | { kind: 'refund'; milestones: readonly number[] }

export interface EscrowOpInput {
  terms: EscrowTerms
  op: EscrowOp
  /** The asset of the escrow and the rail's fee asset, by id. */
  assets: ReadonlyMap<string, AssetRow>
  /** The action request this transaction carries out (its id makes idempotency keys). */
  actionId: string
  attempt: number
}

/** A transaction of the escrow engine as a rail sees it (payoutIds is always empty). */
export type EscrowRailTx = RailSubmission & { readonly op: EscrowOp }

/** What `build` returns besides the payload: handles known before signing (Stellar balance ids by milestone). */
export interface BuiltEscrowTx extends BuiltSubmission {
  railRefs: ReadonlyMap<number, string>
}

export type EscrowVerdict =
  | { kind: 'pending'; rebroadcast: boolean }
  | { kind: 'confirmed'; blockNumber: string; blockHash: string; feePaid: bigint; feeAssetId: string; closedAt: Date }
  | { kind: 'failed'; blockNumber: string; blockHash: string; feePaid: bigint; feeAssetId: string; reason: string; code: string }
  | { kind: 'dead'; reason: string; code: string }

/** The rail's own view of one milestone, read by the poller (auto-releases done without us). */
export type MilestoneOnRail =
  | { state: 'held'; amount: bigint }
  | { state: 'locked'; amount: bigint }
  | { state: 'released'; amount: bigint; txHash: string | null; at: Date | null }
  | { state: 'refunded'; amount: bigint; txHash: string | null; at: Date | null }
  | { state: 'split'; toPayee: bigint; toPayer: bigint; txHash: string | null; at: Date | null }
  | { state: 'absent' }

export interface EscrowOnRail {
  milestones: ReadonlyMap<number, MilestoneOnRail>
  /** The rail's clock (latest block time, Stellar close time, Stripe: ours): deadlines are compared with it. */
  railNow: Date
}

/** A problem found before anything is planned (pre-flight): a reason to refuse the action. */
export interface EscrowRailProblem {
  code: string
  message: string
}

export interface EscrowRail {
  readonly rail: 'evm' | 'stellar' | 'stripe'
  readonly network: string
  readonly source: { address: string; path: string }
  readonly feeAssetId: string
  /** null: nothing is signed on a device (Stripe). */
  readonly signer: SignerChain | null
  /** False where the operation moves nothing on the rail (Stripe treasury funding, Stripe dispute). */
  needsTx(terms: EscrowTerms, op: EscrowOp): boolean
  /** Network, no writes: problems that stop the operation (balance, trustline, reserve, fee-on-transfer token, window). */
  preflight(input: EscrowOpInput): Promise<readonly EscrowRailProblem[]>
  /** Network, no writes: whatever `build` needs (gas, fees), JSON-able. */
  prepare(input: EscrowOpInput): Promise<unknown>
  nonceFloor(source: string): Promise<bigint | null>
  /** PURE: the unsigned payload at the reserved nonce. */
  build(input: EscrowOpInput, prepared: unknown, nonce: bigint | null, now: Date): BuiltEscrowTx
  sign?(tx: EscrowRailTx, signer: Signer, options?: RailSignOptions): Promise<SignedSubmission>
  seal?(tx: EscrowRailTx): SignedSubmission
  broadcast(tx: EscrowRailTx): Promise<BroadcastOutcome>
  lookup(txs: readonly EscrowRailTx[]): Promise<Map<string, unknown>>
  /** PURE. */
  classify(tx: EscrowRailTx, observation: unknown): EscrowVerdict
  /** The rail's own state of an escrow's milestones (for the poller and the balance check). */
  observe(terms: EscrowTerms): Promise<EscrowOnRail>
  explorerUrl?(txHash: string): string | null
  readonly reorgWatch?: EscrowReorgWatch
}

/**
 * Rails with reorgs: confirmed escrow transactions stay under watch for a while. One whose block
 * left the chain (a reorg deeper than confirmationsMin) is sent again with its SAME bytes — same
 * nonce, same operation — so the chain comes back to what was booked and its nonce leaves no gap
 * that would hold every later transaction of the treasury.
 */
export interface EscrowReorgWatch {
  /** At most this many of the newest confirmed transactions are looked at per sweep. */
  txsMax: number
  /**
   * The cheap head probe (EVM: the latest block's hash — a reorg changes it even at the same
   * height): the poller's sweep looks the watched transactions up again only when it moved
   * (SweepGate, as the payout sweep does).
   */
  head(): Promise<string>
  /** Whether a confirmed transaction is still inside the reorg window (pure; the rail's own head). */
  isWatched(tx: EscrowRailTx): boolean
  /** PURE: the transaction is gone from the chain and from the node, and its nonce is free — send it again. */
  resend(tx: EscrowRailTx, observation: unknown): boolean
}

/** Finds the escrow rail for (rail, network); undefined when that rail has no escrow configured. */
export interface EscrowRailRegistry {
  get(rail: string, network: string): EscrowRail | undefined
}

/** The core's escrow rails (createEscrowRails.ts): built on first use from the live rails configuration. */
export interface LiveEscrowRails {
  /** The escrow rails of the configuration in force (their modules imported at the first call). */
  load(): Promise<EscrowRailRegistry>
}
