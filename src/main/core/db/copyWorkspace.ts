/**
 * `countersign workspace migrate --to postgres://…`: copy a single-desk (SQLite) workspace into a
 * team database, row for row, then prove the copy before anyone uses it:
 * - the copy runs in ONE transaction on the target: it lands whole or not at all;
 * - the target must be empty (freshly migrated): nothing is merged into other books;
 * - afterwards, on the target: the audit chain verifies and ends at the same head (seq and hash)
 *   as the source — the same rows give the same hashes on both backends; every table has the
 *   same row count; every balances row is equal; and the ledger invariants (balances recomputed
 *   from the journal) hold.
 * Only then does the caller point the workspace folder at the team database. The SQLite file is
 * never deleted: it is renamed to countersign.sqlite.migrated-<time> as the backup of that moment.
 */
import { sql } from 'kysely'
import { CsError } from '../../../shared/errors'
import { verifyAudit } from '../audit/verifyAudit'
import { CoreEvents, systemClock, type CoreContext } from '../context'
import { checkLedgerInvariants } from '../ledger/checkLedgerInvariants'
import type { Db } from './Db'
import type { Database } from './schema'

/** Every table, parents before children (foreign keys hold at each insert). */
const COPY_ORDER_CHECK: Record<keyof Database, true> = {
  meta: true,
  operators: true,
  operator_keys: true,
  admin_changes: true,
  assets: true,
  accounts: true,
  balances: true,
  entries: true,
  postings: true,
  holds: true,
  audit_log: true,
  row_seals: true,
  batches: true,
  payouts: true,
  approvals: true,
  submissions: true,
  submission_payouts: true,
  nonces: true,
  settings: true,
  stellar_payments: true,
  stellar_cursors: true,
  signer_addresses: true,
  stripe_events: true,
  stripe_cursors: true,
  stripe_bank_payouts: true,
  stripe_balance_txns: true,
  batch_claims: true,
  escrows: true,
  escrow_milestones: true,
  escrow_actions: true,
  escrow_approvals: true,
  escrow_txs: true,
  recon_accounts: true,
  statement_files: true,
  statements: true,
  statement_lines: true,
  recon_csv_mappings: true,
  recon_rules: true,
  recon_runs: true,
  recon_matches: true,
  recon_match_items: true,
  recon_exceptions: true,
  recon_adjustments: true,
  recon_periods: true,
  recon_balance_checks: true,
  receipts: true,
  receipt_keys: true,
  receipt_batch_attestations: true,
  receipt_search_terms: true,
  batch_warnings: true,
}
export const TABLES_IN_COPY_ORDER = Object.keys(COPY_ORDER_CHECK) as (keyof Database)[]

/** Rows read from the source per page (SQLite rowid order). */
const COPY_PAGE_ROWS = 5_000

export interface CopyProgress {
  table: string
  copied: number
  total: number
}

export interface CopyReport {
  tables: { table: string; rows: number }[]
  auditHead: { seq: number; hash: string }
  accountsChecked: number
}

export async function copyWorkspace(source: Db, target: Db, onProgress: (p: CopyProgress) => void = () => {}): Promise<CopyReport> {
  if (source.backend !== 'sqlite')
    throw new CsError('INVALID_INPUT', 'Only a single-desk (SQLite) workspace can be migrated to a team database.')
  const counts = new Map<string, number>()
  for (const table of TABLES_IN_COPY_ORDER) counts.set(table, await countRows(source, table))
  await assertEmpty(target)

  await target.tx(async () => {
    for (const table of TABLES_IN_COPY_ORDER) {
      const total = counts.get(table)!
      let copied = 0
      let after = 0
      onProgress({ table, copied, total })
      for (;;) {
        const page = await source.all(
          sql<
            Record<string, unknown>
          >`SELECT rowid AS cs_rowid, * FROM ${sql.table(table)} WHERE rowid > ${after} ORDER BY rowid LIMIT ${COPY_PAGE_ROWS}`,
        )
        if (page.length === 0) break
        after = Number(page.at(-1)!.cs_rowid)
        const columns = Object.keys(page[0]!).filter((c) => c !== 'cs_rowid')
        await target.insertRows(
          table,
          columns,
          page.map((row) => columns.map((c) => row[c])),
        )
        copied += page.length
        onProgress({ table, copied, total })
      }
      if (copied !== total) throw mismatch(`${table}: ${total} rows counted but ${copied} copied (was the workspace in use?)`)
    }
  })
  return verifyCopy(source, target, counts)
}

async function verifyCopy(source: Db, target: Db, counts: Map<string, number>): Promise<CopyReport> {
  const tables: CopyReport['tables'] = []
  for (const table of TABLES_IN_COPY_ORDER) {
    const n = await countRows(target, table)
    if (n !== counts.get(table)) throw mismatch(`${table}: ${counts.get(table)} rows in the workspace but ${n} in the team database`)
    tables.push({ table, rows: n })
  }
  const ctxOf = (db: Db): CoreContext => ({ db, clock: systemClock, events: new CoreEvents() })
  const [from, to] = [await verifyAudit(ctxOf(source)), await verifyAudit(ctxOf(target))]
  if (!to.ok)
    throw mismatch(`the copied audit chain does not verify at row ${to.firstBroken?.seq ?? '?'} (${to.firstBroken?.reason ?? '?'})`)
  if (to.headSeq !== from.headSeq || to.headHash !== from.headHash)
    throw mismatch(
      `the copied audit chain ends at row ${to.headSeq} ${to.headHash.slice(0, 12)}…, the workspace's at ${from.headSeq} ${from.headHash.slice(0, 12)}…`,
    )
  const balances = async (db: Db) =>
    db.all(
      db.k
        .selectFrom('balances')
        .select(['account_id', 'debits_posted', 'credits_posted', 'debits_pending', 'credits_pending'])
        .orderBy('account_id'),
    )
  const [a, b] = [await balances(source), await balances(target)]
  for (let i = 0; i < a.length; i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) throw mismatch(`the balances of account ${a[i]!.account_id} differ after the copy`)
  }
  const violations = await checkLedgerInvariants(ctxOf(target))
  if (violations.length > 0) throw mismatch(`the copied ledger does not add up: ${violations[0]}`)
  return { tables, auditHead: { seq: to.headSeq, hash: to.headHash }, accountsChecked: a.length }
}

async function countRows(db: Db, table: keyof Database): Promise<number> {
  const row = await db.first(sql<{ n: number | string }>`SELECT count(*) AS n FROM ${sql.table(table)}`)
  return Number(row?.n ?? 0)
}

async function assertEmpty(target: Db): Promise<void> {
  for (const table of ['operators', 'accounts', 'entries', 'audit_log', 'batches'] as const) {
    if ((await countRows(target, table)) > 0)
      throw new CsError(
        'WORKSPACE_NOT_EMPTY',
        `The team database ${target.location} already holds books (${table} is not empty) — migrate into a new, empty database; nothing was copied.`,
      )
  }
}

function mismatch(what: string): CsError {
  return new CsError(
    'MIGRATION_MISMATCH',
    `The copy to the team database did not verify: ${what} — nothing was switched; the workspace still uses its own file. Drop the team database and migrate again.`,
  )
}
