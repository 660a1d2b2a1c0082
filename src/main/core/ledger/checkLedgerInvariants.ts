/**
 * Recompute the ledger from its journal and holds and compare with what is stored. Returns the
 * violations found (empty when the books are sound). Used by tests after every step and by the
 * CLI's `ledger check`; reads everything, so it is for checking, not for hot paths.
 *
 * Checked:
 * - every stored amount is a canonical integer string;
 * - every entry has at least two postings, no zero posting, each in its account's asset, and
 *   its postings sum to zero per asset;
 * - per account: debits_posted = sum of its positive postings, credits_posted = sum of its
 *   negative postings (so balance = sum of postings), and debits_pending / credits_pending =
 *   the sums of its pending holds;
 * - accounts that may not go negative have available >= 0;
 * - holds: states and posted amounts agree, and a posted hold has its "hold:<id>:post" entry
 *   moving exactly the posted amount.
 */
import { HOLD_STATES } from '../../../shared/blocks'
import type { CoreContext } from '../context'
import { sql } from 'kysely'
import { availableOnNormalSide, isAccountKind, normalSideOf, type BalanceAmounts } from './accountRules'
import { holdPostEntryId } from './ids'

/** Violations reported at most (the first ones are what matter; the rest repeat them). */
export const LEDGER_VIOLATIONS_MAX = 100

interface AccountCheck {
  assetId: string
  kind: string
  allowNegative: boolean
  stored: BalanceAmounts | null
  expected: BalanceAmounts
}

export async function checkLedgerInvariants(ctx: CoreContext): Promise<string[]> {
  const violations: string[] = []
  const report = (text: string): void => {
    if (violations.length < LEDGER_VIOLATIONS_MAX) violations.push(text)
  }
  const minor = (text: unknown, what: string): bigint | null => {
    if (typeof text !== 'string' || !/^-?\d+$/.test(text) || BigInt(text).toString() !== text) {
      report(`${what}: "${String(text).slice(0, 40)}" is not a canonical integer amount`)
      return null
    }
    return BigInt(text)
  }
  const zero = (): BalanceAmounts => ({ debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n })
  const rows = <R>(text: string): Promise<R[]> => ctx.db.all(sql<R>`${sql.raw(text)}`)

  const accounts = new Map<string, AccountCheck>()
  for (const r of await rows<
    Record<string, unknown>
  >(`SELECT a.id, a.asset_id, a.kind, a.allow_negative, b.account_id AS has_balance, b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending
       FROM accounts a LEFT JOIN balances b ON b.account_id = a.id`)) {
    const id = r.id as string
    let stored: BalanceAmounts | null = null
    if (r.has_balance === null) report(`account ${id}: has no balances row`)
    else {
      const dp = minor(r.debits_posted, `account ${id} debits_posted`)
      const cp = minor(r.credits_posted, `account ${id} credits_posted`)
      const dpe = minor(r.debits_pending, `account ${id} debits_pending`)
      const cpe = minor(r.credits_pending, `account ${id} credits_pending`)
      if (dp !== null && cp !== null && dpe !== null && cpe !== null)
        stored = { debitsPosted: dp, creditsPosted: cp, debitsPending: dpe, creditsPending: cpe }
    }
    accounts.set(id, {
      assetId: r.asset_id as string,
      kind: r.kind as string,
      allowNegative: r.allow_negative === 1,
      stored,
      expected: zero(),
    })
  }
  for (const r of await rows<{ account_id: string }>(`SELECT account_id FROM balances WHERE account_id NOT IN (SELECT id FROM accounts)`)) {
    report(`balances row ${r.account_id}: has no account`)
  }

  // Journal: postings in entry order, checked entry by entry.
  const postingCounts = new Map<number, number>()
  let currentSeq = -1
  let sums = new Map<string, bigint>()
  const closeEntry = (): void => {
    for (const [assetId, sum] of sums) if (sum !== 0n) report(`entry seq ${currentSeq}: postings sum to ${sum} in ${assetId}, not zero`)
  }
  for (const p of await rows<{
    entry_seq: number
    idx: number
    account_id: string
    asset_id: string
    amount: string
  }>(`SELECT entry_seq, idx, account_id, asset_id, amount FROM postings ORDER BY entry_seq, idx`)) {
    if (p.entry_seq !== currentSeq) {
      closeEntry()
      currentSeq = p.entry_seq
      sums = new Map()
    }
    postingCounts.set(p.entry_seq, (postingCounts.get(p.entry_seq) ?? 0) + 1)
    const amount = minor(p.amount, `posting ${p.entry_seq}/${p.idx}`)
    if (amount === null) continue
    if (amount === 0n) report(`posting ${p.entry_seq}/${p.idx}: amount is zero`)
    sums.set(p.asset_id, (sums.get(p.asset_id) ?? 0n) + amount)
    const acc = accounts.get(p.account_id)
    if (!acc) {
      report(`posting ${p.entry_seq}/${p.idx}: account ${p.account_id} does not exist`)
      continue
    }
    if (acc.assetId !== p.asset_id)
      report(`posting ${p.entry_seq}/${p.idx}: asset ${p.asset_id} but account ${p.account_id} holds ${acc.assetId}`)
    if (amount > 0n) acc.expected.debitsPosted += amount
    else acc.expected.creditsPosted -= amount
  }
  closeEntry()
  for (const e of await rows<{ seq: number; id: string }>(`SELECT seq, id FROM entries`)) {
    const n = postingCounts.get(e.seq) ?? 0
    if (n < 2) report(`entry ${e.id}: has ${n} posting(s), needs at least 2`)
    postingCounts.delete(e.seq)
  }
  for (const seq of postingCounts.keys()) report(`postings of entry seq ${seq}: the entry does not exist`)

  // Holds.
  const holdEntry = (entryId: string) =>
    ctx.db.all(
      sql<{
        account_id: string
        amount: string
      }>`SELECT p.account_id, p.amount FROM entries e JOIN postings p ON p.entry_seq = e.seq WHERE e.id = ${entryId} ORDER BY p.idx`,
    )
  for (const h of await rows<{
    id: string
    debit_account_id: string
    credit_account_id: string
    asset_id: string
    amount: string
    posted_amount: string
    state: string
  }>(`SELECT id, debit_account_id, credit_account_id, asset_id, amount, posted_amount, state FROM holds`)) {
    const amount = minor(h.amount, `hold ${h.id} amount`)
    const posted = minor(h.posted_amount, `hold ${h.id} posted_amount`)
    if (amount === null || posted === null) continue
    const debit = accounts.get(h.debit_account_id)
    const credit = accounts.get(h.credit_account_id)
    if (!debit || !credit) {
      report(`hold ${h.id}: refers to a missing account`)
      continue
    }
    if (debit.assetId !== h.asset_id || credit.assetId !== h.asset_id) report(`hold ${h.id}: accounts are not both in ${h.asset_id}`)
    if (amount <= 0n) report(`hold ${h.id}: amount ${amount} is not positive`)
    if (!(HOLD_STATES as readonly string[]).includes(h.state)) report(`hold ${h.id}: unknown state ${h.state}`)
    const expectPosted = h.state === 'posted' ? amount : h.state === 'partially_posted' ? posted : 0n
    if (posted !== expectPosted || (h.state === 'partially_posted' && (posted <= 0n || posted >= amount))) {
      report(`hold ${h.id}: state ${h.state} with posted amount ${posted} of ${amount}`)
    }
    if (h.state === 'pending') {
      debit.expected.debitsPending += amount
      credit.expected.creditsPending += amount
    }
    const legs = await holdEntry(holdPostEntryId(h.id))
    if (h.state === 'posted' || h.state === 'partially_posted') {
      const ok =
        legs.length === 2 &&
        legs[0]!.account_id === h.debit_account_id &&
        legs[0]!.amount === posted.toString() &&
        legs[1]!.account_id === h.credit_account_id &&
        legs[1]!.amount === (-posted).toString()
      if (!ok) report(`hold ${h.id}: ${h.state} but its entry ${holdPostEntryId(h.id)} does not move exactly ${posted}`)
    } else if (legs.length > 0) {
      report(`hold ${h.id}: ${h.state} but has a posting entry`)
    }
  }

  for (const [id, acc] of accounts) {
    if (!acc.stored) continue
    const s = acc.stored
    const x = acc.expected
    if (s.debitsPosted !== x.debitsPosted)
      report(`account ${id}: debits_posted ${s.debitsPosted} but its postings sum to ${x.debitsPosted}`)
    if (s.creditsPosted !== x.creditsPosted)
      report(`account ${id}: credits_posted ${s.creditsPosted} but its postings sum to ${x.creditsPosted}`)
    if (s.debitsPending !== x.debitsPending)
      report(`account ${id}: debits_pending ${s.debitsPending} but its pending holds sum to ${x.debitsPending}`)
    if (s.creditsPending !== x.creditsPending)
      report(`account ${id}: credits_pending ${s.creditsPending} but its pending holds sum to ${x.creditsPending}`)
    if (!isAccountKind(acc.kind)) {
      report(`account ${id}: unknown kind ${acc.kind}`)
      continue
    }
    const available = availableOnNormalSide(normalSideOf(acc.kind), s)
    if (!acc.allowNegative && available < 0n) report(`account ${id}: may not go negative but has ${available} available`)
  }
  return violations
}
