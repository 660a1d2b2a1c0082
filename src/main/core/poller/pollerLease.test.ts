/**
 * Several desktops run a core on one team database: only the one holding the 'poller' lease runs
 * the background loop, and when it stops (or dies) another takes over. On SQLite (one desk) the
 * lease is always granted. Needs COUNTERSIGN_TEST_PG_URL for the PostgreSQL part.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { CoreEvents, fixedClock, type CoreContext } from '../context'
import { createPostgresDatabase, dropPostgresDatabase } from '../db/postgres/createDatabase'
import { openPostgresDb } from '../db/postgres/openPostgresDb'
import { openSqliteDb } from '../db/sqlite/openSqliteDb'
import type { Db } from '../db/Db'
import { createPoller, type Poller } from './createPoller'

const SERVER = process.env.COUNTERSIGN_TEST_PG_URL
const created: string[] = []
afterAll(async () => {
  for (const name of created) await dropPostgresDatabase(SERVER!, name).catch(() => {})
})

/** A desk: its own connection, a poller whose one task counts sweeps and reports each. */
function desk(db: Db, onSweep: () => void): { poller: Poller; sweeps: () => number } {
  let n = 0
  const ctx: CoreContext = { db, clock: fixedClock(), events: new CoreEvents() }
  const poller = createPoller(ctx, [{ name: 'count', run: () => void (n++, onSweep()) }], { intervalMs: 20 })
  return { poller, sweeps: () => n }
}

/** Resolves when `check` holds after a sweep (no sleeping: every sweep re-checks). */
function sweepsUntil(check: () => boolean): { onSweep: () => void; reached: Promise<void> } {
  let resolve!: () => void
  const reached = new Promise<void>((r) => (resolve = r))
  return { onSweep: () => (check() ? resolve() : undefined), reached }
}

describe('the poller lease', () => {
  it.skipIf(!SERVER)(
    'on one team database only one desk polls; when it stops, another takes over',
    async () => {
      const name = `cs_lease_${randomBytes(5).toString('hex')}`
      created.push(name)
      const url = await createPostgresDatabase(SERVER!, name)
      const [dbA, dbB] = [await openPostgresDb({ url }), await openPostgresDb({ url })]
      try {
        let total = 0
        let phase = sweepsUntil(() => total >= 20)
        const a = desk(dbA, () => (total++, phase.onSweep()))
        const b = desk(dbB, () => (total++, phase.onSweep()))
        a.poller.start()
        b.poller.start()
        await phase.reached
        // Exactly one desk swept: the other never got the lease.
        expect([a.sweeps(), b.sweeps()].filter((n) => n > 0)).toHaveLength(1)
        const [holder, other] = a.sweeps() > 0 ? [a, b] : [b, a]
        await holder.poller.stop()
        const before = other.sweeps()
        phase = sweepsUntil(() => other.sweeps() >= before + 5)
        await phase.reached
        expect(other.sweeps()).toBeGreaterThanOrEqual(before + 5)
        await other.poller.stop()
      } finally {
        await dbA.close()
        await dbB.close()
      }
    },
    60_000,
  )

  it('on SQLite (one desk) the lease is always granted', async () => {
    const db = await openSqliteDb({ dataDir: ':memory:' })
    try {
      const lease = await db.tryLease('poller')
      expect(lease).not.toBeNull()
      expect(await db.tryLease('poller')).not.toBeNull()
      await lease!.release()
    } finally {
      await db.close()
    }
  })
})
