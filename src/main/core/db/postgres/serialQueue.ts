/**
 * A first-in, first-out queue of async jobs that run one at a time. The PostgreSQL adapter needs
 * it in three places: one root transaction per Db at a time (waiting writers queue here instead
 * of each holding a pooled connection while they wait for the write lock), one savepoint per
 * transaction level at a time, and one statement at a time on a transaction's connection (pg
 * refuses overlapping queries on a client from v9 on).
 */

export interface SerialQueue {
  run<T>(job: () => Promise<T>): Promise<T>
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve()
  return {
    run<T>(job: () => Promise<T>): Promise<T> {
      const result = tail.then(job)
      // The next job waits for this one to settle, whatever its outcome; the caller sees the outcome.
      tail = result.then(
        () => undefined,
        () => undefined,
      )
      return result
    },
  }
}
