/**
 * The ONE nonce / sequence strategy, for every rail, owned by the engine and run inside the
 * planning transaction that inserts the submissions:
 *
 *   next = max(1 + the highest nonce held by a live submission of this rail + network + source,
 *              rail.nonceFloor(source), read from the network just before the transaction)
 *
 * "Live" is every state but 'dead'. Why exactly that line:
 * - planned / signed / broadcast hold their nonce: their bytes may land (or be signed) with it.
 * - confirmed and failed USED it: a reverted EVM transaction still consumed its nonce, a Stellar
 *   tx_failed its sequence. The floor covers them too once mined; counting them also covers a
 *   node that lags or a reorg that briefly un-mines them.
 * - dead never holds one of ours. An EVM 'dead' had its nonce consumed by ANOTHER transaction, so
 *   the floor (the pending count) is already past it. A Stellar submission dead by expiry never
 *   consumed its sequence: the account's sequence did not move, the floor is that very sequence,
 *   and a retry MUST reuse it (Stellar accepts only account sequence + 1) — counting the dead row
 *   would skip it and leave every later transaction of the account unable to land. A CANCELLED
 *   one (planned -> dead, never signed: cancelSubmission.ts) gave its nonce back the same way: the
 *   later planned ones were renumbered over it, or, when none was later, the next reservation
 *   takes it again.
 *
 * The `nonces` table of migration 0002 (EVM's monotonic "next" counter) is no longer the
 * reservation record: a counter that never goes down cannot give back the sequence of an expired
 * Stellar transaction or the nonce of a cancelled chunk. The submissions are the record; the
 * frozen table stays, unused. Two planners cannot race: db.tx serialises the workspace's writers
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: the advisory lock taken first), so the scan and the
 * inserts that follow hold the one write lock.
 */
import { sql } from 'kysely'
import type { CoreContext } from '../../context'
import { invariant } from '../../util/invariant'

export interface NonceKey {
  rail: string
  network: string
  source: string
}

/**
 * The first nonce for `count` new submissions of `key` (they take first, first + 1, …); null when
 * the rail has none (its floor is null). Inside the caller's transaction, which must insert them.
 */
export async function reserveNonces(ctx: CoreContext, key: NonceKey, floor: bigint | null): Promise<bigint | null> {
  invariant(ctx.db.inTransaction(), 'nonces are reserved inside the transaction that records the submissions')
  if (floor === null) return null
  invariant(floor >= 0n, () => `negative nonce floor ${floor}`)
  // Payout submissions and escrow transactions of the same source share one sequence of nonces.
  let held = 0n
  for (const table of NONCE_HOLDING_TABLES) {
    const row = await ctx.db.first(highestHeld(ctx, table, key))
    if (row !== undefined && parseNonce(row.nonce) + 1n > held) held = parseNonce(row.nonce) + 1n
  }
  return held > floor ? held : floor
}

/** Every table whose rows hold nonces of a source: payout submissions and escrow transactions (0010). */
const NONCE_HOLDING_TABLES = ['submissions', 'escrow_txs'] as const

/**
 * The highest nonce held by a live submission of `key`. Decimal texts order like their numbers
 * when compared by length first: exact for any size (no CAST to a 64-bit integer), and the highest
 * comes first.
 */
function highestHeld(ctx: CoreContext, table: (typeof NONCE_HOLDING_TABLES)[number], key: NonceKey) {
  return ctx.db.k
    .selectFrom(table)
    .select('nonce')
    .where('rail', '=', key.rail)
    .where('network', '=', key.network)
    .where('source', '=', key.source)
    .where('nonce', 'is not', null)
    .where('state', '<>', 'dead')
    .orderBy(sql`length(nonce)`, 'desc')
    .orderBy('nonce', 'desc')
    .limit(1)
}

function parseNonce(text: string | null): bigint {
  invariant(text !== null, 'a held nonce is not null')
  invariant(/^(0|[1-9]\d*)$/.test(text), () => `stored nonce "${text}" is not canonical decimal text`)
  return BigInt(text)
}
