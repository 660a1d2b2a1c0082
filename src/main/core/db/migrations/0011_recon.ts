/**
 * Reconciliation, first layer: statements (issue 15). Frozen once shipped.
 *
 * - recon_accounts: a statement account as the bank names it (IBAN or account number) in one
 *   currency, and the ledger account whose movements it should show (null until linked).
 * - statement_files: one row per imported file, by the SHA-256 of its text — the same file
 *   imported twice is refused by this unique key.
 * - statements: the statements of a file (one per MT940 message, per OFX or BAI2 account), with
 *   the balances the bank states (signed minor units as decimal text) and the warnings of its checks.
 * - statement_lines: every entry exactly as the bank reported it (amount signed minor units as
 *   text: positive = money in), in file order, with the keys matching will use and its
 *   reconciliation state.
 * - recon_csv_mappings: a saved CSV column mapping per bank layout (JSON, checked on use).
 */
import type { Kysely, Migration } from 'kysely'

type Backend = 'sqlite' | 'postgres'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upOn(db: Kysely<any>, backend: Backend): Promise<void> {
  const int = backend === 'sqlite' ? 'integer' : 'bigint'
  await db.schema
    .createTable('recon_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('bic', 'text')
    .addColumn('ledger_account_id', 'text', (c) => c.references('accounts.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('statement_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sha256', 'text', (c) => c.notNull().unique())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('chars', int, (c) => c.notNull())
    .addColumn('statements', int, (c) => c.notNull())
    .addColumn('lines', int, (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('imported_by', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('statements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('file_id', 'text', (c) => c.notNull().references('statement_files.id'))
    .addColumn('idx', int, (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('recon_accounts.id'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('scale', int, (c) => c.notNull())
    .addColumn('statement_ref', 'text')
    .addColumn('sequence', 'text')
    .addColumn('bank_created_at', 'text')
    .addColumn('from_date', 'text')
    .addColumn('to_date', 'text')
    .addColumn('opening', 'text')
    .addColumn('opening_date', 'text')
    .addColumn('closing', 'text')
    .addColumn('closing_date', 'text')
    .addColumn('credits', 'text', (c) => c.notNull())
    .addColumn('debits', 'text', (c) => c.notNull())
    .addColumn('lines', int, (c) => c.notNull())
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('statements_account').on('statements').columns(['account_id', 'to_date']).execute()

  await db.schema
    .createTable('statement_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('statement_id', 'text', (c) => c.notNull().references('statements.id'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('idx', int, (c) => c.notNull())
    .addColumn('booking_date', 'text')
    .addColumn('value_date', 'text')
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reversal', int, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('bank_ref', 'text')
    .addColumn('end_to_end_id', 'text')
    .addColumn('customer_ref', 'text')
    .addColumn('counterparty_name', 'text')
    .addColumn('counterparty_account', 'text')
    .addColumn('counterparty_bic', 'text')
    .addColumn('remittance', 'text')
    .addColumn('structured_ref', 'text')
    .addColumn('type_code', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('statement_lines_statement').on('statement_lines').columns(['statement_id', 'idx']).execute()
  await db.schema.createIndex('statement_lines_open').on('statement_lines').columns(['account_id', 'state', 'booking_date']).execute()
  await db.schema.createIndex('statement_lines_e2e').on('statement_lines').columns(['end_to_end_id']).execute()

  await db.schema
    .createTable('recon_csv_mappings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('mapping', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await upOn(db, 'sqlite')
}

export const postgres: Migration = { up: (db) => upOn(db, 'postgres') }
