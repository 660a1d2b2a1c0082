/**
 * The books half of `audit verify`, run once the chain itself verifies: the audit log commits to
 * what every change wrote (./rowSeals.ts), so the books are checked against it. In order — the
 * first problem found is reported, naming the row:
 * 1. rows written before sealing began are sealed (the start-up step has run);
 * 2. the journal: every posting and entry against its seal (./verifyJournal.ts);
 * 3. holds and payouts against their latest seals, and sealed rows that are gone (./verifySealedRows.ts);
 * 4. each audit row's rows_digest against the seals that name it (catches an edited, added or
 *    removed seal, and a whole entry deleted with its postings);
 * 5. every account's stored balances against the postings (posted) and the pending holds.
 * Specific problems come before general ones: a changed posting is named as such, not as the
 * balance it no longer adds up to.
 */
import { ROW_SEALS_BACKFILL_KEY } from '../db/migrations/0009_row_seals'
import type { CoreContext } from '../context'
import { AMOUNT_MAX } from '../../../shared/money'
import { RecomputedBalances, minorOrNull, type AccountSums, type BooksProblem, type SealingAuditRows } from './booksProblem'
import { rowsDigestCounts, rowsDigestOf, type SealPartSum } from './rowSeals'
import { verifyJournal } from './verifyJournal'
import { rowSealParts, verifySealedRows } from './verifySealedRows'

export interface BooksCheck {
  problem: BooksProblem | null
  rowsChecked: number
  accountsChecked: number
}

const BALANCE_COLUMNS = [
  ['debitsPosted', 'debits_posted', 'postings'],
  ['creditsPosted', 'credits_posted', 'postings'],
  ['debitsPending', 'debits_pending', 'pending holds'],
  ['creditsPending', 'credits_pending', 'pending holds'],
] as const

export async function verifyBooks(ctx: CoreContext, sealing: SealingAuditRows): Promise<BooksCheck> {
  const unchecked = (problem: BooksProblem, rowsChecked = 0): BooksCheck => ({ problem, rowsChecked, accountsChecked: 0 })
  const backfill = await ctx.db.first(ctx.db.k.selectFrom('meta').select('key').where('key', '=', ROW_SEALS_BACKFILL_KEY))
  if (backfill) {
    return unchecked({
      kind: 'row-unsealed',
      seq: null,
      subject: 'books',
      reason:
        'the rows written before this version of Countersign have not been sealed yet — open the workspace in Countersign once (any command) to seal them, then verify again',
    })
  }
  const balances = new RecomputedBalances()
  const journal = await verifyJournal(ctx, sealing, balances)
  if (journal.problem) return unchecked(journal.problem, journal.rowsChecked)
  const sealed = await verifySealedRows(ctx, balances)
  const rowsChecked = journal.rowsChecked + sealed.rowsChecked
  if (sealed.problem) return unchecked(sealed.problem, rowsChecked)
  const rowParts = await rowSealParts(ctx, sealing)
  const digestProblem = rowParts.problem ?? compareDigests(sealing, journal.entryParts, rowParts.parts)
  if (digestProblem) return unchecked(digestProblem, rowsChecked)
  const balanceCheck = await compareBalances(ctx, balances)
  return { problem: balanceCheck.problem, rowsChecked, accountsChecked: balanceCheck.accountsChecked }
}

/** Every audit row's stored digest against the seals that name it, lowest row first. */
function compareDigests(
  sealing: SealingAuditRows,
  entryParts: ReadonlyMap<number, SealPartSum>,
  rowParts: ReadonlyMap<number, SealPartSum>,
): BooksProblem | null {
  for (const [seq, row] of [...sealing].sort(([a], [b]) => a - b)) {
    const entries = entryParts.get(seq)
    const rows = rowParts.get(seq)
    if (rowsDigestOf(entries, rows) === row.digest) continue
    const claimed = rowsDigestCounts(row.digest)
    const at = `audit row ${seq} (${row.action} ${row.subject})`
    const found = { entries: entries?.count ?? 0, rows: rows?.count ?? 0 }
    let reason = `the seals of the rows ${at} wrote do not match it: a seal was changed after it was written`
    if (claimed && claimed.entries > found.entries)
      reason = `${claimed.entries - found.entries} of the ${claimed.entries} entries ${at} wrote are gone: deleted after they were written`
    else if (claimed && claimed.rows > found.rows)
      reason = `${claimed.rows - found.rows} of the ${claimed.rows} row seals ${at} made are gone: deleted after they were written`
    else if (claimed && (claimed.entries < found.entries || claimed.rows < found.rows))
      reason = `rows claim ${at} sealed them, but it did not: they were not written by Countersign`
    return { kind: 'seal', seq, subject: row.subject, reason }
  }
  return null
}

/** Stored balances against the recomputed ones, account by account (ordered by id, so the report is stable). */
async function compareBalances(
  ctx: CoreContext,
  recomputed: RecomputedBalances,
): Promise<{ problem: BooksProblem | null; accountsChecked: number }> {
  const stored = await ctx.db.all(ctx.db.k.selectFrom('balances').selectAll().orderBy('account_id'))
  let accountsChecked = 0
  const storedIds = new Set<string>()
  for (const row of stored) {
    storedIds.add(row.account_id)
    const expected = recomputed.accounts.get(row.account_id) ?? recomputed.of(row.account_id)
    const problem = compareAccount(row, expected)
    if (problem) return { problem, accountsChecked }
    accountsChecked++
  }
  for (const id of [...recomputed.accounts.keys()].sort()) {
    if (storedIds.has(id)) continue
    return {
      problem: { kind: 'balance', seq: null, subject: `account:${id}`, reason: `account ${id} has postings or holds but no balances row` },
      accountsChecked,
    }
  }
  return { problem: null, accountsChecked }
}

function compareAccount(
  row: Record<(typeof BALANCE_COLUMNS)[number][1] | 'account_id', string>,
  expected: AccountSums,
): BooksProblem | null {
  for (const [key, column, source] of BALANCE_COLUMNS) {
    const value = minorOrNull(row[column])
    if (value !== null && value === expected[key] && value <= AMOUNT_MAX) continue
    const id = row.account_id
    const shown = String(row[column]).slice(0, 90)
    const reason =
      value !== null && value === expected[key]
        ? `account ${id}: ${column} ${shown} is more than any balance can be (2^256 − 1)`
        : `account ${id}: ${column} is ${shown} but its ${source} add up to ${expected[key]} — the balance was changed outside Countersign`
    return { kind: 'balance', seq: null, subject: `account:${id}`, reason }
  }
  return null
}
