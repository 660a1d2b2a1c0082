/**
 * The shape of one contract call. Its own module so that api.ts and the per-domain contract files
 * it spreads in (payoutsApi.ts) declare calls the same way without importing each other.
 */
import type { z } from 'zod'

export interface CallSpec<I extends z.ZodType, O extends z.ZodType> {
  input: I
  output: O
  /** Changes state: needs an operator and lands in the audit log. */
  mutates: boolean
  /**
   * Callable by a window (the Electron renderer, a browser-mode connection) before anyone has
   * unlocked: the operator picker and the unlock itself. Every other call from a window needs an
   * unlocked operator.
   */
  whileLocked?: boolean
  summary: string
}

export function call<I extends z.ZodType, O extends z.ZodType>(spec: CallSpec<I, O>): CallSpec<I, O> {
  return spec
}
