/**
 * Escrow (issue 14). Frozen once shipped.
 *
 * - escrows: one asset on one rail held for a payee; its terms (payee, expiry, auto-release, the
 *   funding charge) are fixed when it is created and approved with its funding.
 * - escrow_milestones: the parts of an escrow (their sum is the escrow); deadlines are absolute;
 *   the ledger hold that keeps each one, what went to the payee and back to the payer.
 * - escrow_actions: fund / release / dispute / resolve / refund requests, approved like batches
 *   (maker-checker) before they are executed; `digest` is what approvers sign.
 * - escrow_approvals: the signatures over an action's digest.
 * - escrow_txs: the rail transactions that carry actions out, with the same life as payout
 *   submissions (planned -> signed -> broadcast -> confirmed | failed | dead) and the same columns,
 *   so the rails' signing, sending and lookup parts serve both. Their nonces are reserved together
 *   with the payout submissions of the same source (payouts/execute/reserveNonce.ts).
 */
import type { Kysely, Migration } from 'kysely'

type Backend = 'sqlite' | 'postgres'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upOn(db: Kysely<any>, backend: Backend): Promise<void> {
  const int = backend === 'sqlite' ? 'integer' : 'bigint'
  await db.schema
    .createTable('escrows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('rail', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id'))
    .addColumn('payer', 'text', (c) => c.notNull())
    .addColumn('payee', 'text', (c) => c.notNull())
    .addColumn('payee_name', 'text')
    .addColumn('funding', 'text', (c) => c.notNull())
    .addColumn('funding_charge', 'text')
    .addColumn('rail_escrow_id', 'text', (c) => c.notNull())
    .addColumn('total', 'text', (c) => c.notNull())
    .addColumn('auto_release', int, (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', int, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('escrows_state').on('escrows').columns(['state', 'created_at']).execute()

  await db.schema
    .createTable('escrow_milestones')
    .addColumn('escrow_id', 'text', (c) => c.notNull().references('escrows.id'))
    .addColumn('idx', int, (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('review_window_hours', int, (c) => c.notNull())
    .addColumn('review_ends_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('released', 'text', (c) => c.notNull())
    .addColumn('refunded', 'text', (c) => c.notNull())
    .addColumn('rail_ref', 'text')
    .addColumn('hold_id', 'text')
    .addColumn('auto_released', int, (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('escrow_milestones_pk', ['escrow_id', 'idx'])
    .execute()
  await db.schema.createIndex('escrow_milestones_state').on('escrow_milestones').columns(['state', 'review_ends_at']).execute()

  await db.schema
    .createTable('escrow_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('escrow_id', 'text', (c) => c.notNull().references('escrows.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('milestone', int)
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('to_payee', 'text')
    .addColumn('to_payer', 'text')
    .addColumn('reason', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('escrow_actions_escrow').on('escrow_actions').columns(['escrow_id', 'requested_at']).execute()
  await db.schema.createIndex('escrow_actions_state').on('escrow_actions').columns(['state']).execute()

  await db.schema
    .createTable('escrow_approvals')
    .addColumn('action_id', 'text', (c) => c.notNull().references('escrow_actions.id'))
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text')
    .addColumn('digest', 'text')
    .addColumn('signature', 'text')
    .addPrimaryKeyConstraint('escrow_approvals_pk', ['action_id', 'operator_id'])
    .execute()

  await db.schema
    .createTable('escrow_txs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('escrow_id', 'text', (c) => c.notNull().references('escrows.id'))
    .addColumn('action_id', 'text', (c) => c.notNull().references('escrow_actions.id'))
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('rail', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('attempt', int, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('unsigned_payload', 'text')
    .addColumn('signed_payload', 'text')
    .addColumn('tx_hash', 'text')
    .addColumn('rail_refs', 'text')
    .addColumn('fee_cap', 'text')
    .addColumn('fee_paid', 'text')
    .addColumn('block_number', 'text')
    .addColumn('block_hash', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('escrow_txs_state').on('escrow_txs').columns(['state', 'rail']).execute()
  await db.schema.createIndex('escrow_txs_action').on('escrow_txs').columns(['action_id', 'attempt']).execute()
  await db.schema.createIndex('escrow_txs_nonce').on('escrow_txs').columns(['rail', 'network', 'source']).execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await upOn(db, 'sqlite')
}

export const postgres: Migration = { up: (db) => upOn(db, 'postgres') }
