/**
 * Transactions on PostgreSQL, carried through the async call chain: inside `tx(fn)`, every
 * statement this Db runs goes to the transaction's connection, found through AsyncLocalStorage,
 * so domain code keeps calling `ctx.db.*` and never passes a handle around.
 *
 * Why one advisory lock serialises all writers. SQLite's BEGIN IMMEDIATE made every writer of a
 * workspace wait for the one before it, so each check-then-write (a balance, a nonce, the audit
 * head, a batch version) saw the latest committed state. PostgreSQL's default READ COMMITTED
 * would let two desks read the same balance and both write; SERIALIZABLE would catch it but then
 * every caller must retry serialisation failures. Instead, the first statement of every write
 * transaction takes `pg_advisory_xact_lock(WRITE_LOCK_KEY)`: writers run one after the other,
 * exactly as on SQLite, and correctness holds by construction with no retries. Transactions are
 * short (they never await the network), so the queue is short. In READ COMMITTED every statement
 * after the lock sees everything committed before the lock was granted (the previous holder's
 * commit is visible before its lock is released), so the isolation level is pinned explicitly —
 * a server default of REPEATABLE READ would take the snapshot before the lock and see stale rows.
 *
 * The lock waits at most WRITE_LOCK_TIMEOUT_MS (then DB_LOCKED, like SQLite's busy timeout; the
 * bound stays for the whole transaction, where with writers serialised nothing else should wait on
 * a lock), and a desk that dies mid-transaction loses its session to
 * idle_in_transaction_session_timeout, so the books are never held for long.
 *
 * A context is marked closed before COMMIT or ROLLBACK is sent: a stray promise that still
 * carries it afterwards falls back to the pool (or to the enclosing transaction) instead of using
 * a connection that went back to the pool.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type pg from 'pg'
import { unreachable } from '../../util/invariant'
import { WRITE_LOCK_KEY } from './advisoryLocks'
import { mapPostgresError } from './postgresErrors'
import { createSerialQueue, type SerialQueue } from './serialQueue'

/** How long a writer waits for another desk's transaction before DB_LOCKED. */
const WRITE_LOCK_TIMEOUT_MS = 15_000
/** One round trip: begin, bound the wait, take the write lock — before any read of the transaction. */
const BEGIN_SQL = `BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = ${WRITE_LOCK_TIMEOUT_MS}; SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`
const BEGIN_READ_ONLY_SQL = `BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY; SET LOCAL lock_timeout = ${WRITE_LOCK_TIMEOUT_MS}; SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`

export interface PostgresTxRunner {
  /** Run one statement: on the open transaction's connection, or on the pool outside one. */
  query(text: string, values?: readonly unknown[]): Promise<pg.QueryResult>
  tx<T>(fn: () => Promise<T>): Promise<T>
  inTransaction(): boolean
}

interface Frame {
  readonly client: pg.PoolClient
  readonly parent: Frame | undefined
  /** Statements on the shared connection, one at a time, in the order they were issued. */
  readonly statements: SerialQueue
  /** Savepoints directly inside this frame, one at a time (interleaved savepoints would nest wrongly). */
  readonly children: SerialQueue
  readonly savepointSeq: { n: number }
  open: boolean
}

/** What every transaction of one Db shares. */
interface Runner {
  readonly pool: pg.Pool
  readonly location: string
  readonly beginSql: string
  /** Per Db: a transaction of another Db in the same process is not ours. */
  readonly als: AsyncLocalStorage<Frame>
}

export function createPostgresTxRunner(pool: pg.Pool, location: string, options: { readonly: boolean }): PostgresTxRunner {
  const runner: Runner = { pool, location, beginSql: options.readonly ? BEGIN_READ_ONLY_SQL : BEGIN_SQL, als: new AsyncLocalStorage() }
  // One root transaction of this Db at a time: the others wait here, not on a pooled connection each.
  const roots = createSerialQueue()
  return {
    query: (text, values) => query(runner, text, values),
    tx<T>(fn: () => Promise<T>): Promise<T> {
      const frame = activeFrame(runner)
      return frame ? nested(runner, frame, fn) : roots.run(() => root(runner, fn))
    },
    inTransaction: () => activeFrame(runner) !== undefined,
  }
}

/** The innermost open transaction of the caller's async context (a closed one hands over to its parent). */
function activeFrame(runner: Runner): Frame | undefined {
  let frame = runner.als.getStore()
  while (frame && !frame.open) frame = frame.parent
  return frame
}

function onFrame(frame: Frame, text: string, values?: readonly unknown[]): Promise<pg.QueryResult> {
  return frame.statements.run(() => frame.client.query(text, values as unknown[] | undefined))
}

async function query(runner: Runner, text: string, values?: readonly unknown[]): Promise<pg.QueryResult> {
  const frame = activeFrame(runner)
  try {
    return await (frame ? onFrame(frame, text, values) : runner.pool.query(text, values as unknown[] | undefined))
  } catch (error) {
    throw mapPostgresError(error, { location: runner.location })
  }
}

async function root<T>(runner: Runner, fn: () => Promise<T>): Promise<T> {
  const mapError = (error: unknown, duringCommit = false): unknown => mapPostgresError(error, { location: runner.location, duringCommit })
  let client: pg.PoolClient
  try {
    client = await runner.pool.connect()
  } catch (error) {
    throw mapError(error)
  }
  // A checked-out client has no listener of the pool's: without ours, a dropped link would crash the process.
  const ignore = (): void => {}
  client.on('error', ignore)
  const frame: Frame = {
    client,
    parent: undefined,
    statements: createSerialQueue(),
    children: createSerialQueue(),
    savepointSeq: { n: 0 },
    open: true,
  }
  let reusable = true
  try {
    let result: T
    try {
      await onFrame(frame, runner.beginSql).catch((error: unknown) => Promise.reject(mapError(error)))
      result = await runner.als.run(frame, fn)
    } catch (error) {
      frame.open = false
      reusable = await rollback(frame)
      throw error
    }
    frame.open = false
    const commit = await onFrame(frame, 'COMMIT').catch((error: unknown) => {
      reusable = false
      return Promise.reject(mapError(error, true))
    })
    // COMMIT of a transaction that an earlier statement aborted answers ROLLBACK, without an error.
    if (commit.command !== 'COMMIT') {
      unreachable(
        'a statement in the transaction failed and its error was caught, so PostgreSQL rolled the whole transaction back — wrap a statement that may fail in a nested db.tx (a savepoint)',
      )
    }
    return result
  } finally {
    client.removeListener('error', ignore)
    client.release(!reusable)
  }
}

async function nested<T>(runner: Runner, parent: Frame, fn: () => Promise<T>): Promise<T> {
  return parent.children.run(async () => {
    const name = `sp_${++parent.savepointSeq.n}`
    const onParent = (text: string): Promise<pg.QueryResult> =>
      onFrame(parent, text).catch((error: unknown) => Promise.reject(mapPostgresError(error, { location: runner.location })))
    await onParent(`SAVEPOINT ${name}`)
    const frame: Frame = { ...parent, parent, children: createSerialQueue(), open: true }
    let result: T
    try {
      result = await runner.als.run(frame, fn)
    } catch (error) {
      frame.open = false
      // Back to the savepoint, so the enclosing transaction goes on; if even that fails, its COMMIT will say so.
      await onParent(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined)
      throw error
    }
    frame.open = false
    await onParent(`RELEASE SAVEPOINT ${name}`)
    return result
  })
}

/** Roll back; false when even that failed, so the connection is thrown away rather than reused. */
async function rollback(frame: Frame): Promise<boolean> {
  try {
    await onFrame(frame, 'ROLLBACK')
    return true
  } catch {
    return false
  }
}
