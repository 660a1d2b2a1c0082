/**
 * The payees calls of the contract: the address book seen as people and companies, not as
 * ledger accounts. A payee gathers its payee accounts (one per asset) under one name, with its
 * addresses per rail, its totals per asset (the accounts' balances, exact) and its payouts.
 * Like every contract file it imports the building blocks and the limits, never another one.
 */
import { z } from 'zod'
import { DecimalString, Empty, IsoTimestamp, PayoutState, Rail } from './blocks'
import { call } from './callSpec'
import { ID_CHARS_MAX, LIST_ROWS_MAX } from './limits'

/** Longest payee key: a name or an address, folded (see src/main/core/payees/payeeKey.ts). */
export const PAYEE_KEY_CHARS_MAX = 2 * ID_CHARS_MAX

export const PayeeAddress = z.object({
  rail: Rail,
  network: z.string(),
  /** As shown: EIP-55 on EVM, exactly as stored on Stellar and Stripe. */
  address: z.string(),
})
export type PayeeAddress = z.infer<typeof PayeeAddress>

export const PayeeTotal = z.object({
  assetId: z.string(),
  assetCode: z.string(),
  rail: Rail,
  network: z.string(),
  scale: z.number().int(),
  /** Sum of the payee's account balances in this asset: what was booked to it, net. */
  paidOut: DecimalString,
  /** Held for it in escrow, not yet released (pending holds on its accounts). */
  pending: DecimalString,
})
export type PayeeTotal = z.infer<typeof PayeeTotal>

export const Payee = z.object({
  key: z.string(),
  name: z.string(),
  /** True when an operator opened at least one of its accounts (the address book); false when only the engine did. */
  inAddressBook: z.boolean(),
  addresses: z.array(PayeeAddress),
  totals: z.array(PayeeTotal),
  accountIds: z.array(z.string()),
  payouts: z.number().int(),
  lastPaidAt: IsoTimestamp.nullable(),
})
export type Payee = z.infer<typeof Payee>

export const PayeeAccount = z.object({
  id: z.string(),
  name: z.string(),
  assetId: z.string(),
  assetCode: z.string(),
  scale: z.number().int(),
  address: z.string().nullable(),
  balance: DecimalString,
  /** Opened by the engine on a first payment ("payee:<asset>:<address>"), not from the address book. */
  auto: z.boolean(),
})
export type PayeeAccount = z.infer<typeof PayeeAccount>

export const PayeePayout = z.object({
  payoutId: z.string(),
  batchId: z.string(),
  batchName: z.string().nullable(),
  assetId: z.string(),
  assetCode: z.string(),
  scale: z.number().int(),
  amount: DecimalString,
  recipient: z.string(),
  state: PayoutState,
  entryId: z.string().nullable(),
  updatedAt: IsoTimestamp,
})
export type PayeePayout = z.infer<typeof PayeePayout>

export const payeeCalls = {
  'payees.list': call({
    summary: 'Payees: the address book and every payee paid, one line each with addresses and totals per asset.',
    mutates: false,
    input: Empty,
    output: z.array(Payee),
  }),
  'payees.get': call({
    summary: 'One payee: its accounts and its payouts, newest first.',
    mutates: false,
    input: z.object({ key: z.string().min(1).max(PAYEE_KEY_CHARS_MAX) }).strict(),
    output: z.object({ payee: Payee, accounts: z.array(PayeeAccount), payouts: z.array(PayeePayout), payoutsMax: z.number().int() }),
  }),
} as const

/** Payouts listed for one payee (the newest); the rest are in the payouts view and the exports. */
export const PAYEE_PAYOUTS_MAX = LIST_ROWS_MAX
