/**
 * Everything one core needs to execute payouts: its live rails, where the signer comes from, and
 * one lane — execute, retry and the start-up resume run one at a time per core, so two of them
 * never sign the same planned submission or fight over the device.
 */
import { hasErrorCode } from '../../../../shared/errors'
import type { CoreContext } from '../../context'
import { log } from '../../log'
import type { LiveRails } from '../../rails/createLiveRails'
import { signerUnavailable, type SignerSource } from '../../signing/signerSource'
import type { ExecuteDeps } from './executeDeps'
import { resumeOpen, type ResumeOpenReturnType } from './resumeOpen'

export interface ExecutionRuntime {
  readonly rails: LiveRails
  /** "Sandbox device emulator", "Ledger (USB)"; null when this core has no signer at all. */
  readonly signerLabel: string | null
  /** Rails + the signer; SIGNER_UNAVAILABLE when there is none (nothing connected). */
  depsWithSigner(): Promise<ExecuteDeps>
  /** Rails + the signer when one is reachable now, else rails only (sweeps never sign). */
  deps(): Promise<ExecuteDeps>
  /** Runs `fn` when every earlier execution job of this core has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>
  /** The start-up pass: resumeOpen once, in the lane. */
  resume(ctx: CoreContext): Promise<ResumeOpenReturnType>
  close(): Promise<void>
}

export function createExecutionRuntime(rails: LiveRails, signer: SignerSource | null): ExecutionRuntime {
  let lane: Promise<unknown> = Promise.resolve()

  async function depsWithSigner(): Promise<ExecuteDeps> {
    if (!signer) throw signerUnavailable()
    try {
      return { rails: await rails.load(), signer: await signer.get() }
    } catch (error) {
      // A device that is there but locked or busy says so in its own words (DEVICE_*).
      if (hasErrorCode(error, 'SIGNER_UNAVAILABLE') || hasErrorCode(error, 'DEVICE_NOT_FOUND')) throw signerUnavailable(error)
      throw error
    }
  }

  const runtime: ExecutionRuntime = {
    rails,
    signerLabel: signer?.label ?? null,
    depsWithSigner,
    async deps() {
      if (!signer) return { rails: await rails.load() }
      try {
        return { rails: await rails.load(), signer: await signer.get() }
      } catch (error) {
        log('info', 'no signer reachable; continuing without one', { error })
        return { rails: await rails.load() }
      }
    },
    exclusive<T>(fn: () => Promise<T>): Promise<T> {
      const run = lane.then(fn, fn)
      lane = run.catch(() => undefined)
      return run
    },
    resume(ctx) {
      return runtime.exclusive(async () => resumeOpen(ctx, await runtime.deps()))
    },
    async close() {
      await lane
      await signer?.close()
    },
  }
  return runtime
}
