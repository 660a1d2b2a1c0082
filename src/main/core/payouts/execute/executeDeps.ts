/**
 * What the execution engine needs besides the core context: the configured rails and the signer
 * (the Ledger; the device emulator in the sandbox and tests). Injected, so the CLI, the app and
 * tests run the same engine.
 */
import type { RailRegistry } from '../../rails/Rail'
import type { Signer } from '../../signing/Signer'

export interface ExecuteDeps {
  rails: RailRegistry
  /** Needed to sign; a sweep that only confirms (the poller) runs without one. */
  signer?: Signer
}

export type ExecuteProgress =
  | { kind: 'planned'; chunks: number; message: string }
  | { kind: 'signing'; chunk: number; chunks: number; message: string }
  | { kind: 'broadcast'; chunk: number; chunks: number; message: string }

export interface ExecuteOptions {
  onProgress?: (progress: ExecuteProgress) => void
  /** Plan only: the transactions are signed outside the app and imported (externalSigning.ts). */
  external?: boolean
  /**
   * What the device is called in prompts: "your Ledger" unless told otherwise (the sandbox says
   * "the Sandbox device emulator"). The engine words its messages itself; nobody rewrites them.
   */
  deviceName?: string
}

export function reportProgress(options: ExecuteOptions, progress: ExecuteProgress): void {
  try {
    options.onProgress?.(progress)
  } catch {
    // A broken progress listener (a closed window) must never stop a payout half-way.
  }
}
