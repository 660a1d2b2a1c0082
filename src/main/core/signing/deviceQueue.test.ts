import { describe, expect, it } from 'vitest'
import { createManualTimer } from '../../../../test/signing/helpers'
import { createDeviceQueue } from './deviceQueue'

/** A promise the test settles by hand. */
function deferred<T = void>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('device queue', () => {
  it('runs jobs one at a time, in order', async () => {
    const queue = createDeviceQueue({ timer: createManualTimer(), waitingJobsMax: 10 })
    const log: string[] = []
    const gates = [deferred(), deferred(), deferred()]
    const jobs = gates.map((gate, i) =>
      queue.run(async () => {
        log.push(`start ${i}`)
        await gate.promise
        log.push(`end ${i}`)
        return i
      }),
    )
    await flushMicrotasks()
    expect(log).toEqual(['start 0'])
    expect(queue.waitingCount).toBe(2)
    gates[2]?.resolve()
    gates[1]?.resolve()
    await flushMicrotasks()
    expect(log).toEqual(['start 0'])
    gates[0]?.resolve()
    expect(await Promise.all(jobs)).toEqual([0, 1, 2])
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2'])
  })

  it('keeps going after a job fails', async () => {
    const queue = createDeviceQueue({ timer: createManualTimer(), waitingJobsMax: 10 })
    const failing = queue.run(async () => {
      throw new Error('device said no')
    })
    const next = queue.run(async () => 'ok')
    await expect(failing).rejects.toThrow('device said no')
    expect(await next).toBe('ok')
  })

  it('refuses waiting jobs beyond the limit', async () => {
    const queue = createDeviceQueue({ timer: createManualTimer(), waitingJobsMax: 1 })
    const gate = deferred()
    const first = queue.run(() => gate.promise)
    const second = queue.run(async () => 'second')
    await expect(queue.run(async () => 'third')).rejects.toMatchObject({ code: 'DEVICE_BUSY' })
    gate.resolve()
    await first
    expect(await second).toBe('second')
  })

  it('on a deadline: the caller gets DEVICE_TIMEOUT now, the device stays held until it answers, waiters get DEVICE_BUSY', async () => {
    const timer = createManualTimer()
    const queue = createDeviceQueue({ timer, waitingJobsMax: 10 })
    const device = deferred<string>()
    const job = queue.run((ctx) => ctx.withDeadline(device.promise, 60_000))
    const waiter = queue.run(async () => 'waiter')
    await flushMicrotasks()
    timer.fireAll()
    await expect(job).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT', details: { timeoutMs: 60_000 } })
    await expect(waiter).rejects.toMatchObject({ code: 'DEVICE_BUSY' })
    expect(queue.isStuck).toBe(true)
    await expect(queue.run(async () => 'late')).rejects.toMatchObject({ code: 'DEVICE_BUSY' })

    device.resolve('answered after the deadline')
    await flushMicrotasks()
    expect(queue.isStuck).toBe(false)
    expect(await queue.run(async () => 'free again')).toBe('free again')
  })

  it('clears the deadline when the device answers in time', async () => {
    const timer = createManualTimer()
    const queue = createDeviceQueue({ timer, waitingJobsMax: 10 })
    expect(await queue.run((ctx) => ctx.withDeadline(Promise.resolve(42), 1_000))).toBe(42)
    expect(timer.pending).toBe(0)
  })
})
