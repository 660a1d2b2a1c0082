import type { Hold } from '../../../shared/ledgerApi'
import type { CoreContext } from '../context'
import { requireHoldRow, toHold } from './holdRows'

/** The hold, or HOLD_NOT_FOUND. */
export async function getHold(ctx: CoreContext, holdId: string): Promise<Hold> {
  return toHold(await requireHoldRow(ctx, holdId))
}
