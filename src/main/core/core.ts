/**
 * Composition root: createCore(config) -> { api, poller, close }. Runs unchanged in the Electron
 * main process, browser mode, the CLI and tests; never imports 'electron'.
 */
import { APP_VERSION } from '../../shared/version'
import { createApi, type CoreApi } from './api/createApi'
import { createHandlers, type HandlerEnv } from './api/handlers'
import { CoreEvents, systemClock, type Clock, type CoreContext } from './context'
import { openDb } from './db/openDb'
import { expireHolds, seedDefaultAssets } from './ledger'
import { createPoller, type Poller, type PollerTask } from './poller/createPoller'

export interface CoreConfig {
  /** Folder of the workspace (countersign.sqlite lives there), or ':memory:' for tests. */
  dataDir: string
  clock?: Clock
  /** better_sqlite3.node built for Electron's ABI, when running inside Electron. */
  sqliteNativeBinding?: string
  sandbox?: boolean
  transport?: HandlerEnv['transport']
  pollIntervalMs?: number
}

export interface Core {
  readonly ctx: CoreContext
  readonly api: CoreApi
  readonly events: CoreEvents
  readonly poller: Poller
  close(): Promise<void>
}

export async function createCore(config: CoreConfig): Promise<Core> {
  const db = await openDb({ dataDir: config.dataDir, ...(config.sqliteNativeBinding ? { nativeBinding: config.sqliteNativeBinding } : {}) })
  const events = new CoreEvents()
  const ctx: CoreContext = { db, clock: config.clock ?? systemClock, events }
  seedDefaultAssets(ctx)
  const api = createApi(
    ctx,
    createHandlers({
      version: APP_VERSION,
      dataDir: config.dataDir,
      sandbox: config.sandbox ?? false,
      transport: config.transport ?? 'direct',
    }),
  )
  const tasks: PollerTask[] = [{ name: 'holds.expire', run: (c) => void expireHolds(c) }]
  const poller = createPoller(ctx, tasks, config.pollIntervalMs !== undefined ? { intervalMs: config.pollIntervalMs } : {})
  let closed = false
  return {
    ctx,
    api,
    events,
    poller,
    async close() {
      if (closed) return
      closed = true
      await poller.stop()
      await db.close()
    },
  }
}
