/**
 * The checks every imported statement passes, whatever its format, before anything is stored:
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
import { currencyScale, type ParsedStatement } from './statementModel'

export interface StatementTotals {
  credits: bigint
  debits: bigint
  booked: number
  pending: number
}

function unbalanced(where: string, sentence: string): CsError {
  return new CsError('STATEMENT_UNBALANCED', `${where}: ${sentence}`, { details: { where } })
}

/** Checks one statement; throws STATEMENT_UNBALANCED / STATEMENT_INVALID, returns its totals and warnings. */
export function checkStatement(st: ParsedStatement, label: string): { totals: StatementTotals; warnings: StatementWarning[] } {
  const scale = currencyScale(st.account.currency, label)
  const fmt = (v: bigint) => `${formatAmount(v, scale)} ${st.account.currency}`
  const warnings: StatementWarning[] = []
  let credits = 0n
  let debits = 0n
  let booked = 0
  let pending = 0
  let net = 0n
  let sumAbs = 0n
  for (const e of st.entries) {
    if (e.currency.toUpperCase() !== st.account.currency.toUpperCase()) {
      throw new CsError(
        'STATEMENT_INVALID',
        `${label}, ${e.where}: the line is in ${e.currency} but the statement is in ${st.account.currency} — Countersign keeps one currency per statement; ask the bank for one statement per currency.`,
        { details: { where: e.where } },
      )
    }
    net += e.amount
    sumAbs += e.amount < 0n ? -e.amount : e.amount
    if (e.status !== 'booked') {
      pending++
      continue
    }
    booked++
    if (e.amount >= 0n) credits += e.amount
    else debits += e.amount
  }
  if (st.declared.count !== null && st.declared.count !== st.entries.length) {
    throw unbalanced(
      label,
      `the file says it has ${st.declared.count} entries but ${st.entries.length} were read — the file is incomplete or damaged; ask the bank for it again.`,
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
