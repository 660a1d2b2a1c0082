/**
 * TEST-ONLY (util/crashPoint.ts, testBreak): the engine made wrong on purpose, so the chaos
 * campaign can prove its oracle catches it. Never reached unless COUNTERSIGN_TEST_BREAK names it.
 */
import type { CoreContext } from '../../context'
import { applyVerdict } from './applyVerdict'
import type { ExecuteDeps } from './executeDeps'
import { openSubmissions } from './executionStore'

/** resign-instead-of-rebroadcast: every in-flight transaction is declared dead unlooked-at (a retry then re-signs). */
export async function breakResignInsteadOfRebroadcast(ctx: CoreContext, deps: ExecuteDeps): Promise<void> {
  for (const rail of deps.rails.all())
    for (const sub of await openSubmissions(ctx, rail.rail, rail.network))
      await applyVerdict(ctx, rail, sub, { kind: 'dead', reason: 'TEST BREAK: declared dead without a look-up', code: 'TEST_BREAK' })
}
