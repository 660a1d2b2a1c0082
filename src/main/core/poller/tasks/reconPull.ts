/**
 * Poller task `recon.pull`: brings the rails' new records into reconciliation
 * (recon/pullRailRecords.ts) every few minutes — not every sweep: a pull reads a block window and
 * writes a statement file, and a controller needs the chain's records by the hour, not by the
 * block. The sandbox pulls faster, so a demo payout shows up beside its ledger posting while
 * someone watches. It runs after stripe.sync and stellar.payments in the sweep, so what they just
 * stored is pulled in the same sweep.
 *
 * A rail that cannot be read is logged by the pull and tried again at the next pull; the task
 * does not fail for it (that would back off the whole poller, whose evm.confirm task already
 * reports a node that is down). The throttle is memory only and measured on the monotonic clock:
 * a restart pulls at its first sweep.
 */
import { performance } from 'node:perf_hooks'
import { SYSTEM_ACTOR } from '../../context'
import type { RailsConfig } from '../../rails/evm/evmRailConfig'
import type { PollerTask } from '../createPoller'

export const RECON_PULL_TASK = 'recon.pull'
/** How often the poller pulls rail records into reconciliation. */
export const RECON_PULL_INTERVAL_MS = 5 * 60_000
/** The sandbox's local chains: soon enough to see a payout's line while looking. */
export const RECON_PULL_SANDBOX_INTERVAL_MS = 30_000

export interface ReconPullTaskOptions {
  intervalMs?: number
  /** Monotonic milliseconds; tests pass their own. */
  nowMs?: () => number
}

export function createReconPullTask(
  rails: { readonly config: RailsConfig },
  sandbox: boolean,
  options: ReconPullTaskOptions = {},
): PollerTask {
  const intervalMs = options.intervalMs ?? (sandbox ? RECON_PULL_SANDBOX_INTERVAL_MS : RECON_PULL_INTERVAL_MS)
  const nowMs = options.nowMs ?? (() => performance.now())
  let lastMs: number | null = null
  return {
    name: RECON_PULL_TASK,
    async run(ctx) {
      const now = nowMs()
      if (lastMs !== null && now - lastMs < intervalMs) return
      lastMs = now
      // Imported at the first pull: it reaches the rails' libraries, which a CLI command that never polls does not load.
      const { pullRailRecords } = await import('../../recon/pullRailRecords')
      await pullRailRecords(ctx, SYSTEM_ACTOR, { config: rails.config })
    },
  }
}
