/**
 * The ONE nonce / sequence strategy, for every rail, owned by the engine and run inside the
 * planning transaction that inserts the submissions:
 *
 *   the `count` lowest nonces >= rail.nonceFloor(source) (read from the network just before the
 *   transaction) that no live row of this rail + network + source holds
 *
 * — payout submissions and escrow transactions alike (they share one sequence). Never a nonce a
 * live row holds, so never two of our transactions competing for one nonce; and every free nonce
 * at or above the floor is filled first, so no gap is left below a live one.
 *
 * "Live" is every state but 'dead'. Why exactly that line:
 * - planned / signed / broadcast hold their nonce: their bytes may land (or be signed) with it.
 * - confirmed and failed USED it: a reverted EVM transaction still consumed its nonce, a Stellar
 *   tx_failed its sequence. The floor covers them too once mined; counting them also covers a
 *   node that lags or a reorg that briefly un-mines them.
 * - dead never holds one of ours. An EVM 'dead' had its nonce consumed by ANOTHER transaction, so
 *   the floor (the pending count) is already past it. A Stellar submission dead by expiry never
 *   consumed its sequence: the account's sequence did not move, the floor is that very sequence,
 *   and a retry MUST reuse it (Stellar accepts only account sequence + 1). A CANCELLED one
 *   (planned -> dead, never signed: cancelSubmission.ts) gave its nonce back the same way.
 *
 * Why the lowest free ones and not "one past the highest held" (what this was until chaos seed
 * 43.0): on Stellar a live transaction ABOVE a sequence that expired unused can never land (the
 * account needs the lower one first), yet it holds its sequence until its own time bound passes.
 * Reserving above it left the gap open, the next expiry opened another, and a payout retry and an
 * escrow retry on one treasury leapfrogged each other forever — nothing paid twice, nothing paid
 * at all. Filling the gap lets the expired sequence land and the live one behind it with it.
 *
 * The `nonces` table of migration 0002 (EVM's monotonic "next" counter) is no longer the
 * reservation record: a counter that never goes down cannot give back the sequence of an expired
 * Stellar transaction or the nonce of a cancelled chunk. The rows are the record; the frozen table
 * stays, unused. Two planners cannot race: db.tx serialises the workspace's writers (SQLite:
 * BEGIN IMMEDIATE; PostgreSQL: the advisory lock taken first), so the scan and the inserts that
 * follow hold the one write lock.
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
 * The nonces for `count` new submissions of `key`, lowest first (not always consecutive: a free
 * nonce below a live one is taken first); null when the rail has none (its floor is null). Inside
 * the caller's transaction, which must insert them.
 */
export async function reserveNonces(ctx: CoreContext, key: NonceKey, floor: bigint | null, count: number): Promise<bigint[] | null> {
  invariant(ctx.db.inTransaction(), 'nonces are reserved inside the transaction that records the submissions')
  if (floor === null) return null
  return await freeNonces(ctx, key, floor, count, new Set())
}

/**
 * The `count` lowest nonces >= `from` that no live row of `key` holds, leaving out the payout
 * submissions whose ids are in `moving` (cancelPlannedSubmission renumbers them over a freed nonce).
 */
export async function freeNonces(
  ctx: CoreContext,
  key: NonceKey,
  from: bigint,
  count: number,
  moving: ReadonlySet<string>,
): Promise<bigint[]> {
  invariant(from >= 0n, () => `negative nonce floor ${from}`)
  invariant(Number.isSafeInteger(count) && count >= 1, () => `cannot reserve ${count} nonces`)
  const held = new Set<bigint>()
  for (const table of NONCE_HOLDING_TABLES) {
    for (const row of await ctx.db.all(heldFrom(ctx, table, key, from))) {
      if (table !== 'submissions' || !moving.has(row.id)) held.add(parseNonce(row.nonce))
    }
  }
  const out: bigint[] = []
  for (let n = from; out.length < count; n++) if (!held.has(n)) out.push(n)
  return out
}

/** Every table whose rows hold nonces of a source: payout submissions and escrow transactions (0010). */
const NONCE_HOLDING_TABLES = ['submissions', 'escrow_txs'] as const

/**
 * Every live row of `key` holding a nonce >= `from`. Decimal texts compare like their numbers
 * when compared by length first: exact for any size (no CAST to a 64-bit integer).
 */
function heldFrom(ctx: CoreContext, table: (typeof NONCE_HOLDING_TABLES)[number], key: NonceKey, from: bigint) {
  const text = from.toString()
  return ctx.db.k
    .selectFrom(table)
    .select(['id', 'nonce'])
    .where('rail', '=', key.rail)
    .where('network', '=', key.network)
    .where('source', '=', key.source)
    .where('nonce', 'is not', null)
    .where('state', '<>', 'dead')
    .where((eb) =>
      eb.or([
        eb(sql<number>`length(nonce)`, '>', text.length),
        eb.and([eb(sql<number>`length(nonce)`, '=', text.length), eb('nonce', '>=', text)]),
      ]),
    )
}

function parseNonce(text: string | null): bigint {
  invariant(text !== null, 'a held nonce is not null')
  invariant(/^(0|[1-9]\d*)$/.test(text), () => `stored nonce "${text}" is not canonical decimal text`)
  return BigInt(text)
}
