/**
 * Stripe Connect in the contract: Settings → Stripe (the secret key goes IN, only its last 4
 * characters ever come out), the Events sync status, bank payouts and the synced events. Spread
 * into the contract's `calls` (api.ts). Like every contract file it imports the building blocks and
 * the limits, never another contract file.
 */
import { z } from 'zod'
import { Empty, Problem, SecretProtection } from './blocks'
import { call } from './callSpec'
import {
  STRIPE_BALANCE_TXNS_LIST_MAX,
  STRIPE_BANK_PAYOUT_AMOUNT_CHARS_MAX,
  STRIPE_BANK_PAYOUT_DESCRIPTION_CHARS_MAX,
  STRIPE_EVENTS_LIST_MAX,
  STRIPE_SECRET_KEY_CHARS_MAX,
  STRIPE_SECRET_KEY_CHARS_MIN,
} from './limits'
import { SafeText } from './safeText'

export const StripeSettings = z.object({
  /** Stripe is in the rails configuration. */
  configured: z.boolean(),
  apiUrl: z.string().nullable(),
  key: z.object({
    present: z.boolean(),
    /** The only part of the key ever shown. */
    last4: z.string().nullable(),
    mode: z.enum(['test', 'live', 'unknown']).nullable(),
  }),
  /** What protects the key at rest here. */
  protection: SecretProtection,
  /** False: the key comes from the environment (CLI) and cannot be saved here. */
  writable: z.boolean(),
  /** Non-null: saving needs consent after this warning (Linux without a keyring). */
  weakProtectionWarning: z.string().nullable(),
})
export type StripeSettings = z.infer<typeof StripeSettings>

export const StripeSyncResult = z.object({
  events: z.number().int(),
  entries: z.number().int(),
  balanceTransactions: z.number().int(),
  recovered: z.number().int(),
})
export type StripeSyncResult = z.infer<typeof StripeSyncResult>

export const StripeBalanceLine = z.object({
  assetId: z.string(),
  /** Decimal text in the asset's units. */
  stripeAvailable: z.string(),
  stripePending: z.string(),
  /** The ledger's Stripe treasury account for the asset (null: none). */
  ledger: z.string().nullable(),
})

export const StripeStatus = z.object({
  settings: StripeSettings,
  sync: z.object({
    lastRunAt: z.string().nullable(),
    lastOkAt: z.string().nullable(),
    lastResult: StripeSyncResult.nullable(),
    lastError: Problem.nullable(),
  }),
  /** Read from Stripe now; null with `balanceProblem` when it cannot be read. */
  balances: z.array(StripeBalanceLine).nullable(),
  balanceProblem: Problem.nullable(),
})
export type StripeStatus = z.infer<typeof StripeStatus>

export const StripeBankPayout = z.object({
  key: z.string(),
  stripeId: z.string().nullable(),
  assetId: z.string(),
  amount: z.string(),
  description: z.string().nullable(),
  /** requested (no answer yet) | pending | in_transit | paid | failed | canceled | refused */
  status: z.string(),
  /** Which entries are posted: sent | paid | returned, or null. */
  booked: z.string().nullable(),
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type StripeBankPayout = z.infer<typeof StripeBankPayout>

export const StripeEventRow = z.object({
  id: z.string(),
  type: z.string(),
  objectId: z.string().nullable(),
  created: z.string(),
  summary: z.string(),
  bookedEntryId: z.string().nullable(),
})
export type StripeEventRow = z.infer<typeof StripeEventRow>

export const StripeBalanceTxn = z.object({
  id: z.string(),
  /** transfer, transfer_reversal (refund side), payout, payout_failure, payout_cancel, charge, … */
  type: z.string(),
  assetId: z.string(),
  /** Signed, decimal text in the asset's units: negative leaves the platform balance. */
  amount: z.string(),
  fee: z.string(),
  net: z.string(),
  /** The object it belongs to: tr_…, po_…, trr_…, ch_… */
  source: z.string().nullable(),
  created: z.string(),
})
export type StripeBalanceTxn = z.infer<typeof StripeBalanceTxn>

export const stripeCalls = {
  'settings.stripe.get': call({
    summary: 'Stripe settings: configured API, whether a key is stored (last 4 characters only) and what protects it.',
    mutates: false,
    input: Empty,
    output: StripeSettings,
  }),
  'settings.stripe.setKey': call({
    summary: 'Save the Stripe secret key (admin). It is checked against Stripe first when Stripe is configured; never shown again.',
    mutates: true,
    input: z
      .object({
        secretKey: z.string().trim().min(STRIPE_SECRET_KEY_CHARS_MIN).max(STRIPE_SECRET_KEY_CHARS_MAX),
        /** The person accepted weakProtectionWarning. */
        acceptWeakProtection: z.boolean().optional(),
      })
      .strict(),
    output: StripeSettings,
  }),
  'settings.stripe.clearKey': call({
    summary: 'Remove the stored Stripe secret key (admin).',
    mutates: true,
    input: Empty,
    output: StripeSettings,
  }),
  'stripe.status': call({
    summary: 'Stripe at a glance: settings, the last Events sync, and the platform balance beside the ledger.',
    mutates: false,
    input: Empty,
    output: StripeStatus,
  }),
  'stripe.sync': call({
    summary: 'Sync Stripe now (the poller also does it): events, bank payouts and balance transactions, booked in the ledger.',
    mutates: true,
    input: Empty,
    output: StripeSyncResult,
  }),
  'stripe.events.list': call({
    summary: 'Stripe events the sync applied, newest first, with what each booked.',
    mutates: false,
    input: z.object({ limit: z.number().int().min(1).max(STRIPE_EVENTS_LIST_MAX).optional() }).strict(),
    output: z.array(StripeEventRow),
  }),
  'stripe.balanceTransactions.list': call({
    summary: "Stripe's balance transactions as the sync stored them (every movement of the platform balance), newest first.",
    mutates: false,
    input: z.object({ limit: z.number().int().min(1).max(STRIPE_BALANCE_TXNS_LIST_MAX).optional() }).strict(),
    output: z.array(StripeBalanceTxn),
  }),
  'stripe.bankPayouts.list': call({
    summary: 'Payouts from the Stripe platform balance to its bank, newest first, with their status and booking.',
    mutates: false,
    input: Empty,
    output: z.array(StripeBankPayout),
  }),
  'stripe.bankPayouts.create': call({
    summary: 'Pay out from the Stripe platform balance to its bank (admin), with our own idempotency key.',
    mutates: true,
    input: z
      .object({
        assetId: z.string().regex(/^[A-Z]{3}@stripe$/, 'must be a Stripe asset such as USD@stripe'),
        amount: z.string().min(1).max(STRIPE_BANK_PAYOUT_AMOUNT_CHARS_MAX),
        description: SafeText(STRIPE_BANK_PAYOUT_DESCRIPTION_CHARS_MAX, { charsMin: 0, trim: false }).optional(),
      })
      .strict(),
    output: StripeBankPayout,
  }),
} as const
