/**
 * The rules that make an account kind what it is: which side is its normal side, whether it may
 * go below zero by default, and how its balance and available amount follow from the four
 * balance columns. Every read and write of a balance goes through these, so the dashboard and the
 * overdraft check can never disagree.
 */
import { ACCOUNT_KINDS, type AccountKind } from '../../../shared/blocks'

export type NormalSide = 'debit' | 'credit'

/**
 * Debit-normal: what we hold or have paid out (treasury wallets, escrow, clearing in transit,
 * payees we paid, fees we paid). Credit-normal: `external`, the world / opening-balance equity on
 * the other side of every inflow.
 */
export function normalSideOf(kind: AccountKind): NormalSide {
  return kind === 'external' ? 'credit' : 'debit'
}

/** Kinds that hold real funds: their balance can never be allowed below zero, whatever is asked. */
export const NEVER_NEGATIVE_KINDS: readonly AccountKind[] = ['treasury', 'escrow']

/**
 * Defaults for `allowNegative` when the caller does not say:
 * - treasury, escrow: never (a wallet cannot hold less than nothing; enforced, not a default).
 * - payee, fees: no — money comes back from a payee or a fee rebate only up to what went out;
 *   more than that is a booking error we want refused.
 * - clearing: yes — a suspense account for money in flight; the two legs of a transfer arrive
 *   from different rails in either order, and reconciliation, not the overdraft rule, is what
 *   brings it back to zero.
 * - external: yes — the world's side of our books goes "negative" whenever we send out more
 *   than came in from a counterparty, which is normal.
 */
export function allowNegativeDefault(kind: AccountKind): boolean {
  return kind === 'clearing' || kind === 'external'
}

export function isAccountKind(value: unknown): value is AccountKind {
  return typeof value === 'string' && (ACCOUNT_KINDS as readonly string[]).includes(value)
}

export interface BalanceAmounts {
  debitsPosted: bigint
  creditsPosted: bigint
  debitsPending: bigint
  creditsPending: bigint
}

/** Posted balance on the account's normal side. */
export function postedOnNormalSide(side: NormalSide, b: BalanceAmounts): bigint {
  return side === 'debit' ? b.debitsPosted - b.creditsPosted : b.creditsPosted - b.debitsPosted
}

/**
 * Posted balance less what pending holds could take out of it. Pending amounts that would add to
 * the balance are not counted: a hold may still be voided.
 */
export function availableOnNormalSide(side: NormalSide, b: BalanceAmounts): bigint {
  return side === 'debit' ? b.debitsPosted - b.creditsPosted - b.creditsPending : b.creditsPosted - b.debitsPosted - b.debitsPending
}
