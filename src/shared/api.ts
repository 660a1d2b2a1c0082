/**
 * The contract: every call and event between the renderer (or CLI, or tests) and the core,
 * declared once. Main binds these to IPC, browser mode to a WebSocket, the CLI calls them
 * directly; all take their types from here. Amounts cross as decimal strings, never numbers.
 */
import { z } from 'zod'
import { call } from './callSpec'
import { ERROR_CODES } from './errors'
import { payoutCalls } from './payoutsApi'
import { signerCalls } from './signersApi'
import { stripeCalls } from './stripeApi'

// ---------------------------------------------------------------------------------------------
// Limits (units last in the name).

/** Largest request a transport accepts, measured as UTF-8 JSON. */
export const PAYLOAD_BYTES_MAX = 4 * 1024 * 1024
/** Journal entries in one ledger.entries.post call (one DB transaction). */
export const ENTRIES_PER_CALL_MAX = 10_000
/** Postings in one journal entry. */
export const POSTINGS_PER_ENTRY_MAX = 1_000
/** Rows one list call returns at most. */
export const LIST_ROWS_MAX = 1_000

// ---------------------------------------------------------------------------------------------
// Building blocks.

export const ROLES = ['preparer', 'approver', 'signer', 'admin'] as const
export const Role = z.enum(ROLES)
export type Role = z.infer<typeof Role>

export const ACCOUNT_KINDS = ['treasury', 'payee', 'clearing', 'fees', 'escrow', 'external'] as const
export const AccountKind = z.enum(ACCOUNT_KINDS)
export type AccountKind = z.infer<typeof AccountKind>

export const RAILS = ['evm', 'stellar', 'stripe'] as const
export const Rail = z.enum(RAILS)
export type Rail = z.infer<typeof Rail>

export const HOLD_STATES = ['pending', 'posted', 'partially_posted', 'voided', 'expired'] as const
export const HoldState = z.enum(HOLD_STATES)
export type HoldState = z.infer<typeof HoldState>

/** Ids chosen by people or upstream systems (entry ids, account ids, CSV payout ids). */
export const Ref = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, 'use letters, digits and . _ : / @ - (no spaces), starting with a letter or digit')
/** A decimal amount as a string, signed or not; exactness is checked against the asset's scale in the core. */
export const DecimalString = z
  .string()
  .min(1)
  .max(120)
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number such as 12.50')
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
export const IsoTimestamp = z.string()

export const Operator = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(Role),
  createdAt: IsoTimestamp,
})
export type Operator = z.infer<typeof Operator>

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
  accounts: z.number().int(),
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
    description: z.string().min(1).max(500),
    postings: z.array(PostingInput).min(2).max(POSTINGS_PER_ENTRY_MAX),
    metadata: z.record(z.string().max(64), z.string().max(500)).optional(),
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

export const AuditRow = z.object({
  seq: z.number().int(),
  at: IsoTimestamp,
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  change: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
})
export type AuditRow = z.infer<typeof AuditRow>

export const AuditVerification = z.object({
  ok: z.boolean(),
  rowsChecked: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string(),
  firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
})
export type AuditVerification = z.infer<typeof AuditVerification>

const Page = { limit: z.number().int().min(1).max(LIST_ROWS_MAX).optional(), beforeSeq: z.number().int().min(1).optional() }
const Empty = z.object({}).strict()

// ---------------------------------------------------------------------------------------------
// Calls.

export const calls = {
  'app.info': call({
    summary: 'Version, data location and mode of this workspace.',
    mutates: false,
    input: Empty,
    output: z.object({
      version: z.string(),
      dataDir: z.string(),
      schemaVersion: z.string(),
      sandbox: z.boolean(),
      transport: z.enum(['electron', 'web', 'direct']),
    }),
  }),

  'operators.list': call({
    summary: 'Operator profiles of this workspace.',
    mutates: false,
    input: Empty,
    output: z.array(Operator),
  }),
  'operators.add': call({
    summary: 'Add an operator profile (admin; the very first one may be added by anyone).',
    mutates: true,
    input: z.object({ name: z.string().trim().min(1).max(80), roles: z.array(Role).min(1).max(ROLES.length) }).strict(),
    output: Operator,
  }),

  'assets.list': call({ summary: 'The assets registry.', mutates: false, input: Empty, output: z.array(Asset) }),
  'assets.add': call({
    summary: 'Register an asset with its scale (admin).',
    mutates: true,
    input: z
      .object({
        id: Ref.optional(),
        code: z.string().regex(/^[A-Z0-9]{1,12}$/, 'use 1–12 capital letters or digits, e.g. USDC'),
        name: z.string().min(1).max(80).optional(),
        scale: z.number().int().min(0).max(36),
        rail: Rail,
        network: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[a-z0-9:-]+$/, 'use lower-case letters, digits, ":" and "-"'),
        issuer: z.string().min(1).max(128).optional(),
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
        name: z.string().trim().min(1).max(120),
        kind: AccountKind,
        assetId: z.string().min(1),
        address: z.string().min(1).max(128).optional(),
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

  'audit.list': call({
    summary: 'Audit log rows, newest first.',
    mutates: false,
    input: z.object({ subject: z.string().optional(), ...Page }).strict(),
    output: z.object({ rows: z.array(AuditRow), nextBeforeSeq: z.number().int().nullable() }),
  }),
  'audit.verify': call({
    summary: 'Recompute the hash chain and report the first broken row.',
    mutates: false,
    input: Empty,
    output: AuditVerification,
  }),

  ...payoutCalls,
  ...signerCalls,
  ...stripeCalls,
} as const

export type Calls = typeof calls
export type CallName = keyof Calls
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>
export type CallOutput<K extends CallName> = z.output<Calls[K]['output']>

export const CALL_NAMES = Object.keys(calls) as CallName[]
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name)
}

/** Who is making a call. Operators are local profiles chosen at the desk, not credentials. */
export const CallMeta = z.object({ operatorId: z.string().min(1).max(128).optional() }).strict()
export type CallMeta = z.infer<typeof CallMeta>

export const ErrorPayloadSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() })
export type Result<T> = { ok: true; data: T } | { ok: false; error: z.infer<typeof ErrorPayloadSchema> }

// ---------------------------------------------------------------------------------------------
// Events (core -> every window). Payloads are small notifications; views re-query.

export const events = {
  'ledger.changed': z.object({ accountIds: z.array(z.string()) }),
  'audit.appended': z.object({ seq: z.number().int(), action: z.string(), actor: z.string() }),
  'operators.changed': z.object({}),
  'batches.changed': z.object({ batchId: z.string() }),
  /** Payouts of these batches changed execution state (planned, signed, broadcast, confirmed, failed). */
  'payouts.changed': z.object({ batchIds: z.array(z.string()) }),
  /**
   * Execution of one batch moved on: 'planned' (chunk null), then per chunk 'signing' (confirm on
   * the device) and 'broadcast'. `message` is the sentence to show.
   */
  'execution.progress': z.object({
    batchId: z.string(),
    kind: z.enum(['planned', 'signing', 'broadcast']),
    /** 1-based chunk number; null for 'planned'. */
    chunk: z.number().int().min(1).nullable(),
    chunks: z.number().int().min(0),
    message: z.string(),
  }),
  /**
   * The start-up pass that finishes what a crash interrupted (re-send signed submissions with
   * their SAME bytes, sign planned ones) ended. ok=false: it failed; the poller keeps confirming.
   */
  'execution.resumed': z.object({ ok: z.boolean(), code: z.string().nullable(), message: z.string() }),
  /** The Stripe sync applied new events (or failed): Stripe views re-query. */
  'stripe.changed': z.object({ events: z.number().int() }),
} as const
export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<K extends EventName> = z.output<Events[K]>
export const EVENT_NAMES = Object.keys(events) as EventName[]

/** The object preload (Electron) or the WebSocket bridge (browser mode) puts on window. */
export interface CountersignBridge {
  invoke<K extends CallName>(name: K, input: CallInput<K>, meta?: CallMeta): Promise<Result<CallOutput<K>>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** IPC channel names (Electron). */
export { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from './ipcChannels'
