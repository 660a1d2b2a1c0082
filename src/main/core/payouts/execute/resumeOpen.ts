/**
 * On start (and whenever asked): finish whatever a crash interrupted.
 * - 'signed' / 'broadcast' submissions: one sweep per rail looks them up and re-sends the SAME
 *   committed bytes where the network lost them; the poller continues until each is confirmed,
 *   failed, or provably dead. They are never re-signed.
 * - 'planned' submissions (a crash before their signature was committed): signed now, with the
 *   nonce and content stored at planning (see signAndBroadcast for why that is safe), then sent.
 *   Without a signer they wait; nothing later in the nonce order can land before them anyway.
 *   A batch someone holds a live claim on (claimBatch.ts: another desk is executing or resuming
 *   it right now) is left to them: this desk's device is not asked to sign what theirs is signing.
 */
import { SYSTEM_ACTOR, type CoreContext } from '../../context'
import { isDeviceRail } from '../../rails/Rail'
import type { ExecuteDeps, ExecuteOptions } from './executeDeps'
import { plannedSubmissions } from './executionStore'
import { signAndBroadcast, type SignAndBroadcastResult } from './signAndBroadcast'
import { sweepRail, type SweepResult } from './sweepRail'
import { liveClaims } from './claimBatch'
import { testBreak } from '../../util/crashPoint'
import { breakResignInsteadOfRebroadcast } from './testBreak'

export interface ResumeOpenReturnType {
  sweeps: SweepResult[]
  signing: SignAndBroadcastResult | null
  /** Planned submissions left unsigned because no signer was given. */
  waitingForSigner: number
}

export async function resumeOpen(ctx: CoreContext, deps: ExecuteDeps, options: ExecuteOptions = {}): Promise<ResumeOpenReturnType> {
  const sweeps: SweepResult[] = []
  if (testBreak('resign-instead-of-rebroadcast')) await breakResignInsteadOfRebroadcast(ctx, deps)
  for (const rail of deps.rails.all()) sweeps.push(await sweepRail(ctx, rail))
  const claimed = await liveClaims(ctx)
  const planned = (await plannedSubmissions(ctx)).filter((s) => !claimed.has(s.batch_id))
  if (planned.length === 0) return { sweeps, signing: null, waitingForSigner: 0 }
  if (!deps.signer) {
    // Device-free rails (Stripe) go on without a signer; the rest wait for one.
    const deviceFree = planned.filter((s) => {
      const rail = deps.rails.get(s.rail, s.network)
      return rail !== undefined && !isDeviceRail(rail)
    })
    if (deviceFree.length === 0) return { sweeps, signing: null, waitingForSigner: planned.length }
    const signing = await signAndBroadcast(ctx, deps, SYSTEM_ACTOR, deviceFree, options)
    return { sweeps, signing, waitingForSigner: planned.length - deviceFree.length }
  }
  const signing = await signAndBroadcast(ctx, deps, SYSTEM_ACTOR, planned, options)
  return { sweeps, signing, waitingForSigner: 0 }
}
