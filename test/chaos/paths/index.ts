/** Child side of the path registry (kept free of the parent's harness imports). */
import { escrowChildSteps } from './escrowChild'
import { payoutsChildSteps } from './payoutsChild'
import { receiptsChildSteps } from './receiptsChild'
import { stripeBankChildSteps } from './stripeBankChild'
import type { ChildStep } from './types'

const steps: Record<string, ChildStep[]> = {
  payouts: payoutsChildSteps,
  escrow: escrowChildSteps,
  receipts: receiptsChildSteps,
  'stripe-bank': stripeBankChildSteps,
}

export const PATH_NAMES = Object.keys(steps)

export function childSteps(path: string): ChildStep[] {
  const s = steps[path]
  if (!s) throw new Error(`unknown chaos path "${path}" (known: ${PATH_NAMES.join(', ')})`)
  return s
}
