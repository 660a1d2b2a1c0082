/**
 * Timeouts go through this interface so that tests fire them by hand instead of waiting
 * (no real timers stand in for synchronisation in tests).
 */
export type TimerHandle = unknown

export interface Timer {
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

export const systemTimer: Timer = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}
