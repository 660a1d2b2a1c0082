/**
 * One load at a time, plus at most one more after it: a burst of change events becomes at most
 * two loads, and the last one always sees the newest state. The Payouts, Escrow and
 * Reconciliation stores load through it.
 */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let inFlight: Promise<void> | null = null
  let again = false
  return () => {
    if (inFlight) {
      again = true
      return inFlight
    }
    inFlight = (async () => {
      try {
        do {
          again = false
          await run()
        } while (again)
      } finally {
        inFlight = null
      }
    })()
    return inFlight
  }
}
