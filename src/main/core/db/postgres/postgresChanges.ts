/**
 * Telling the other desks what changed: NOTIFY on one channel per database, LISTEN on one
 * dedicated connection per Db (pooled connections come and go, a LISTEN must stay).
 *
 * A notification is `{ origin, event, payload }`; `origin` is a random id of the Db that sent it,
 * so a desk does not hear its own changes back (it already emitted them in-process). PostgreSQL
 * refuses payloads of 8000 bytes or more, so a larger change goes out with `payload: null` — the
 * event alone says what to re-read.
 *
 * NOTIFY is a hint, not a log: the listening connection is reopened with backoff when it drops,
 * and what was announced while it was down is not replayed. So the feed tells its listeners
 * itself: a `database.status` change with `{ reachable: false }` when the link drops and
 * `{ reachable: true }` when it is back — the app shows the desk is offline, and re-reads its
 * views on the way back instead of trusting that it heard everything. Announcing is best effort for the
 * same reason: a change is already committed when it is announced, and a lost link must not turn
 * that success into an error (the link's failure shows on the next real statement).
 */
import pg from 'pg'
import { hasErrorCode } from '../../../../shared/errors'
import type { DbChange } from '../Db'
import { unreachable } from '../../util/invariant'

export const CHANGES_CHANNEL = 'countersign_changes'
/** The change the feed itself delivers when its link to the server drops or comes back. */
export const DATABASE_STATUS_EVENT = 'database.status'
/** PostgreSQL's default limit is "shorter than 8000 bytes". */
const NOTIFY_PAYLOAD_BYTES_MAX = 7_999
const LISTEN_RETRY_DELAY_MS_MIN = 250
const LISTEN_RETRY_DELAY_MS_MAX = 30_000

export interface ChangeFeed {
  announce(change: DbChange): Promise<void>
  subscribe(listener: (change: DbChange) => void): () => void
  close(): Promise<void>
}

interface Notice {
  origin: string
  event: string
  payload: unknown
}

export function createChangeFeed(options: {
  client: pg.ClientConfig
  origin: string
  /** Runs pg_notify where the caller is (inside a transaction it is delivered at COMMIT); maps connection failures to DB_UNREACHABLE. */
  query: (text: string, values: readonly unknown[]) => Promise<unknown>
}): ChangeFeed {
  const { origin } = options
  const listeners = new Set<(change: DbChange) => void>()
  let listening: { stop(): Promise<void> } | undefined

  const deliver = (notice: Notice): void => {
    if (notice.origin === origin) return
    for (const listener of [...listeners]) {
      try {
        listener({ event: notice.event, payload: notice.payload })
      } catch {
        // A broken listener (a closed window) must not break the feed for the others.
      }
    }
  }
  const stop = async (): Promise<void> => {
    const current = listening
    listening = undefined
    await current?.stop()
  }

  return {
    async announce(change: DbChange): Promise<void> {
      let text = JSON.stringify({ origin, event: change.event, payload: change.payload ?? null } satisfies Notice)
      if (Buffer.byteLength(text) > NOTIFY_PAYLOAD_BYTES_MAX) text = JSON.stringify({ origin, event: change.event, payload: null })
      if (Buffer.byteLength(text) > NOTIFY_PAYLOAD_BYTES_MAX)
        unreachable(`event name ${change.event.slice(0, 40)}… is too long to announce`)
      try {
        await options.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, text])
      } catch (error) {
        if (hasErrorCode(error, 'DB_UNREACHABLE')) return
        throw error
      }
    },
    subscribe(listener: (change: DbChange) => void): () => void {
      listeners.add(listener)
      listening ??= listen(options.client, deliver, (reachable) =>
        deliver({ origin: '', event: DATABASE_STATUS_EVENT, payload: { reachable } }),
      )
      return () => {
        if (listeners.delete(listener) && listeners.size === 0) void stop()
      }
    },
    async close(): Promise<void> {
      listeners.clear()
      await stop()
    },
  }
}

/**
 * Keeps one connection LISTENing until stopped: a connection that fails or ends is dropped and a
 * new one opened after a delay that doubles up to LISTEN_RETRY_DELAY_MS_MAX (reset once LISTEN works).
 */
function listen(
  config: pg.ClientConfig,
  deliver: (notice: Notice) => void,
  status: (reachable: boolean) => void,
): { stop(): Promise<void> } {
  let connection: pg.Client | undefined
  let retryTimer: NodeJS.Timeout | undefined
  let retryDelayMs = LISTEN_RETRY_DELAY_MS_MIN
  let stopped = false
  /** Said once per change: dropped after it worked, back after it dropped. */
  let down = false

  const onNotification = (message: pg.Notification): void => {
    const notice = parseNotice(message.payload)
    if (notice) deliver(notice)
  }
  function open(): void {
    retryTimer = undefined
    const client = new pg.Client(config)
    connection = client
    // Errors and ends both lead to a reconnect; without an 'error' listener a dropped link would crash the process.
    client.on('error', () => reopenLater(client))
    client.on('end', () => reopenLater(client))
    client.on('notification', onNotification)
    client
      .connect()
      .then(() => client.query(`LISTEN ${CHANGES_CHANNEL}`))
      .then(
        () => {
          retryDelayMs = LISTEN_RETRY_DELAY_MS_MIN
          if (down && !stopped) {
            down = false
            status(true)
          }
        },
        () => reopenLater(client),
      )
  }
  function reopenLater(client: pg.Client): void {
    // Each failed connection is dropped once, however many events it raises.
    if (connection !== client) return
    connection = undefined
    client.removeListener('notification', onNotification)
    client.end().catch(() => undefined)
    if (stopped) return
    if (!down) {
      down = true
      status(false)
    }
    retryTimer = setTimeout(open, retryDelayMs)
    // Waiting to reconnect must not keep a finished CLI process alive.
    retryTimer.unref()
    retryDelayMs = Math.min(retryDelayMs * 2, LISTEN_RETRY_DELAY_MS_MAX)
  }

  open()
  return {
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(retryTimer)
      const client = connection
      connection = undefined
      if (client) await client.end().catch(() => undefined)
    },
  }
}

function parseNotice(text: string | undefined): Notice | undefined {
  if (text === undefined) return undefined
  try {
    const value = JSON.parse(text) as Partial<Notice>
    if (typeof value.origin !== 'string' || typeof value.event !== 'string') return undefined
    return { origin: value.origin, event: value.event, payload: value.payload ?? null }
  } catch {
    // Someone else's NOTIFY on our channel: not ours to read.
    return undefined
  }
}
