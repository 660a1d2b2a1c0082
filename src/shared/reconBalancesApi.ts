/**
 * The reconciliation calls of the contract, rail balance checks (issue 15, part 4): for every
 * treasury account with an address, the rail's own balance beside the ledger's — what the chain,
 * Horizon or Stripe says the account holds — and whether they agree.
 *
 * What is compared:
 * - EVM and Stellar ('wallet'): the address's balance of the asset on the network (ERC-20
 *   balanceOf or the native balance; Horizon's balance line, native XLM after every fee paid)
 *   against the treasury account's posted balance. Escrowed money is not in the wallet (the
 *   escrow contract, claimable balances) and not in the treasury account either.
 * - Stripe ('stripe-platform'): the platform balance in the asset's currency, available +
 *   pending, against the treasury account plus the Stripe escrow account of that asset. Pending
 *   counts because the ledger books money when it is the platform's, not when Stripe makes it
 *   spendable (a top-up or a charge waits in pending for days); escrow counts because Stripe
 *   escrows stay on the platform balance, tagged by transfer_group. connect_reserved is not
 *   counted.
 *
 * A check is stored only when its state or its figures changed since the account's previous one,
 * so the stored rows are the drift over time. Amounts are exact decimal strings with the asset's
 * scale; `difference` is rail − ledger (negative: the rail holds less than the books say).
 * Gathered into `calls` by ./api.ts.
 */
import { z } from 'zod'
import { DecimalString, Id, Rail } from './blocks'
import { call } from './callSpec'
import { RECON_BALANCE_ACCOUNTS_MAX } from './limits'

export const BALANCE_CHECK_STATES = ['matches', 'differs', 'unavailable'] as const
export const BalanceCheckState = z.enum(BALANCE_CHECK_STATES)
export type BalanceCheckState = z.infer<typeof BalanceCheckState>

/** How the rail's figure is made up (see the file comment). */
export const BalanceBasis = z.enum(['wallet', 'stripe-platform'])
export type BalanceBasis = z.infer<typeof BalanceBasis>

export const RailBalanceCheck = z.object({
  ledgerAccountId: Id,
  accountName: z.string(),
  assetId: z.string(),
  assetCode: z.string(),
  /** Decimals of the asset: every amount below has exactly this many. */
  scale: z.number().int().min(0),
  rail: Rail,
  network: z.string(),
  /** The account's address on its rail (Stripe: "stripe:platform"). */
  address: z.string(),
  basis: BalanceBasis,
  /** null: never checked yet. */
  state: BalanceCheckState.nullable(),
  /** The ledger's figure that was compared (Stripe: treasury + escrow). */
  ledgerBalance: DecimalString.nullable(),
  /** The rail's figure; null when it could not be read. */
  railBalance: DecimalString.nullable(),
  /** rail − ledger; null when the rail could not be read. */
  difference: DecimalString.nullable(),
  /** Why the check is 'unavailable', or what the rail said about a 'differs' (no trustline, no token contract). */
  problem: z.string().nullable(),
  /** When the state or the figures last changed (the latest stored check). */
  since: z.string().nullable(),
})
export type RailBalanceCheck = z.infer<typeof RailBalanceCheck>

export const RailBalances = z.object({
  /** When the balances were last checked (a check that found nothing new stores no row, only this). */
  checkedAt: z.string().nullable(),
  accounts: z.array(RailBalanceCheck).max(RECON_BALANCE_ACCOUNTS_MAX),
})
export type RailBalances = z.infer<typeof RailBalances>

export const reconBalanceCalls = {
  'recon.balances': call({
    summary: "Per treasury account, the latest check of the rail's own balance beside the ledger's, and when it last changed.",
    // Reads the stored checks only: no network.
    mutates: false,
    input: z.object({}).strict(),
    output: RailBalances,
  }),
  'recon.checkBalances': call({
    summary:
      "Read every treasury account's balance on its rail now and compare it with the ledger's; a change is stored, a new difference audited.",
    mutates: true,
    input: z.object({}).strict(),
    output: RailBalances.extend({
      /** Accounts whose check changed (a row was stored) by this run. */
      changed: z.array(Id),
    }),
  }),
} as const
