/** Parent side of the path registry: workload, follow-up and oracle per path. */
import type { CoreContext } from '../../../src/main/core/context'
import type { Rng } from '../prng'
import type { RunWorld } from '../world'
import { escrowPath } from './escrow'
import { payoutsPath } from './payouts'
import { receiptsPath } from './receipts'
import { stripeBankPath } from './stripeBank'
import type { ChaosPath } from './types'

export type ParentPath = ChaosPath & { followUp?(ctx: CoreContext, run: RunWorld, rng: Rng, workload: unknown): Promise<void> }

export const PATHS: Record<string, ParentPath> = {
  payouts: payoutsPath as unknown as ParentPath,
  escrow: escrowPath as unknown as ParentPath,
  receipts: receiptsPath as unknown as ParentPath,
  'stripe-bank': stripeBankPath as unknown as ParentPath,
}
