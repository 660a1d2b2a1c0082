/**
 * The reconciliation calls of the contract: pulling the rails' own records in (issue 15). Stripe
 * balance transactions, Stellar operations and fees, EVM token transfers, native payouts and gas
 * are stored once each as statement lines (format 'stripe' | 'stellar' | 'evm'), so they match
 * against the ledger like any bank statement's lines. Stripe and Stellar come from what the
 * poller already keeps (offline too); EVM reads the chain from where the last pull stopped.
 * A rail that cannot be read answers with its problem; the others are still stored.
 * Gathered into `calls` by ./api.ts.
 */
import { z } from 'zod'
import { Id, Rail } from './blocks'
import { call } from './callSpec'
import { ERROR_CODES } from './errors'

export const RailPullResult = z.object({
  rail: Rail,
  /** The chain id, the Stellar network, or 'stripe'. */
  network: z.string(),
  /** Rail records read this pull that were not stored before (a Stripe fee makes one record two lines). */
  records: z.number().int(),
  /** Statement lines stored. */
  lines: z.number().int(),
  /** The statement file of what was new; null when nothing was. */
  fileId: Id.nullable(),
  /** Why this rail could not be read now (a node down, a rail not configured); null when it was. */
  problem: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).nullable(),
})
export type RailPullResult = z.infer<typeof RailPullResult>

export const reconPullCalls = {
  'recon.pull': call({
    summary:
      'Store the rails’ new records (Stripe balance transactions, Stellar operations, EVM transfers and gas) as statement lines, once each.',
    mutates: true,
    input: z.object({ rails: z.array(Rail).min(1).max(3).optional() }).strict(),
    output: z.object({ pulls: z.array(RailPullResult) }),
  }),
} as const
