/**
 * The contract: every call and event between the renderer (or CLI, or tests) and the core,
 * declared once. Main binds these to IPC, browser mode to a WebSocket, the CLI calls them
 * directly; all take their types from here. Amounts cross as decimal strings, never numbers.
 *
 * How src/shared is laid out (dependencies point down; nothing points up, so there is no cycle):
 *   api.ts                 gathers the call tables and the error-details tables of the contract
 *                          files below, and declares the transport-level ones (Result, events,
 *                          the bridge). Nothing in src/shared imports api.ts.
 *   workspaceApi.ts, ledgerApi.ts, payoutsApi.ts, payoutImport.ts, signersApi.ts, stripeApi.ts
 *                          contract files: one domain's calls, shapes and error details each.
 *                          They import the building blocks and the limits, never each other.
 *   blocks.ts              building blocks: Ref, Id, DecimalString, Rail, Role, states, …
 *   limits.ts              every limit, units last, with the relations between them asserted
 *   callSpec.ts, errors.ts, money.ts, payoutStates.ts, ipcChannels.ts, webProtocol.ts, version.ts
 *                          leaves: import nothing from the contract files.
 */
import { z } from 'zod'
import { ERROR_CODES, isErrorCode, type ErrorCode, type ErrorDetails, type ErrorPayload } from './errors'
import { Id } from './blocks'
import { ERROR_DETAILS_LIST_MAX, ERROR_DETAILS_TEXT_CHARS_MAX } from './limits'
import { ledgerCalls, ledgerErrorDetails } from './ledgerApi'
import { importCalls } from './payoutImport'
import { operatorCalls } from './operatorsApi'
import { payoutCalls, payoutErrorDetails } from './payoutsApi'
import { signerCalls, signerErrorDetails } from './signersApi'
import { stripeCalls } from './stripeApi'
import { workspaceCalls } from './workspaceApi'
import { backupCalls, backupErrorDetails } from './backupsApi'
import { escrowCalls } from './escrowApi'
import { reconCalls, reconErrorDetails } from './reconApi'
import { reconMatchCalls, reconMatchErrorDetails } from './reconMatchApi'
import { reconPullCalls } from './reconPullApi'
import { reconBalanceCalls } from './reconBalancesApi'
import { receiptCalls } from './receiptsApi'
import { receiptsAttestCalls } from './receiptsAttestApi'
import { exportCalls, exportErrorDetails } from './exportsApi'
import { receiptPdfCalls } from './receiptsPdfApi'
import { payeeCalls } from './payeesApi'

// ---------------------------------------------------------------------------------------------
// Calls.

export const calls = {
  ...workspaceCalls,
  ...operatorCalls,
  ...ledgerCalls,
  ...importCalls,
  ...payoutCalls,
  ...signerCalls,
  ...stripeCalls,
  ...backupCalls,
  ...escrowCalls,
  ...reconCalls,
  ...reconMatchCalls,
  ...reconPullCalls,
  ...reconBalanceCalls,
  ...receiptCalls,
  ...receiptsAttestCalls,
  ...exportCalls,
  ...receiptPdfCalls,
  ...payeeCalls,
} as const

export type Calls = typeof calls
export type CallName = keyof Calls
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>
export type CallOutput<K extends CallName> = z.output<Calls[K]['output']>

export const CALL_NAMES = Object.keys(calls) as CallName[]
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name)
}

/**
 * Who is making a call. The operator must be unlocked on the call's channel (this window, this
 * browser-mode connection, this CLI command): naming another operator is refused
 * (OPERATOR_SESSION_MISMATCH), naming none means the one unlocked there.
 */
export const CallMeta = z.object({ operatorId: Id.optional() }).strict()
export type CallMeta = z.infer<typeof CallMeta>

// ---------------------------------------------------------------------------------------------
// Errors across the wire: `{ code, message, details? }`. `details` is whitelisted per code: the
// schema below keeps only the fields it names (zod drops the rest) and a value that does not
// pass is dropped whole. A code without an entry carries no details at all.

const transportErrorDetails = {
  /** Wrong passphrases back off: how long until the next try is even considered. */
  UNLOCK_THROTTLED: z.object({ retryAfterSeconds: z.number().int().min(0) }),
  /** The engine refused a batch whose approvals do not verify. */
  APPROVAL_SIGNATURE_INVALID: z.object({ batchId: z.string(), valid: z.number().int(), required: z.number().int() }),
  /** What the contract refused: the path of each bad field ("rows.0.amount") and why. */
  INVALID_INPUT: z.object({
    issues: z.preprocess(
      (v) => (Array.isArray(v) ? v.slice(0, ERROR_DETAILS_LIST_MAX) : v),
      z.array(z.object({ path: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX), message: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX) })),
    ),
  }),
  /** The size of the request and the limit, in bytes. */
  PAYLOAD_TOO_LARGE: z.object({ bytes: z.number().int().min(0), bytesMax: z.number().int().min(0) }),
  /**
   * The team database (host:port/database) and, when the link broke while a change was being
   * committed, outcome 'unknown': it may or may not have been saved — look before doing it again.
   */
  DB_UNREACHABLE: z.object({ location: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX), outcome: z.literal('unknown').optional() }),
} as const

export const errorDetails = {
  ...transportErrorDetails,
  ...ledgerErrorDetails,
  ...payoutErrorDetails,
  ...signerErrorDetails,
  ...backupErrorDetails,
  ...reconErrorDetails,
  ...reconMatchErrorDetails,
  ...exportErrorDetails,
} as const satisfies Partial<Record<ErrorCode, z.ZodType>>
export type DetailedErrorCode = keyof typeof errorDetails
export type ErrorDetailsOf<C extends DetailedErrorCode> = z.output<(typeof errorDetails)[C]>

export const ErrorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
})
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorPayload }

function isDetailedErrorCode(code: string): code is DetailedErrorCode {
  return Object.prototype.hasOwnProperty.call(errorDetails, code)
}

/**
 * The whitelist at every boundary (the core's API, the IPC handler, the CLI): the details `code`
 * may carry, or undefined — for a code without a schema, for no details, and for details that do
 * not pass (dropped whole rather than half-trusted). Never throws.
 */
export function pickErrorDetails(code: string, details: unknown): ErrorDetails | undefined {
  if (details === undefined || details === null || !isDetailedErrorCode(code)) return undefined
  const parsed = (errorDetails[code] as z.ZodType).safeParse(details)
  if (!parsed.success || typeof parsed.data !== 'object' || parsed.data === null) return undefined
  return Object.keys(parsed.data).length > 0 ? (parsed.data as ErrorDetails) : undefined
}

/**
 * A Result as it may cross a process boundary, rebuilt field by field: `{ ok, data }`, or
 * `{ ok: false, error: { code, message, details? } }` with `details` through the whitelist — no
 * stack, no cause, no extra key rides along. A malformed error becomes INTERNAL. Used by every
 * transport (Electron IPC, the WebSocket), whatever the core already did.
 */
export function toWireResult<T>(result: Result<T>): Result<T> {
  if (result.ok) return { ok: true, data: result.data }
  const code: unknown = result.error?.code
  const message: unknown = result.error?.message
  if (!isErrorCode(code) || typeof message !== 'string') {
    return {
      ok: false,
      error: {
        code: 'INTERNAL',
        message: 'Something went wrong inside Countersign and nothing was changed — try again, and report it with the log if it repeats.',
      },
    }
  }
  const details = pickErrorDetails(code, result.error.details)
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } }
}

/**
 * The details of `error` typed for `code` when that is its code (the renderer, the CLI): e.g.
 * `errorDetailsOf(e, 'PREFLIGHT_FAILED')?.problems`. Details arrive already whitelisted.
 */
export function errorDetailsOf<C extends DetailedErrorCode>(error: unknown, code: C): ErrorDetailsOf<C> | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const e = error as { code?: unknown; details?: unknown }
  if (e.code !== code || typeof e.details !== 'object' || e.details === null) return undefined
  return e.details as ErrorDetailsOf<C>
}

// Compile-time: no call name and no error code is declared by two tables (a spread would hide it).
type Overlap<A, B> = keyof A & keyof B
type NoOverlap<T extends never> = T
export type ContractTablesDisjoint = [
  NoOverlap<Overlap<typeof workspaceCalls, typeof ledgerCalls>>,
  NoOverlap<Overlap<typeof workspaceCalls & typeof ledgerCalls, typeof importCalls>>,
  NoOverlap<Overlap<typeof workspaceCalls & typeof ledgerCalls & typeof importCalls, typeof payoutCalls>>,
  NoOverlap<Overlap<typeof workspaceCalls & typeof ledgerCalls & typeof importCalls & typeof payoutCalls, typeof signerCalls>>,
  NoOverlap<
    Overlap<typeof workspaceCalls & typeof ledgerCalls & typeof importCalls & typeof payoutCalls & typeof signerCalls, typeof stripeCalls>
  >,
  NoOverlap<Overlap<typeof transportErrorDetails, typeof ledgerErrorDetails>>,
  NoOverlap<Overlap<typeof transportErrorDetails & typeof ledgerErrorDetails, typeof payoutErrorDetails>>,
  NoOverlap<Overlap<typeof transportErrorDetails & typeof ledgerErrorDetails & typeof payoutErrorDetails, typeof signerErrorDetails>>,
  NoOverlap<
    Overlap<
      typeof workspaceCalls & typeof ledgerCalls & typeof importCalls & typeof payoutCalls & typeof signerCalls & typeof stripeCalls,
      typeof backupCalls
    >
  >,
  NoOverlap<
    Overlap<
      typeof transportErrorDetails & typeof ledgerErrorDetails & typeof payoutErrorDetails & typeof signerErrorDetails,
      typeof backupErrorDetails
    >
  >,
]

// ---------------------------------------------------------------------------------------------
// Events (core -> every window). Payloads are small notifications; views re-query.

export const events = {
  'ledger.changed': z.object({ accountIds: z.array(z.string()) }),
  'audit.appended': z.object({ seq: z.number().int(), action: z.string(), actor: z.string() }),
  'operators.changed': z.object({}),
  /** This window's session ended on its own (idle lock, OS lock or suspend, deactivated): show the picker. Sent only to that window. */
  'session.locked': z.object({}),
  'batches.changed': z.object({ batchId: z.string() }),
  /** An escrow, its milestones, action requests or rail transactions changed: escrow views re-query. */
  'escrow.changed': z.object({ escrowId: z.string() }),
  /** Statements were imported, or a statement account was linked: reconciliation views re-query. */
  'recon.changed': z.object({ fileId: z.string().nullable() }),
  /** Rail balances were checked (recon.checkBalances, the poller): `changed` lists the accounts whose check changed. */
  'recon.balances.changed': z.object({ changed: z.array(z.string()) }),
  /** A deadline of an escrow is near (a review window ends within a day): remind the people who may dispute. */
  'escrow.reminder': z.object({
    escrowId: z.string(),
    milestone: z.number().int(),
    kind: z.enum(['review_ends', 'expires']),
    at: z.string(),
  }),
  /** Receipts were issued (numbers first..last): receipt views re-query. */
  'receipts.changed': z.object({ first: z.number().int(), last: z.number().int() }),
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
  /** receipts.attest is waiting for the device: `message` says what to confirm on it (the root, or the hash the Stellar app shows). */
  'receipts.attest.progress': z.object({ batchId: z.string(), chain: z.enum(['evm', 'stellar']), message: z.string() }),
  /** The Stripe sync applied new events (or failed): Stripe views re-query. */
  'stripe.changed': z.object({ events: z.number().int() }),
  /**
   * Team mode: this desk's link to the team database dropped (reachable false) or came back
   * (true). Changes other desks made meanwhile were not heard: views re-read on the way back.
   */
  'database.status': z.object({ reachable: z.boolean() }),
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
