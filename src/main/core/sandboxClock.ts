/**
 * A sandbox workspace's clock can be moved forward (`countersign sandbox clock --advance 5h`), so
 * a demo or an end-to-end test can pass an escrow's review window without waiting days. The
 * offset is kept in the workspace's meta table, so the CLI and a running sandbox app agree; the
 * running core reads it again on every poller sweep. A real workspace never reads it: its clock
 * is the system's. Sessions (the idle lock) keep the unshifted clock, so moving the demo's clock
 * does not lock the person out.
 */
import type { Clock, CoreContext } from './context'

export const SANDBOX_CLOCK_META_KEY = 'sandbox_clock_offset_ms'
/** At most a year forward at once. */
export const SANDBOX_CLOCK_ADVANCE_MS_MAX = 366 * 24 * 3_600_000

export interface ShiftableClock extends Clock {
  offsetMs: number
}

export function shiftableClock(base: Clock): ShiftableClock {
  const clock: ShiftableClock = {
    offsetMs: 0,
    now: () => new Date(base.now().getTime() + clock.offsetMs),
  }
  return clock
}

export async function readSandboxClockOffset(ctx: CoreContext): Promise<number> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('meta').select('value').where('key', '=', SANDBOX_CLOCK_META_KEY))
  const ms = row ? Number(row.value) : 0
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : 0
}

/** Moves the sandbox's clock forward by `ms`; returns the new offset. */
export async function advanceSandboxClock(ctx: CoreContext, ms: number): Promise<number> {
  return await ctx.db.tx(async () => {
    const next = (await readSandboxClockOffset(ctx)) + ms
    const exists = await ctx.db.first(ctx.db.k.selectFrom('meta').select('key').where('key', '=', SANDBOX_CLOCK_META_KEY))
    if (exists)
      await ctx.db.run(
        ctx.db.k
          .updateTable('meta')
          .set({ value: String(next) })
          .where('key', '=', SANDBOX_CLOCK_META_KEY),
      )
    else await ctx.db.run(ctx.db.k.insertInto('meta').values({ key: SANDBOX_CLOCK_META_KEY, value: String(next) }))
    return next
  })
}
