/**
 * The warnings of a batch, kept with it (issue 17). Frozen once shipped.
 *
 * An import's warnings (a payee never paid, a look-alike address, no checksum, a repeated
 * payment, text a spreadsheet would run) used to live only in the preparer's window: gone after a
 * reload, never seen by the approver, who is the person who needs them. They are stored here, one
 * row per warning, in the importer's order (`seq`), and worked out again over the stored payouts
 * whenever the rows change or the batch is submitted (payouts/batches/batchWarnings.ts), so what
 * the approver reads is true of the version they approve.
 *
 * `payout_id` is null for a warning about the whole file (an id derived from the row, a list cut
 * at its cap). Derived data, not the books: not sealed, not in the audit chain (the import's and
 * the submission's audit rows count them by kind).
 */
import type { Kysely, Migration } from 'kysely'

type Backend = 'sqlite' | 'postgres'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upOn(db: Kysely<any>, backend: Backend): Promise<void> {
  const int = backend === 'sqlite' ? 'integer' : 'bigint'
  await db.schema
    .createTable('batch_warnings')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id'))
    .addColumn('seq', int, (c) => c.notNull())
    .addColumn('payout_id', 'text')
    .addColumn('row_no', int)
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('column_name', 'text')
    .addColumn('problem', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_warnings_pk', ['batch_id', 'seq'])
    .execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await upOn(db, 'sqlite')
}

export const postgres: Migration = { up: (db) => upOn(db, 'postgres') }
