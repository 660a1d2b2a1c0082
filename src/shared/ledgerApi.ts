/**
 * The ledger calls of the contract: the assets registry, accounts, balances, journal entries and
 * holds — and the details their errors may carry across the wire. Gathered into `calls` and
 * `errorDetails` by ./api.ts; like every contract file it imports the building blocks and the
 * limits, never another contract file.
 */
import { z } from 'zod'
import { AccountKind, DecimalString, Empty, HoldState, Id, IsoDate, IsoTimestamp, Rail, Ref } from './blocks'
import { call } from './callSpec'
import type { ErrorCode } from './errors'
import {
  ACCOUNT_NAME_CHARS_MAX,
  ADDRESS_CHARS_MAX,
  ASSET_NAME_CHARS_MAX,
  ENTRIES_PER_CALL_MAX,
  ENTRY_DESCRIPTION_CHARS_MAX,
  ERROR_DETAILS_TEXT_CHARS_MAX,
  ID_CHARS_MAX,
  ISSUER_CHARS_MAX,
  LIST_ROWS_MAX,
  METADATA_KEY_CHARS_MAX,
  METADATA_VALUE_CHARS_MAX,
  NETWORK_CHARS_MAX,
  POSTINGS_PER_ENTRY_MAX,
} from './limits'
import { SCALE_MAX } from './money'
import { SafeText } from './safeText'

export const Asset = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  scale: z.number().int(),
  rail: Rail,
  network: z.string(),
  /** ERC-20 contract, Stellar issuer; null for native assets and fiat. */
  issuer: z.string().nullable(),
})
export type Asset = z.infer<typeof Asset>

export const Account = z.object({
  id: z.string(),
  name: z.string(),
  kind: AccountKind,
  assetId: z.string(),
  address: z.string().nullable(),
  allowNegative: z.boolean(),
  createdAt: IsoTimestamp,
})
export type Account = z.infer<typeof Account>

export const Balance = z.object({
  accountId: z.string(),
  accountName: z.string(),
  kind: AccountKind,
  assetId: z.string(),
  assetCode: z.string(),
  scale: z.number().int(),
  debitsPosted: DecimalString,
  creditsPosted: DecimalString,
  debitsPending: DecimalString,
  creditsPending: DecimalString,
  /** Posted balance on the account's normal side (debit for assets and expenses, credit for external). */
  balance: DecimalString,
  /** Balance less what pending holds could take out of it. */
  available: DecimalString,
})
export type Balance = z.infer<typeof Balance>

export const AssetSummary = z.object({
  assetId: z.string(),
  assetCode: z.string(),
  network: z.string(),
  rail: Rail,
  scale: z.number().int(),
  treasury: DecimalString,
  treasuryAvailable: DecimalString,
  escrow: DecimalString,
  paidOut: DecimalString,
  fees: DecimalString,
  /** Every account of the asset, payee accounts included. */
  accounts: z.number().int(),
  /** Of those, payee accounts (one per payee and asset): the dashboard shows them as payees, not one by one. */
  payeeAccounts: z.number().int(),
})
export type AssetSummary = z.infer<typeof AssetSummary>

export const PostingInput = z
  .object({
    account: Ref,
    debit: DecimalString.optional(),
    credit: DecimalString.optional(),
  })
  .strict()
  .refine((p) => (p.debit === undefined) !== (p.credit === undefined), 'give exactly one of debit or credit')
export type PostingInput = z.infer<typeof PostingInput>

export const EntryInput = z
  .object({
    id: Ref,
    date: IsoDate.optional(),
    description: SafeText(ENTRY_DESCRIPTION_CHARS_MAX, { trim: false }),
    postings: z.array(PostingInput).min(2).max(POSTINGS_PER_ENTRY_MAX),
    metadata: z
      .record(
        SafeText(METADATA_KEY_CHARS_MAX, { charsMin: 0, trim: false }),
        SafeText(METADATA_VALUE_CHARS_MAX, { charsMin: 0, trim: false }),
      )
      .optional(),
  })
  .strict()
export type EntryInput = z.infer<typeof EntryInput>

export const Posting = z.object({
  accountId: z.string(),
  assetId: z.string(),
  /** Signed minor units as a decimal string in asset units: positive = debit, negative = credit. */
  amount: DecimalString,
  debit: DecimalString.nullable(),
  credit: DecimalString.nullable(),
})
export type Posting = z.infer<typeof Posting>

export const Entry = z.object({
  id: z.string(),
  seq: z.number().int(),
  date: IsoDate,
  kind: z.string(),
  description: z.string(),
  createdAt: IsoTimestamp,
  createdBy: z.string(),
  metadata: z.record(z.string(), z.string()),
  postings: z.array(Posting),
})
export type Entry = z.infer<typeof Entry>

export const Hold = z.object({
  id: z.string(),
  debitAccountId: z.string(),
  creditAccountId: z.string(),
  assetId: z.string(),
  amount: DecimalString,
  postedAmount: DecimalString,
  state: HoldState,
  description: z.string(),
  expiresAt: IsoTimestamp.nullable(),
  createdAt: IsoTimestamp,
  resolvedAt: IsoTimestamp.nullable(),
})
export type Hold = z.infer<typeof Hold>

const Page = { limit: z.number().int().min(1).max(LIST_ROWS_MAX).optional(), beforeSeq: z.number().int().min(1).optional() }

// ---------------------------------------------------------------------------------------------
// Calls.

export const ledgerCalls = {
  'assets.list': call({ summary: 'The assets registry.', mutates: false, input: Empty, output: z.array(Asset) }),
  'assets.add': call({
    summary: 'Register an asset with its scale (admin).',
    mutates: true,
    input: z
      .object({
        id: Ref.optional(),
        code: z.string().regex(/^[A-Z0-9]{1,12}$/, 'use 1–12 capital letters or digits, e.g. USDC'),
        name: SafeText(ASSET_NAME_CHARS_MAX, { trim: false }).optional(),
        scale: z.number().int().min(0).max(SCALE_MAX),
        rail: Rail,
        network: z
          .string()
          .min(1)
          .max(NETWORK_CHARS_MAX)
          .regex(/^[a-z0-9:-]+$/, 'use lower-case letters, digits, ":" and "-"'),
        issuer: z.string().min(1).max(ISSUER_CHARS_MAX).optional(),
      })
      .strict(),
    output: Asset,
  }),

  'ledger.accounts.list': call({
    summary: 'Ledger accounts, optionally by kind or asset.',
    mutates: false,
    input: z.object({ kind: AccountKind.optional(), assetId: z.string().optional() }).strict(),
    output: z.array(Account),
  }),
  'ledger.accounts.add': call({
    summary: 'Open a ledger account for one asset (admin).',
    mutates: true,
    input: z
      .object({
        id: Ref,
        name: SafeText(ACCOUNT_NAME_CHARS_MAX),
        kind: AccountKind,
        assetId: Id,
        address: z.string().min(1).max(ADDRESS_CHARS_MAX).optional(),
        allowNegative: z.boolean().optional(),
      })
      .strict(),
    output: Account,
  }),
  'ledger.balances': call({
    summary: 'Balances per account (exact decimal strings).',
    mutates: false,
    input: z.object({ assetId: z.string().optional(), kind: AccountKind.optional() }).strict(),
    output: z.array(Balance),
  }),
  'ledger.summary': call({
    summary: 'Totals per asset for the dashboard.',
    mutates: false,
    input: Empty,
    output: z.array(AssetSummary),
  }),
  'ledger.entries.list': call({
    summary: 'Journal entries, newest first.',
    mutates: false,
    input: z.object({ accountId: z.string().optional(), ...Page }).strict(),
    output: z.object({ entries: z.array(Entry), nextBeforeSeq: z.number().int().nullable() }),
  }),
  'ledger.entries.post': call({
    summary: 'Post manual journal entries (opening balances, adjustments) atomically (admin).',
    mutates: true,
    input: z.object({ entries: z.array(EntryInput).min(1).max(ENTRIES_PER_CALL_MAX) }).strict(),
    output: z.object({ posted: z.array(z.string()), replayed: z.array(z.string()) }),
  }),
  'ledger.holds.list': call({
    summary: 'Holds (two-phase transfers), optionally by state.',
    mutates: false,
    input: z.object({ state: HoldState.optional(), ...Page }).strict(),
    output: z.array(Hold),
  }),
} as const

// ---------------------------------------------------------------------------------------------
// Error details: what a ledger error may carry across the wire (everything else is dropped).

const Text = z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX)
const EntryRef = {
  /** The entry's id as given (entries.post) and its 0-based place in the call. */
  entryId: z
    .string()
    .max(ID_CHARS_MAX * 2)
    .optional(),
  entryIndex: z.number().int().min(0).optional(),
  /** The input field at fault: "description", "postings[2].account", "metadata.k". */
  field: Text.optional(),
}
/** Where an entry went wrong; ENTRY_UNBALANCED adds the asset and the difference. */
export const EntryErrorDetails = z.object({ ...EntryRef, assetId: Text.optional(), difference: DecimalString.optional() })
export const FundsErrorDetails = z.object({
  ...EntryRef,
  holdId: Text.optional(),
  accountId: Text,
  /** What the account had available, and what the entry or hold needed (decimal, the asset's units). */
  available: DecimalString,
  needed: DecimalString,
})
/** BALANCE_RANGE: the entry (or hold) and the account whose balance would pass uint256. */
export const RangeErrorDetails = z.object({ ...EntryRef, holdId: Text.optional(), accountId: Text })
export const HoldErrorDetails = z.object({
  holdId: Text,
  field: Text.optional(),
  state: HoldState.optional(),
  expiresAt: IsoTimestamp.optional(),
  held: DecimalString.optional(),
  requested: DecimalString.optional(),
})

export const ledgerErrorDetails = {
  ENTRY_INVALID: EntryErrorDetails,
  ENTRY_UNBALANCED: EntryErrorDetails,
  ENTRY_CONFLICT: EntryErrorDetails,
  ACCOUNT_NOT_FOUND: EntryErrorDetails,
  AMOUNT_INVALID: EntryErrorDetails,
  AMOUNT_PRECISION: EntryErrorDetails,
  AMOUNT_RANGE: EntryErrorDetails,
  INSUFFICIENT_FUNDS: FundsErrorDetails,
  BALANCE_RANGE: RangeErrorDetails,
  HOLD_CONFLICT: HoldErrorDetails,
  HOLD_AMOUNT_EXCEEDED: HoldErrorDetails,
  HOLD_ALREADY_RESOLVED: HoldErrorDetails,
  HOLD_EXPIRED: HoldErrorDetails,
} as const satisfies Partial<Record<ErrorCode, z.ZodType>>
