/**
 * Which text memo a Stellar transaction carries. A memo belongs to the transaction, not to one
 * payment in it, which is why the rail groups payouts by memo (one memo per transaction).
 *
 * The rule:
 * - The payouts' own memo (what the payee asked for, e.g. an exchange's deposit tag) always wins,
 *   unchanged.
 * - A chunk without one carries the payouts' reference — the finance person's own search key,
 *   so it can be found in an explorer — but only when EVERY payout of the chunk has the same
 *   reference (the memo speaks for the whole transaction, so it must be true of each payment)
 *   and it fits Stellar's text memo of 28 bytes of UTF-8 (a reference cut short would be a
 *   different reference, so it is never truncated).
 * - Otherwise the transaction has no memo, as before.
 * Chunks are never split or regrouped by reference: how payouts are grouped stays as it was.
 */
import type { PayoutRow } from '../../db/schema'
import { invariant } from '../../util/invariant'

/** A Stellar text memo holds at most this many bytes (UTF-8): the protocol's limit. */
export const STELLAR_TEXT_MEMO_BYTES_MAX = 28

export function stellarMemoOf(payouts: readonly Pick<PayoutRow, 'id' | 'memo' | 'reference'>[]): string | null {
  invariant(payouts.length > 0, 'a Stellar chunk has at least one payout')
  const memo = payouts[0]!.memo || null
  invariant(
    payouts.every((p) => (p.memo || null) === memo),
    () => `the payouts of one Stellar transaction share one memo (${payouts[0]!.id})`,
  )
  if (memo !== null) return memo
  const reference = payouts[0]!.reference || null
  if (reference === null || payouts.some((p) => p.reference !== reference)) return null
  return Buffer.byteLength(reference, 'utf8') <= STELLAR_TEXT_MEMO_BYTES_MAX ? reference : null
}
