/**
 * The advisory-lock keys Countersign takes on a team database. PostgreSQL advisory locks live per
 * database, so two workspaces on one server never meet; inside one database every desk, whatever
 * its version, must take the same key for the same purpose — which is why these are literals and
 * the lease derivation must never change.
 *
 * Kysely's own migration lock is 3853314791062309107 (PostgresAdapter); none of ours collides.
 */
import { createHash } from 'node:crypto'

/** Serialises every writer of the workspace, held for the length of one transaction. sha256('countersign write')[0..8] as int64. */
export const WRITE_LOCK_KEY = '-4795967821231677223'
/** Serialises opening-time migrations across processes. sha256('countersign migrate')[0..8] as int64. */
export const MIGRATE_LOCK_KEY = '-4114022109048565280'

/** The session-lock key of a named lease (the poller's), as decimal int8 text for a `$1::bigint` parameter. */
export function leaseLockKey(name: string): string {
  return createHash('sha256').update(`countersign lease ${name}`).digest().readBigInt64BE(0).toString()
}
