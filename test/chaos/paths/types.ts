/**
 * A money path in the campaign is a module: a workload generator and an oracle (parent side,
 * ChaosPath) and the steps a person and the app take in each phase (child side, ChildStep).
 * Payouts is the first; escrow and receipts are added as paths/escrow*.ts, paths/receipts*.ts and
 * one line each in paths/index.ts and paths/parent.ts.
 */
import type { CoreContext } from '../../../src/main/core/context'
import type { ExecuteDeps } from '../../../src/main/core/payouts/execute'
import type { EscrowRailRegistry } from '../../../src/main/core/rails/EscrowRail'
import type { ChildConfig } from '../childConfig'
import type { Rng } from '../prng'
import type { RailName, RunWorld } from '../world'

/** What the child lends a step: the payout rails and the device, the escrow rails, the workspace folder. */
export interface ChildDeps extends ExecuteDeps {
  escrowRails: EscrowRailRegistry
  dataDir: string
}

export interface ChildStep {
  name: string
  /**
   * When the child takes it: 'start' (a person's click after the app started; the default),
   * 'sweep' (a poller task, after every sweep round), 'end' (a person's last act of the phase).
   * Two paths sharing a step (same name) take it once.
   */
  at?: 'start' | 'sweep' | 'end'
  /**
   * A 'start' step also run before every sweep round after the first (a person watching the page
   * who clicks the next button as soon as it can be clicked); otherwise once per phase.
   */
  everyRound?: boolean
  /** A number: how many things the step still waits for (the phase keeps sweeping while any does). */
  run(ctx: CoreContext, deps: ChildDeps, config: ChildConfig): Promise<number | void>
}

/** What the oracle found wrong, each a sentence naming the object. */
export interface Findings {
  duplicates: string[]
  lost: string[]
  stuck: string[]
  /** Ledger ≠ rail, audit chain broken, a later payout blocked, … */
  other: string[]
  /** Objects checked, per rail. */
  checked: Partial<Record<RailName, number>>
}

export interface ChaosPath<W = unknown> {
  name: string
  /** Draws the workload from rng and writes it into the fresh workspace. */
  setup(ctx: CoreContext, run: RunWorld, rng: Rng): Promise<W>
  /** After the run is quiet: reads the rails themselves and the workspace. */
  oracle(ctx: CoreContext, run: RunWorld, workload: W): Promise<Findings>
  /** Faults the path itself made happen (e.g. in its follow-up), by kind, for the report. */
  fired?(workload: W): Record<string, number>
  /** Between faulty phases: what happens on the rails meanwhile (rng: the path's own stream); returns events fired, by kind. */
  afterPhase?(run: RunWorld, rng: Rng, workload: W): Promise<Record<string, number>>
  /** Whether a person or the app still has something to do on this path now (default: nothing). */
  busy?(ctx: CoreContext, workload: W): Promise<boolean>
}
