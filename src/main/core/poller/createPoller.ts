/**
 * The core's one background loop. Each sweep runs every task once; a task that fails (the
 * network is down) backs the loop off exponentially up to a ceiling, and a clean sweep resets
 * it. The tasks (confirm submissions per rail, follow Stellar payments, sync Stripe, expire
 * holds) are given by the composition root (core.ts); a task keeps whatever it caches between
 * sweeps itself (the confirm tasks' SweepGate), so the loop stays this small.
 *
 * In team mode several desktops run a core on one database; the background loop runs only on
 * the desktop holding the database's 'poller' lease (db.tryLease: a PostgreSQL advisory lock that
 * dies with its holder, so another desktop takes over within one interval). An on-demand sweep
 * (runOnce, `countersign poll`) needs no lease: every task's writes are transactions that stay
 * correct when two sweeps meet.
 */
import type { CoreContext } from '../context'
import type { DbLease } from '../db/Db'
import { log } from '../log'

export interface PollerTask {
  name: string
  run(ctx: CoreContext): Promise<void> | void
}

export interface PollerOptions {
  intervalMs?: number
  backoffMaxMs?: number
}

export interface Poller {
  start(): void
  stop(): Promise<void>
  /** One sweep of every task, now. Resolves when done; errors are reported, not thrown. */
  runOnce(): Promise<{ failed: string[] }>
  readonly running: boolean
}

export const POLL_INTERVAL_MS_DEFAULT = 5_000
export const POLL_BACKOFF_MAX_MS_DEFAULT = 60_000
/** The lease name: one desktop's background loop polls a team database at a time. */
export const POLLER_LEASE = 'poller'

export function createPoller(ctx: CoreContext, tasks: PollerTask[], options: PollerOptions = {}): Poller {
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS_DEFAULT
  const backoffMaxMs = options.backoffMaxMs ?? POLL_BACKOFF_MAX_MS_DEFAULT
  let timer: NodeJS.Timeout | null = null
  let running = false
  let current: Promise<unknown> = Promise.resolve()
  let delayMs = intervalMs
  let lease: DbLease | null = null

  /** Hold the poller lease, or learn that another process holds it. */
  async function holdLease(): Promise<boolean> {
    if (lease) return true
    try {
      lease = await ctx.db.tryLease(POLLER_LEASE)
    } catch (error) {
      log('warn', 'poller lease unavailable', { error })
    }
    return lease !== null
  }

  async function runOnce(): Promise<{ failed: string[] }> {
    const failed: string[] = []
    for (const task of tasks) {
      try {
        await task.run(ctx)
      } catch (error) {
        failed.push(task.name)
        log('warn', 'poller task failed', { task: task.name, error })
      }
    }
    return { failed }
  }

  function schedule(): void {
    if (!running) return
    timer = setTimeout(() => {
      current = holdLease()
        .then((held) => (held ? runOnce() : { failed: [] }))
        .then(({ failed }) => {
          delayMs = failed.length > 0 ? Math.min(delayMs * 2, backoffMaxMs) : intervalMs
          schedule()
        })
    }, delayMs)
    timer.unref?.()
  }

  return {
    start() {
      if (running) return
      running = true
      delayMs = intervalMs
      schedule()
    },
    async stop() {
      running = false
      if (timer) clearTimeout(timer)
      timer = null
      await current
      const held = lease
      lease = null
      await held?.release().catch((error: unknown) => log('warn', 'releasing the poller lease failed', { error }))
    },
    runOnce,
    get running() {
      return running
    },
  }
}
