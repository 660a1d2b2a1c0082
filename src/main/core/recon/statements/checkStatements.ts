/**
 * The checks every imported statement passes, whatever its format, before its import commits
 * (the import stores lines as they are read, tallying each chunk; the checks that need every line
 * run at the statement's end, and a failure there rolls the whole file back):
 *   - the balance equation: opening + booked lines = closing (exactly; a statement that does not
 *     add up is refused — it is a broken or partial file, or a parser that lost a line);
 *   - the totals the file declares about its entries (camt TxsSummry): count, sum, net (BAI2's
 *     trailers are checked by its parser);
 *   - one currency per statement (a line in another currency is named).
 * What does not stop an import is returned as warnings: no balances to check (OFX has no
 * opening balance, MT942 none at all), pending lines, gaps in the statement sequence.
 */
import { CsError } from '../../../../shared/errors'
import { formatAmount } from '../../../../shared/money'
import type { StatementWarning } from '../../../../shared/reconApi'
import { currencyScale, type StatementEntry, type StatementHeader } from './statementModel'

export interface StatementTotals {
  credits: bigint
  debits: bigint
  booked: number
  pending: number
}

function unbalanced(where: string, sentence: string): CsError {
  return new CsError('STATEMENT_UNBALANCED', `${where}: ${sentence}`, { details: { where } })
}

/** What the lines of a statement add up to so far, taken a chunk at a time (`tallyEntries`). */
export interface StatementTally {
  credits: bigint
  debits: bigint
  booked: number
  pending: number
  /** Every line, booked or not: what TxsSummry declares. */
  count: number
  net: bigint
  sumAbs: bigint
}

export function emptyTally(): StatementTally {
  return { credits: 0n, debits: 0n, booked: 0, pending: 0, count: 0, net: 0n, sumAbs: 0n }
}

/** Adds `entries` to `tally`; throws STATEMENT_INVALID on a line in another currency than the statement's. */
export function tallyEntries(tally: StatementTally, entries: readonly StatementEntry[], currency: string, label: string): void {
  const expected = currency.toUpperCase()
  for (const e of entries) {
    if (e.currency !== expected && e.currency.toUpperCase() !== expected) {
      throw new CsError(
        'STATEMENT_INVALID',
        `${label}, ${e.where}: the line is in ${e.currency} but the statement is in ${currency} — Countersign keeps one currency per statement; ask the bank for one statement per currency.`,
        { details: { where: e.where } },
      )
    }
    tally.count++
    tally.net += e.amount
    tally.sumAbs += e.amount < 0n ? -e.amount : e.amount
    if (e.status !== 'booked') {
      tally.pending++
      continue
    }
    tally.booked++
    if (e.amount >= 0n) tally.credits += e.amount
    else tally.debits += e.amount
  }
}

/**
 * Checks a statement's header against what all its lines added up to (`tally`, complete): the
 * declared count, sum and net, and opening + booked lines = closing. Throws STATEMENT_UNBALANCED.
 */
export function checkTally(
  st: StatementHeader,
  tally: StatementTally,
  label: string,
): { totals: StatementTotals; warnings: StatementWarning[] } {
  const scale = currencyScale(st.account.currency, label)
  const fmt = (v: bigint) => `${formatAmount(v, scale)} ${st.account.currency}`
  const warnings: StatementWarning[] = []
  const { credits, debits, booked, pending, net, sumAbs } = tally
  if (st.declared.count !== null && st.declared.count !== tally.count) {
    throw unbalanced(
      label,
      `the file says it has ${st.declared.count} entries but ${tally.count} were read — the file is incomplete or damaged; ask the bank for it again.`,
    )
  }
  if (st.declared.sumAbs !== null && st.declared.sumAbs !== sumAbs) {
    throw unbalanced(
      label,
      `the file says its entries sum to ${fmt(st.declared.sumAbs)} but they sum to ${fmt(sumAbs)} — the file is damaged; ask the bank for it again.`,
    )
  }
  if (st.declared.net !== null && st.declared.net !== net) {
    throw unbalanced(
      label,
      `the file says its entries net to ${fmt(st.declared.net)} but they net to ${fmt(net)} — the file is damaged; ask the bank for it again.`,
    )
  }
  if (st.opening !== null && st.closing !== null) {
    const expected = st.opening.amount + credits + debits
    if (expected !== st.closing.amount) {
      throw unbalanced(
        label,
        `opening ${fmt(st.opening.amount)} + booked lines ${fmt(credits + debits)} = ${fmt(expected)}, but the closing balance is ${fmt(st.closing.amount)} (${fmt(st.closing.amount - expected)} unaccounted for) — the file is incomplete or damaged; nothing was imported.`,
      )
    }
  } else {
    const missing =
      st.opening === null && st.closing === null
        ? 'opening and closing balances'
        : st.opening === null
          ? 'an opening balance'
          : 'a closing balance'
    warnings.push({
      code: 'NO_BALANCES',
      where: label,
      message: `The file gives no ${missing}, so its lines could not be checked against the bank's balance.`,
    })
  }
  if (pending > 0) {
    warnings.push({
      code: 'PENDING_LINES',
      where: label,
      message: `${pending} line${pending === 1 ? ' is' : 's are'} pending or for information only; they are kept but not counted in the balance.`,
    })
  }
  return { totals: { credits, debits, booked, pending }, warnings }
}
