/**
 * Operators prove who they are, and approvals are signatures. Frozen once shipped.
 *
 * - operators: status (invited → active → deactivated; never deleted, so their signatures stay
 *   verifiable), the passphrase hash (scrypt, parameters with it), the one-time invite code's
 *   hash, and the unlock back-off (failures in a row, locked until).
 * - operator_keys: each operator's approval keys — an ed25519 key whose secret half is sealed by
 *   their passphrase, or a Ledger account (EVM app). Revoked keys are kept: old approvals verify.
 * - approvals: the key, the batch digest and the signature over it.
 * - admin_changes: operator changes (invite, roles, deactivation, key rotation) a second admin
 *   approves where the workspace has two.
 *
 * Operators of an existing workspace have no passphrase yet: each sets one at first unlock.
 * Batches approved (but not yet executed) before this migration carry unsigned approvals the
 * engine will not accept, so they go back to awaiting approval with a new version.
 */
import { sql, type Kysely, type Migration } from 'kysely'

type Backend = 'sqlite' | 'postgres'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upOn(db: Kysely<any>, backend: Backend): Promise<void> {
  const int = backend === 'sqlite' ? 'integer' : 'bigint'
  await db.schema
    .alterTable('operators')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .execute()
  await db.schema.alterTable('operators').addColumn('passphrase', 'text').execute()
  await db.schema.alterTable('operators').addColumn('invite', 'text').execute()
  await db.schema
    .alterTable('operators')
    .addColumn('failed_unlocks', int, (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('operators').addColumn('locked_until', 'text').execute()
  await db.schema.alterTable('operators').addColumn('updated_at', 'text').execute()

  await db.schema
    .createTable('operator_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('path', 'text')
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('sealed_secret', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute()
  await db.schema.createIndex('operator_keys_operator').on('operator_keys').column('operator_id').execute()

  await db.schema.alterTable('approvals').addColumn('key_id', 'text').execute()
  await db.schema.alterTable('approvals').addColumn('digest', 'text').execute()
  await db.schema.alterTable('approvals').addColumn('signature', 'text').execute()

  await db.schema
    .createTable('admin_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('key_id', 'text')
    .addColumn('signature', 'text')
    .execute()
  await db.schema.createIndex('admin_changes_state').on('admin_changes').columns(['state', 'requested_at']).execute()

  await sql`UPDATE batches SET state = 'awaiting_approval', version = version + 1
            WHERE state = 'approved' AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.batch_id = batches.id)`.execute(db)
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await upOn(db, 'sqlite')
}

export const postgres: Migration = { up: (db) => upOn(db, 'postgres') }
