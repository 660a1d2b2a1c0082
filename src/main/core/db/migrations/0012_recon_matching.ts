/**
 * Reconciliation, second layer: matching (issue 15). Frozen once shipped.
 *
 * - statement_lines.external_key: a rail record pulled in as a statement line (Stripe balance
 *   transaction, EVM transfer log, Stellar operation) carries its rail's own id here, unique, so a
 *   record is stored once however often it is pulled.
 * - recon_rules: the matching rules, in position order (JSON config, checked on use).
 * - recon_runs: one row per run (or dry run): who, when, what it found.
 * - recon_matches: a match of statement lines with ledger postings — suggested, confirmed or
 *   undone — with why (rule, keys, differences as JSON) and its variance.
 * - recon_match_items: the items of the live matches; an item is in at most one (primary key).
 * - recon_exceptions: the exceptions queue, one row per item (reason, state, assignee, notes).
 * - recon_adjustments: entries proposed for a variance or a bank charge, posted only after a
 *   second person approves.
 * - recon_periods: closed periods per statement account; their matches are locked.
 * - recon_balance_checks: the rail's own balance beside the ledger's, per treasury account.
 */
import type { Kysely, Migration } from 'kysely'

type Backend = 'sqlite' | 'postgres'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upOn(db: Kysely<any>, backend: Backend): Promise<void> {
  const int = backend === 'sqlite' ? 'integer' : 'bigint'
  await db.schema.alterTable('statement_lines').addColumn('external_key', 'text').execute()
  await db.schema.createIndex('statement_lines_external').on('statement_lines').column('external_key').unique().execute()

  await db.schema
    .createTable('recon_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', int, (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('enabled', int, (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('recon_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('dry_run', int, (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('stats', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('recon_matches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('recon_accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('statement_total', 'text', (c) => c.notNull())
    .addColumn('ledger_total', 'text', (c) => c.notNull())
    .addColumn('variance', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('period', 'text')
    .execute()
  await db.schema.createIndex('recon_matches_account').on('recon_matches').columns(['account_id', 'state']).execute()

  await db.schema
    .createTable('recon_match_items')
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('match_id', 'text', (c) => c.notNull().references('recon_matches.id'))
    .addColumn('amount', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recon_match_items_pk', ['side', 'item_id'])
    .execute()
  await db.schema.createIndex('recon_match_items_match').on('recon_match_items').column('match_id').execute()

  await db.schema
    .createTable('recon_exceptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('related', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('resolution', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('resolved_by', 'text')
    .execute()
  await db.schema.createIndex('recon_exceptions_item').on('recon_exceptions').columns(['side', 'item_id']).unique().execute()
  await db.schema.createIndex('recon_exceptions_open').on('recon_exceptions').columns(['state', 'account_id']).execute()

  await db.schema
    .createTable('recon_adjustments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('match_id', 'text', (c) => c.notNull().references('recon_matches.id'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('ledger_account_id', 'text', (c) => c.notNull())
    .addColumn('counter_account_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('proposed_by', 'text', (c) => c.notNull())
    .addColumn('proposed_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('entry_id', 'text')
    .execute()
  await db.schema.createIndex('recon_adjustments_match').on('recon_adjustments').column('match_id').execute()

  await db.schema
    .createTable('recon_periods')
    .addColumn('account_id', 'text', (c) => c.notNull().references('recon_accounts.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text', (c) => c.notNull())
    .addColumn('closed_by', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recon_periods_pk', ['account_id', 'period'])
    .execute()

  await db.schema
    .createTable('recon_balance_checks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ledger_account_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('ledger', 'text', (c) => c.notNull())
    .addColumn('rail', 'text')
    .addColumn('difference', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('problem', 'text')
    .execute()
  await db.schema.createIndex('recon_balance_checks_account').on('recon_balance_checks').columns(['ledger_account_id', 'at']).execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await upOn(db, 'sqlite')
}

export const postgres: Migration = { up: (db) => upOn(db, 'postgres') }
