/**
 * One queue per device: never more than one APDU exchange in flight on a device.
 *
 * Why this and not the Ledger libraries' own guard: hw-transport *rejects* a second concurrent
 * call ("TransportLocked" / "TransportRaceCondition") instead of waiting, and a HID device mixes up
 * interleaved frames. So every device operation runs as a job here, one after another.
 *
 * Timeouts: an APDU cannot be cancelled once sent — the device keeps showing its prompt. When a
 * step passes its deadline the caller gets DEVICE_TIMEOUT at once, but the queue stays held until
 * the device actually answers (or is unplugged); meanwhile new and queued jobs fail fast with
 * DEVICE_BUSY rather than wait behind a prompt nobody is looking at.
 */
import { CsError } from '../../../shared/errors'
import type { Timer } from './timer'

export interface DeviceJob {
  /** Waits for `work` (device exchanges) for at most `timeoutMs`; the queue tracks it until it settles. */
  withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T>
}

export interface DeviceQueue {
  run<T>(job: (ctx: DeviceJob) => Promise<T>): Promise<T>
  /** Jobs waiting behind the running one. */
  readonly waitingCount: number
  /** True while a timed-out exchange is still pending on the device. */
  readonly isStuck: boolean
}

export interface DeviceQueueOptions {
  timer: Timer
  /** Jobs allowed to wait behind the running one before callers get DEVICE_BUSY. */
  waitingJobsMax: number
}

interface Waiting {
  start: () => void
  fail: (error: CsError) => void
}

export function createDeviceQueue({ timer, waitingJobsMax }: DeviceQueueOptions): DeviceQueue {
  let running = false
  let stuck = false
  const waiting: Waiting[] = []

  const busy = (why: string) => new CsError('DEVICE_BUSY', `The Ledger is busy — ${why}, then try again.`, { details: { reason: why } })

  function next(): void {
    const job = waiting.shift()
    if (job) job.start()
    else running = false
  }

  function execute<T>(job: (ctx: DeviceJob) => Promise<T>, resolve: (v: T) => void, reject: (e: unknown) => void): void {
    const inFlight = new Set<Promise<unknown>>()
    const ctx: DeviceJob = {
      withDeadline<U>(work: Promise<U>, timeoutMs: number): Promise<U> {
        const tracked = work.then(
          () => undefined,
          () => undefined,
        )
        inFlight.add(tracked)
        return new Promise<U>((res, rej) => {
          let done = false
          const handle = timer.setTimeout(() => {
            if (done) return
            done = true
            stuck = true
            // Nobody will see the waiting jobs' prompts before this one is answered: fail them now.
            for (const w of waiting.splice(0)) w.fail(busy('answer or reject the request on its screen'))
            rej(
              new CsError(
                'DEVICE_TIMEOUT',
                'The Ledger did not answer in time — check its screen, reject any pending request, then try again.',
                {
                  details: { timeoutMs },
                },
              ),
            )
          }, timeoutMs)
          work.then(
            (value) => {
              if (done) return
              done = true
              timer.clearTimeout(handle)
              res(value)
            },
            (error: unknown) => {
              if (done) return
              done = true
              timer.clearTimeout(handle)
              rej(error)
            },
          )
        })
      },
    }
    Promise.resolve()
      .then(() => job(ctx))
      .then(resolve, reject)
      .finally(async () => {
        // Hold the device until every exchange the job started has been answered.
        await Promise.all(inFlight)
        stuck = false
        next()
      })
  }

  return {
    run<T>(job: (ctx: DeviceJob) => Promise<T>): Promise<T> {
      if (stuck) return Promise.reject(busy('it is still showing a request that timed out: answer or reject it on the device'))
      if (running && waiting.length >= waitingJobsMax) return Promise.reject(busy(`${waiting.length} requests are already waiting`))
      return new Promise<T>((resolve, reject) => {
        const start = () => execute(job, resolve, reject)
        if (!running) {
          running = true
          start()
        } else {
          waiting.push({ start, fail: reject })
        }
      })
    },
    get waitingCount() {
      return waiting.length
    },
    get isStuck() {
      return stuck
    },
  }
}
