import type { Hold } from '../../../shared/ledgerApi'
import type { CoreContext } from '../context'
import { requireHoldRow, toHold } from './holdRows'

/** The hold, or HOLD_NOT_FOUND. */
export function getHold(ctx: CoreContext, holdId: string): Hold {
  return toHold(requireHoldRow(ctx, holdId))
}
