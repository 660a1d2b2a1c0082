/**
 * The desk locks itself after the workspace's idle minutes without input (pointer, keys, wheel,
 * touch), the same setting the core applies to the session; input also renews the core's timer
 * (at most every SESSION_TOUCH_INTERVAL_MS), so a person reading a long batch is not locked out
 * by the core while the window thinks they are here.
 */
import { useEffect } from 'react'
import { lock, touchSession } from './actions'
import { useSession } from './store'

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const
/** How often the window checks whether it has been idle long enough to lock. */
const IDLE_CHECK_INTERVAL_MS = 5_000
/** Input renews the core's idle timer at most this often. */
const SESSION_TOUCH_INTERVAL_MS = 30_000

export function useIdleLock(): void {
  const operatorId = useSession((s) => s.operator?.id)
  const minutes = useSession((s) => s.idleLockMinutes)

  useEffect(() => {
    if (!operatorId) return
    const idleMs = minutes * 60_000
    let lastInput = Date.now()
    let lastTouch = Date.now()
    const onInput = (): void => {
      lastInput = Date.now()
      if (lastInput - lastTouch >= SESSION_TOUCH_INTERVAL_MS) {
        lastTouch = lastInput
        void touchSession()
      }
    }
    // A sleeping tab's timers stall: check again the moment it is looked at.
    const check = (): void => {
      if (Date.now() - lastInput >= idleMs) void lock('idle')
    }
    for (const e of INPUT_EVENTS) window.addEventListener(e, onInput, { passive: true, capture: true })
    document.addEventListener('visibilitychange', check)
    const timer = setInterval(check, IDLE_CHECK_INTERVAL_MS)
    return () => {
      for (const e of INPUT_EVENTS) window.removeEventListener(e, onInput, { capture: true })
      document.removeEventListener('visibilitychange', check)
      clearInterval(timer)
    }
  }, [operatorId, minutes])
}
