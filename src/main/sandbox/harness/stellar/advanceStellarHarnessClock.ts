/**
 * Moves a running Stellar harness's clock forward from another process (the CLI's
 * `sandbox clock`): POST /_harness/clock with { seconds }. The harness closes a ledger at the new
 * time, so claim predicates (an escrow's review window) and time bounds see it at once. Only the
 * harness answers this route; a real Horizon answers 404.
 */
import { HARNESS_CLOCK_ROUTE } from './stellarHarness'

/** How long the harness may take to close the ledger. */
const CLOCK_REQUEST_TIMEOUT_MS = 10_000

export interface HarnessClock {
  /** The harness clock after the move (ISO). */
  now: string
  /** The ledger closed at the new time. */
  ledger: number
  closedAt: string
}

export async function advanceStellarHarnessClock(harnessUrl: string, seconds: number): Promise<HarnessClock> {
  const res = await fetch(`${harnessUrl.replace(/\/+$/, '')}${HARNESS_CLOCK_ROUTE}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
    signal: AbortSignal.timeout(CLOCK_REQUEST_TIMEOUT_MS),
  })
  const body = (await res.json()) as { now?: string; ledger?: number; closed_at?: string; detail?: string }
  if (!res.ok) throw new Error(`the Stellar harness refused the clock move (${res.status}): ${body.detail ?? ''}`)
  return { now: body.now!, ledger: body.ledger!, closedAt: body.closed_at! }
}
