/**
 * The matching engine's plain data (issue 15). The engine (./matchEngine.ts) is a pure function
 * of these: no database, no clock, no I/O — the same input gives the same matches, in the same
 * order, on every machine. The run (../runRecon.ts) loads the items, calls it and persists.
 *
 * Two sides: *outside* items (statement lines, and the rail records pulled in as statement lines)
 * and *ledger* items (postings on the ledger account a statement account is linked to). Amounts
 * are signed minor units in the item's currency, seen from the account: positive = money in.
 */

import type { NumberedKeys } from './keyInterner'

export type MatchSide = 'statement' | 'ledger'

export interface MatchItem {
  /** Statement line id, or "<entry id>/<posting index>" for a ledger posting. Unique per side. */
  readonly id: string
  /** The statement account both sides belong to (a ledger item is given the account it is linked to). Items only ever match inside one account. */
  readonly account: string
  readonly currency: string
  /** Signed minor units: positive = money in to the account. Never zero for a real movement. */
  readonly amount: bigint
  /** Days since 1970-01-01 (UTC) of the booking date (statement) or entry date (ledger). */
  readonly day: number
  /**
   * Exact keys, already normalised by ./matchKeys.ts (upper-case tokens): end-to-end ids, our
   * payout ids and references, Stripe ids (TR_…, PO_…, TXN_…), "0XHASH:LOGINDEX" for one
   * transfer in a transaction and "0XHASH" for the whole transaction (its gas), entry ids. Two
   * items share a key only when they name the same movement.
   */
  readonly keys: readonly string[]
  /** Normalised counterparty (IBAN, address, account id, or name) or null when unknown. */
  readonly counterparty: string | null
  /** Free text rules may search (remittance, description), upper-cased. */
  readonly text: string
}

export type MatchKind = 'key' | '1:1' | '1:N' | 'N:1' | 'fee'

/**
 * One rule, tried in `position` order after the exact keys. A rule of kind 'amount' pairs one
 * statement line with one ledger item (1:1) — and, when `maxGroup` > 1, one line with up to
 * `maxGroup` ledger items summing to it (1:N) or several lines summing to one ledger item (N:1).
 * A rule of kind 'fee' turns an outside line no ledger item explains (a bank charge) into a
 * proposed adjustment entry against `feeAccount`.
 */
export interface MatchRule {
  readonly id: string
  readonly name: string
  readonly kind: 'amount' | 'fee'
  /** Only items of this statement account (null: every account). */
  readonly account: string | null
  /** Absolute tolerance in minor units (≥ 0). */
  readonly toleranceMinor: bigint
  /** Relative tolerance in basis points of the statement amount (100 = 1 %). The larger of the two applies. */
  readonly toleranceBps: number
  /** Most business days (Mon–Fri) between the two dates. */
  readonly windowDays: number
  readonly direction: 'any' | 'in' | 'out'
  /** Both sides must name the same counterparty when both name one. */
  readonly counterparty: boolean
  /** 1 = 1:1 only; up to 6 items in a 1:N or N:1 group. */
  readonly maxGroup: number
  /** Refuse to pick when two candidates (or two groups) fit equally: the line goes to exceptions as 'ambiguous'. */
  readonly noAmbiguous: boolean
  /** Matches this rule makes with no variance are confirmed at once; otherwise they stay suggested. */
  readonly autoConfirm: boolean
  /** 'fee' rules: the outside line's text must contain one of these (upper-case) words. */
  readonly textContains: readonly string[]
  /** 'fee' rules: most a fee line may be, in minor units (absolute). */
  readonly maxAmountMinor: bigint | null
  /** 'fee' rules (and any variance of an 'amount' rule): the ledger account adjustments are booked to. */
  readonly feeAccount: string | null
}

export interface MatchReason {
  readonly rule: string
  readonly ruleName: string
  /** The exact keys both sides shared (key matches). */
  readonly keys: readonly string[]
  /** statement total − ledger total, minor units as decimal text ("0" when exact). */
  readonly amountDifference: string
  /** Business days between the dates (largest in a group). */
  readonly dayDifference: number
  /** One sentence a person reads: "Same end-to-end id E2E-7; amounts equal". */
  readonly summary: string
}

export interface ProposedMatch {
  readonly kind: MatchKind
  readonly account: string
  readonly statement: readonly string[]
  readonly ledger: readonly string[]
  /** statement total − ledger total (signed minor units); an adjustment of this size is proposed when non-zero. */
  readonly variance: bigint
  readonly confirm: boolean
  readonly reason: MatchReason
  /** Where a proposed adjustment goes (the rule's feeAccount), when variance ≠ 0 or kind is 'fee'. */
  readonly adjustmentAccount: string | null
}

export type ExceptionReason = 'unmatched' | 'ambiguous' | 'amount_differs' | 'duplicate'

export interface ProposedException {
  readonly side: MatchSide
  readonly item: string
  readonly account: string
  readonly reason: ExceptionReason
  /** What the engine saw: "2 ledger items fit: …", "key E2E-7 matches, amount differs by 12.00". */
  readonly detail: string
  /** Ids of the items on the other side involved (candidates, the key's partner). */
  readonly related: readonly string[]
}

export interface MatchResult {
  readonly matches: readonly ProposedMatch[]
  readonly exceptions: readonly ProposedException[]
  readonly stats: {
    readonly statement: number
    readonly ledger: number
    readonly byKind: Readonly<Record<MatchKind, number>>
    readonly exceptions: Readonly<Record<ExceptionReason, number>>
  }
}

export interface MatchInput {
  readonly statement: readonly MatchItem[]
  readonly ledger: readonly MatchItem[]
  readonly rules: readonly MatchRule[]
  /**
   * Keys of ledger items matched before (in earlier runs or confirmed by hand), with that item's
   * id: an outside item carrying one of them is a 'duplicate' (the bank reported it twice).
   */
  readonly matchedLedgerKeys: ReadonlyMap<string, string>
  /** Scale (decimal places) per currency, to write amounts in reasons ("12.00"). */
  readonly scales: ReadonlyMap<string, number>
  /**
   * Both sides' keys as numbers (./keyInterner.ts), one column per side in the items' order, when
   * the caller numbered them (the loader does, numberKeys): the engine links by these. Without
   * them it files the lines' key strings in a Map, on every run.
   */
  readonly keyNumbers?: NumberedKeys | undefined
}

/** The groups a 1:N / N:1 search may build, and how many candidates it may look at for one line. */
export const MATCH_GROUP_MAX = 6
export const MATCH_GROUP_CANDIDATES_MAX = 24
