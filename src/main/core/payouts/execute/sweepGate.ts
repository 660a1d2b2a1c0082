/**
 * The poller's "once per new block" gate. A full lookup of an EVM rail asks the node about every
 * open submission; doing that every few seconds while no block arrives re-reads the same answers.
 * So a gated sweep first asks the rail's cheap `head()` probe (EVM: the latest block's HASH — a
 * reorg can keep the height, never the hash) and skips the lookup when the head is the one of the
 * last full lookup. Three things force the lookup anyway:
 *
 * - something changed on OUR side since: a submission was signed, broadcast, confirmed or
 *   reorged (by this process or another one on the same workspace). The gate keeps a fingerprint
 *   of the submissions it looked up (ids and states, as read BEFORE the lookup); a different set
 *   means look again — a freshly broadcast transaction must be checked (and re-sent if the node
 *   lost it) without waiting for the next block. The sweep's own verdicts count as changes too:
 *   a block that changed something is followed by one more lookup at the same head. That costs
 *   one request per such block and spares us reasoning about which of our own writes (a reorged
 *   submission back to 'broadcast' must be re-sent) are safe to skip;
 * - the last full lookup is older than `lookupAgeMaxMs`: a transaction the node dropped from its
 *   pool must still be re-sent when no block comes at all (Anvil mines only when a transaction
 *   arrives; a quiet testnet may pause), and a lookup refused by a flaky node is retried;
 * - the rail has no `head` (Stellar, Stripe): every sweep looks up, as before.
 *
 * The gate is memory only, one per owner (each core's confirm task holds its own): losing it
 * costs one full lookup, never a missed payout. Time here is the process's monotonic clock, not
 * the core's business clock — it measures how stale a cache is, nothing that is booked.
 */
import { performance } from 'node:perf_hooks'

/** A full lookup at least this often even when no block arrives (see the file comment). */
export const SWEEP_LOOKUP_AGE_MAX_MS_DEFAULT = 30_000

export interface SweepGateOptions {
  lookupAgeMaxMs?: number
  /** Monotonic milliseconds; tests and benches pass their own. */
  nowMs?: () => number
}

export interface SweepGate {
  /** Whether a sweep that sees `head` and these submissions must run the full lookup. */
  mustLookUp(rail: SweptRail, head: string, fingerprint: string): boolean
  /** Records a full lookup that succeeded, for `head` and the submissions it looked at. */
  lookedUp(rail: SweptRail, head: string, fingerprint: string): void
}

/** The rail object a gate remembers lookups of (a payout Rail, an EscrowRail's reorg watch): identity only. */
export type SweptRail = object

interface LastLookup {
  head: string
  fingerprint: string
  atMs: number
}

export function createSweepGate(options: SweepGateOptions = {}): SweepGate {
  const ageMaxMs = options.lookupAgeMaxMs ?? SWEEP_LOOKUP_AGE_MAX_MS_DEFAULT
  const nowMs = options.nowMs ?? (() => performance.now())
  // Keyed by the rail object: settings.rails.set builds new rails, which start with a full lookup.
  const last = new WeakMap<SweptRail, LastLookup>()
  return {
    mustLookUp(rail, head, fingerprint) {
      const seen = last.get(rail)
      return seen === undefined || seen.head !== head || seen.fingerprint !== fingerprint || nowMs() - seen.atMs >= ageMaxMs
    },
    lookedUp(rail, head, fingerprint) {
      last.set(rail, { head, fingerprint, atMs: nowMs() })
    },
  }
}

/** Ids and states of the submissions a sweep would look up: any change on our side changes it. */
export function sweepFingerprint(submissions: readonly { id: string; state: string }[]): string {
  return submissions.map((s) => `${s.id}=${s.state}`).join('\n')
}
