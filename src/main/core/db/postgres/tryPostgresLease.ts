/**
 * A named lease on a team database (the poller's, so one desk polls at a time): a session
 * advisory lock held on a connection of its own. The lock lives as long as that session, so it
 * is freed by `release()`, by closing the Db, or by the server when the desk's process dies or
 * its link drops — no lease outlives its holder, and no expiry needs tuning.
 *
 * The link dropping frees the lease silently: another desk may then take it while this one still
 * believes it holds it. Everything a lease guards must stay safe when done twice (the poller's
 * writes are idempotent and serialised by the write lock); the lease only saves the duplicate work.
 */
import pg from 'pg'
import type { DbLease } from '../Db'
import { leaseLockKey } from './advisoryLocks'
import { mapPostgresError } from './postgresErrors'

export async function tryPostgresLease(
  config: pg.ClientConfig,
  name: string,
  location: string,
  held: Set<pg.Client>,
): Promise<DbLease | null> {
  const key = leaseLockKey(name)
  const client = new pg.Client(config)
  // Without a listener, a dropped link would crash the process; the lease is gone with the session anyway.
  client.on('error', () => undefined)
  let granted: boolean
  try {
    await client.connect()
    const { rows } = await client.query<{ granted: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS granted', [key])
    granted = rows[0]?.granted === true
  } catch (error) {
    await client.end().catch(() => undefined)
    throw mapPostgresError(error, { location })
  }
  if (!granted) {
    await client.end().catch(() => undefined)
    return null
  }
  held.add(client)
  let released = false
  return {
    async release(): Promise<void> {
      if (released) return
      released = true
      held.delete(client)
      // Unlock before closing: the server frees a closed session's locks a moment later, and the next taker must not race that.
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined)
      await client.end().catch(() => undefined)
    },
  }
}
