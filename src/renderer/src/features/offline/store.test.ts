import { beforeEach, describe, expect, it, vi } from 'vitest'
import type * as OfflineStore from './store'

let m: typeof OfflineStore

beforeEach(async () => {
  // The call numbers live in the module: each test starts from a fresh one.
  vi.resetModules()
  m = await import('./store')
})

describe('the offline banner state', () => {
  it('is raised by an unreachable call with the time of the last success, and cleared by a later success', () => {
    const seenAt = new Date('2026-03-01T09:41:00Z')
    m.callSucceeded(m.callStarted(), seenAt)
    m.callUnreachable(m.callStarted())
    expect(m.useOffline.getState().unreachable).toEqual({ lastSeenAt: seenAt })
    m.callSucceeded(m.callStarted(), seenAt)
    expect(m.useOffline.getState().unreachable).toBeNull()
  })

  it('keeps the time of the last success while failures repeat', () => {
    const seenAt = new Date('2026-03-01T09:41:00Z')
    m.callSucceeded(m.callStarted(), seenAt)
    m.callUnreachable(m.callStarted())
    m.callUnreachable(m.callStarted())
    expect(m.useOffline.getState().unreachable).toEqual({ lastSeenAt: seenAt })
  })

  it('is not cleared by a slow success of a call that started before the failure', () => {
    const slow = m.callStarted()
    m.callUnreachable(m.callStarted())
    m.callSucceeded(slow)
    expect(m.useOffline.getState().unreachable).not.toBeNull()
  })

  it('says when nothing had been seen yet', () => {
    m.callUnreachable(m.callStarted())
    expect(m.useOffline.getState().unreachable).toEqual({ lastSeenAt: null })
  })
})
