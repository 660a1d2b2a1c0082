/**
 * Views update when another process changes a single-desk workspace (issue 17, finding 1): the
 * app (a core with liveUpdates) hears what the CLI beside it did on the same SQLite file, through
 * the file's change feed (sqlite/sqliteChanges.ts) — the same events its own changes emit, with
 * their payloads. And the feed itself: a connection never hears its own changes back, an
 * oversized payload goes out as null, and a listener hears only what was committed after it
 * subscribed. No sleeps: each wait is for the event itself, bounded by the test's timeout.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventName } from '../../src/shared/api'
import { createCore, type Core } from '../../src/main/core/core'
import type { Db, DbChange } from '../../src/main/core/db/Db'
import { openDb } from '../../src/main/core/db/openDb'
import { initPayoutDesk, runCli, tempDir } from '../cli/cliHarness'

let root: string
let dir: string

beforeAll(async () => {
  root = tempDir('countersign-live-')
  dir = path.join(root, 'books')
  await initPayoutDesk(dir)
}, 120_000)
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

/** The next change `db` hears whose event is `event`. */
function nextChange(db: Db, event: string): Promise<DbChange> {
  return new Promise((resolve) => {
    const off = db.onRemoteChange((change) => {
      if (change.event !== event) return
      off()
      resolve(change)
    })
  })
}

describe('the change feed of a SQLite workspace', () => {
  // Team mode has NOTIFY instead (postgres/postgresChanges.ts, its own tests); the app-and-CLI test below runs on both.
  it.skipIf(process.env.COUNTERSIGN_TEST_DB === 'postgres')(
    'delivers another connection’s changes, never a connection’s own, oversized payloads as null',
    async () => {
      const a = await openDb({ dataDir: dir })
      const b = await openDb({ dataDir: dir })
      try {
        await a.announce({ event: 'batches.changed', payload: { batchId: 'before-b-listened' } })
        const heardByB: DbChange[] = []
        const offB = b.onRemoteChange((change) => heardByB.push(change))
        const aHears = nextChange(a, 'ledger.changed')
        await b.announce({ event: 'batches.changed', payload: { batchId: 'b-own' } })
        await b.announce({ event: 'ledger.changed', payload: { accountIds: ['treasury-usdc'] } })
        expect(await aHears).toEqual({ event: 'ledger.changed', payload: { accountIds: ['treasury-usdc'] } })

        const bHears = nextChange(b, 'audit.appended')
        await a.announce({ event: 'payouts.changed', payload: { huge: 'x'.repeat(70_000) } })
        await a.announce({ event: 'audit.appended', payload: { seq: 7, action: 'ledger.post', actor: 'op' } })
        await bHears
        offB()
        // B heard A's two changes in order — not its own, not what was there before it listened.
        expect(heardByB).toEqual([
          { event: 'payouts.changed', payload: null },
          { event: 'audit.appended', payload: { seq: 7, action: 'ledger.post', actor: 'op' } },
        ])
      } finally {
        await a.close()
        await b.close()
      }
    },
  )
})

describe('the app and the CLI on one workspace', () => {
  let app: Core
  beforeAll(async () => {
    app = await createCore({ dataDir: dir, liveUpdates: true, resumeOnStart: false, dailyBackup: false })
  }, 60_000)
  afterAll(async () => {
    await app?.close()
  })

  /** The next event `name` the app's core emits. */
  function appHears(name: EventName): Promise<unknown> {
    return new Promise((resolve) => {
      const off = app.ctx.events.subscribe((event, payload) => {
        if (event !== name) return
        off()
        resolve(payload)
      })
    })
  }

  it('hears a posting and an imported batch made by the CLI, with their payloads', async () => {
    const entry = path.join(root, 'entry.json')
    fs.writeFileSync(
      entry,
      JSON.stringify({
        id: 'live-1',
        description: 'From the CLI',
        postings: [
          { account: 'treasury-usdc', debit: '5' },
          { account: 'opening-usdc', credit: '5' },
        ],
      }),
    )
    const ledger = appHears('ledger.changed')
    const posted = await runCli(['--data-dir', dir, 'ledger', 'post', entry, '--as', 'Dana Admin'])
    expect(posted.code, posted.stderr).toBe(0)
    expect(await ledger).toEqual({ accountIds: expect.arrayContaining(['treasury-usdc', 'opening-usdc']) as unknown })

    const csv = path.join(root, 'live.csv')
    fs.writeFileSync(
      csv,
      'id,rail,network,asset,recipient,amount\nlive-p1,evm,8453,USDC,0x4a4a4A4A4A4a4a4A4a4A4a4a4a4A4a4a4A4A4a4A,10.00\n',
    )
    const batches = appHears('batches.changed')
    const imported = await runCli(['--data-dir', dir, '--json', 'payouts', 'import', csv, '--as', 'Alice Preparer'])
    expect(imported.code, imported.stderr).toBe(0)
    const { batchId } = JSON.parse(imported.stdout) as { batchId: string }
    expect(await batches).toMatchObject({ batchId })
    // What the app's view then reads is the CLI's batch.
    expect((await app.api.call('batches.get', { id: batchId })).batch.payouts).toBe(1)
  })
})
