/**
 * What the book checks of `audit verify` share: the problem they report (the first one found,
 * naming the row), what each audit row's digest says it sealed, and the balances recomputed on
 * the way (posted from the postings, pending from the pending holds).
 */
import type { AuditVerification } from '../../../shared/workspaceApi'

/** Canonical signed integer text; the length cap keeps a garbage value from costing a huge BigInt parse. */
const MINOR_RE = /^-?\d{1,80}$/

export type BooksProblemKind = Exclude<NonNullable<NonNullable<AuditVerification['firstBroken']>['kind']>, 'chain'>

export interface BooksProblem {
  kind: BooksProblemKind
  /** The audit row that vouches for the row named; null when none does. */
  seq: number | null
  /** 'posting:<entry>/<idx>', 'entry:<id>', 'payout:<id>', 'hold:<id>', 'account:<id>', 'audit:<seq>'. */
  subject: string
  reason: string
}

/** An audit row that sealed rows: its stored rows_digest, and what it recorded (for naming). */
export interface SealingAuditRow {
  digest: string
  action: string
  subject: string
}

/** Audit seq -> the row's digest, for every audit row that has one. */
export type SealingAuditRows = ReadonlyMap<number, SealingAuditRow>

export interface AccountSums {
  debitsPosted: bigint
  creditsPosted: bigint
  debitsPending: bigint
  creditsPending: bigint
}

/** The four balance columns of every account, recomputed from the journal and the holds. */
export class RecomputedBalances {
  readonly accounts = new Map<string, AccountSums>()

  of(accountId: string): AccountSums {
    let sums = this.accounts.get(accountId)
    if (!sums) this.accounts.set(accountId, (sums = { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n }))
    return sums
  }

  post(accountId: string, amount: bigint): void {
    const sums = this.of(accountId)
    if (amount > 0n) sums.debitsPosted += amount
    else sums.creditsPosted -= amount
  }

  pend(debitAccountId: string, creditAccountId: string, amount: bigint): void {
    this.of(debitAccountId).debitsPending += amount
    this.of(creditAccountId).creditsPending += amount
  }
}

/** A stored amount as an exact integer, or null when it is not canonical integer text. */
export function minorOrNull(text: unknown): bigint | null {
  if (typeof text !== 'string' || !MINOR_RE.test(text)) return null
  const value = BigInt(text)
  return value.toString() === text ? value : null
}
