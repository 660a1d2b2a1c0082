/**
 * The checks that keep the books whole when an entry is written: its postings sum to zero in
 * every asset (before any row is inserted), no account's balance passes uint256, and no account
 * that may not go negative ends below zero because of it (the last two after the book has applied
 * it, inside the same transaction — a failure rolls the whole call back). Each speaks to the
 * person: which entry, which asset or account, by how much, and what to do.
 */
import { CsError } from '../../../shared/errors'
import { AMOUNT_MAX, formatAmount } from '../../../shared/money'
import { invariant } from '../util/invariant'
import { where } from './entryErrors'
import type { BookAccount, LedgerBook } from './ledgerBook'
import type { ParsedEntry } from './parseEntry'

/** Postings must sum to zero in every asset. Single-asset entries (the common case) skip the map. */
export function assertBalanced(entry: ParsedEntry, e: number, total: number): void {
  const { accounts, amounts } = entry
  const firstAsset = accounts[0]!.assetId
  let sum = 0n
  let mixed = false
  for (let i = 0; i < accounts.length; i++) {
    if (accounts[i]!.assetId === firstAsset) sum += amounts[i]!
    else mixed = true
  }
  if (!mixed) {
    if (sum !== 0n) throw unbalancedError(entry, firstAsset, e, total)
    return
  }
  const sums = new Map<string, bigint>()
  for (let i = 0; i < accounts.length; i++) {
    const assetId = accounts[i]!.assetId
    sums.set(assetId, (sums.get(assetId) ?? 0n) + amounts[i]!)
  }
  for (const [assetId, assetSum] of sums) {
    if (assetSum !== 0n) throw unbalancedError(entry, assetId, e, total)
  }
}

function unbalancedError(entry: ParsedEntry, assetId: string, e: number, total: number): CsError {
  let debits = 0n
  let credits = 0n
  let acc: BookAccount | undefined
  for (let i = 0; i < entry.accounts.length; i++) {
    if (entry.accounts[i]!.assetId !== assetId) continue
    acc = entry.accounts[i]!
    const amount = entry.amounts[i]!
    if (amount > 0n) debits += amount
    else credits -= amount
  }
  invariant(acc, () => `entry ${entry.id} is unbalanced in ${assetId} but has no posting in it`)
  const { scale, assetCode } = acc
  const heavier = debits > credits ? 'debits exceed credits' : 'credits exceed debits'
  const difference = debits > credits ? debits - credits : credits - debits
  return new CsError(
    'ENTRY_UNBALANCED',
    `${where(entry.id, e, total)} does not balance in ${assetId}: debits ${formatAmount(debits, scale)}, credits ${formatAmount(credits, scale)} — ${heavier} by ${formatAmount(difference, scale)} ${assetCode}. Each asset's postings must sum to zero; fix an amount or add the missing posting.`,
    { details: { entryId: entry.id, entryIndex: e, field: 'postings', assetId, difference: formatAmount(debits - credits, scale) } },
  )
}

/**
 * After the entry is applied, an account that may not go negative must not be below zero —
 * unless this entry did not take anything from it (it was already below, which only a change of
 * rules could cause; refusing a deposit then would make things worse).
 */
export function assertNoOverdraft(book: LedgerBook, entry: ParsedEntry, e: number, total: number): void {
  const { accounts, amounts } = entry
  for (let i = 0; i < accounts.length; i++) {
    const acc = accounts[i]!
    // Only a posting against the normal side can make the entry's net effect a reduction.
    if (acc.allowNegative || (acc.side === 'debit' ? amounts[i]! > 0n : amounts[i]! < 0n)) continue
    const available = book.available(acc)
    if (available >= 0n) continue
    let net = 0n
    for (let j = 0; j < accounts.length; j++) if (accounts[j] === acc) net += amounts[j]!
    const effect = acc.side === 'debit' ? net : -net
    if (effect >= 0n) continue
    const before = available - effect
    throw new CsError(
      'INSUFFICIENT_FUNDS',
      `${where(entry.id, e, total)}: account "${acc.id}" has ${formatAmount(before, acc.scale)} ${acc.assetCode} available but the entry needs ${formatAmount(-effect, acc.scale)} ${acc.assetCode} — fund the account first, release a hold, or lower the amount.`,
      {
        details: {
          entryId: entry.id,
          entryIndex: e,
          accountId: acc.id,
          available: formatAmount(before, acc.scale),
          needed: formatAmount(-effect, acc.scale),
        },
      },
    )
  }
}

/**
 * Every balance column (debits and credits, posted and pending) is a sum that only grows, and each
 * must stay within uint256 (AMOUNT_MAX): that is what the rails can move and what every reader of
 * the books assumes. A single amount is already capped when parsed; a sum of them is checked here.
 */
export function assertInRange(entry: ParsedEntry, e: number, total: number): void {
  for (const acc of entry.accounts) {
    if (!isOutOfRange(acc)) continue
    throw new CsError(
      'BALANCE_RANGE',
      `${where(entry.id, e, total)}: account "${acc.id}" would hold more than the largest amount an account can (2^256 − 1 minor units of ${acc.assetCode}) — nothing was posted; split the amount across accounts, or check it is right.`,
      { details: { entryId: entry.id, entryIndex: e, accountId: acc.id } },
    )
  }
}

/** The same bound for the pending amounts a new hold adds to its two accounts. */
export function assertHoldInRange(holdId: string, at: string, accounts: readonly BookAccount[]): void {
  for (const acc of accounts) {
    if (!isOutOfRange(acc)) continue
    throw new CsError(
      'BALANCE_RANGE',
      `${at}: account "${acc.id}" would hold more pending than the largest amount an account can (2^256 − 1 minor units of ${acc.assetCode}) — nothing was held; post or void other holds first, or check the amount.`,
      { details: { holdId, accountId: acc.id } },
    )
  }
}

/** Whether any of an account's four balance columns has passed uint256. */
export function isOutOfRange(acc: BookAccount): boolean {
  return (
    acc.debitsPosted > AMOUNT_MAX || acc.creditsPosted > AMOUNT_MAX || acc.debitsPending > AMOUNT_MAX || acc.creditsPending > AMOUNT_MAX
  )
}
