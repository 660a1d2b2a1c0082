/**
 * The reconciliation calls of the contract, first layer: statements. Finance staff import the
 * files their bank (or Stripe, or a chain export) gives them — camt.052/053/054, MT940/942, BAI2,
 * OFX, CSV with a saved column mapping — and the core keeps every line exactly (minor units as
 * decimal text here), checked against the file's own balances and totals, once per file.
 * A statement account (an IBAN or the bank's account number, with its currency) is linked to the
 * ledger account whose movements it should show. Gathered into `calls` by ./api.ts.
 */
import { z } from 'zod'
import { DecimalString, Id, Rail } from './blocks'
import { call } from './callSpec'
import { SafeText } from './safeText'
import {
  ERROR_DETAILS_LIST_MAX,
  ERROR_DETAILS_TEXT_CHARS_MAX,
  RECON_LINES_PAGE_MAX,
  RECON_LIST_MAX,
  STATEMENT_CHUNK_CHARS_MAX,
  STATEMENT_FILE_NAME_CHARS_MAX,
} from './limits'

/** Formats of the statement files a person imports (recon.import). */
export const STATEMENT_FILE_FORMAT_NAMES = ['camt.052', 'camt.053', 'camt.054', 'mt940', 'mt942', 'bai2', 'ofx', 'csv'] as const
export const StatementFileFormatName = z.enum(STATEMENT_FILE_FORMAT_NAMES)
export type StatementFileFormatName = z.infer<typeof StatementFileFormatName>
/** Rail records pulled in as statement lines (recon.pull, src/shared/reconPullApi.ts): never imported as a file. */
export const RAIL_RECORD_FORMAT_NAMES = ['stripe', 'stellar', 'evm'] as const
export const STATEMENT_FORMAT_NAMES = [...STATEMENT_FILE_FORMAT_NAMES, ...RAIL_RECORD_FORMAT_NAMES] as const
export const StatementFormatName = z.enum(STATEMENT_FORMAT_NAMES)
export type StatementFormatName = z.infer<typeof StatementFormatName>

/** A statement line's state in reconciliation (matching comes next; every imported line starts unmatched). */
export const STATEMENT_LINE_STATES = ['unmatched', 'suggested', 'matched', 'exception'] as const
export const StatementLineState = z.enum(STATEMENT_LINE_STATES)

/** Something a person should know about a file that was still imported (a gap, no balances to check). */
export const StatementWarning = z.object({
  code: z.enum(['SEQUENCE_GAP', 'NO_BALANCES', 'OPENING_DIFFERS', 'PENDING_LINES', 'ACCOUNT_UNLINKED']),
  where: z.string(),
  message: z.string(),
})
export type StatementWarning = z.infer<typeof StatementWarning>

export const ReconAccount = z.object({
  /** Our id of the statement account: "<account id>:<currency>", e.g. "DE89370400440532013000:EUR". */
  id: Id,
  externalId: z.string(),
  currency: z.string(),
  name: z.string().nullable(),
  bic: z.string().nullable(),
  /** The ledger account whose movements this statement should show (null until someone links it). */
  ledgerAccountId: z.string().nullable(),
  statements: z.number().int(),
  lastSequence: z.string().nullable(),
  /** The newest imported closing balance and its date. */
  lastClosing: DecimalString.nullable(),
  lastClosingDate: z.string().nullable(),
})
export type ReconAccount = z.infer<typeof ReconAccount>

export const StatementSummary = z.object({
  id: Id,
  fileId: Id,
  fileName: z.string(),
  format: StatementFormatName,
  accountId: Id,
  currency: z.string(),
  statementRef: z.string().nullable(),
  sequence: z.string().nullable(),
  fromDate: z.string().nullable(),
  toDate: z.string().nullable(),
  opening: DecimalString.nullable(),
  closing: DecimalString.nullable(),
  /** Sum of money in and money out of the booked lines (out as a negative decimal). */
  credits: DecimalString,
  debits: DecimalString,
  lines: z.number().int(),
  /** Lines per reconciliation state. */
  unmatched: z.number().int(),
  warnings: z.array(StatementWarning),
  importedAt: z.string(),
  importedBy: z.string(),
})
export type StatementSummary = z.infer<typeof StatementSummary>

export const StatementLine = z.object({
  id: Id,
  statementId: Id,
  index: z.number().int(),
  bookingDate: z.string().nullable(),
  valueDate: z.string().nullable(),
  /** Signed: positive = money in to the account, negative = money out. */
  amount: DecimalString,
  currency: z.string(),
  reversal: z.boolean(),
  status: z.enum(['booked', 'pending', 'info']),
  bankRef: z.string().nullable(),
  endToEndId: z.string().nullable(),
  customerRef: z.string().nullable(),
  counterpartyName: z.string().nullable(),
  counterpartyAccount: z.string().nullable(),
  counterpartyBic: z.string().nullable(),
  remittance: z.string().nullable(),
  structuredRef: z.string().nullable(),
  typeCode: z.string().nullable(),
  /** Transactions under a batch booking (amounts signed decimals or null). */
  details: z.array(
    z.object({
      amount: DecimalString.nullable(),
      endToEndId: z.string().nullable(),
      bankRef: z.string().nullable(),
      counterpartyName: z.string().nullable(),
      remittance: z.string().nullable(),
    }),
  ),
  state: StatementLineState,
  where: z.string(),
  /** A line pulled from a rail: the rail's own id (tx hash, tr_…) and its explorer link; null for a bank file's line. */
  railRef: z.object({ rail: Rail, network: z.string(), reference: z.string(), url: z.string().nullable() }).nullable(),
})
export type StatementLine = z.infer<typeof StatementLine>

export const ImportStatementInput = z
  .object({
    /** The file's text (small files), or … */
    content: z.string().min(1).max(STATEMENT_CHUNK_CHARS_MAX).optional(),
    /** … an upload made with recon.upload (large files arrive in chunks). Exactly one of the two. */
    uploadId: Id.optional(),
    fileName: SafeText(STATEMENT_FILE_NAME_CHARS_MAX),
    /** Default: recognised from the content. CSV needs `mapping`. */
    format: StatementFileFormatName.optional(),
    /** The saved CSV column mapping to read a CSV with (recon.mappings). */
    mapping: z.string().min(1).max(80).optional(),
    /** Link the statement account to this ledger account (when it is not linked yet). */
    ledgerAccountId: Id.optional(),
    /** Check everything and report what would be stored, store nothing. */
    dryRun: z.boolean().optional(),
  })
  .strict()
  .refine((v) => (v.content === undefined) !== (v.uploadId === undefined), 'give the file as content or as an uploadId, not both')
export type ImportStatementInput = z.infer<typeof ImportStatementInput>

export const ImportStatementResult = z.object({
  fileId: Id,
  sha256: z.string(),
  fileName: z.string(),
  format: StatementFormatName,
  dryRun: z.boolean(),
  statements: z.array(StatementSummary),
  lines: z.number().int(),
  warnings: z.array(StatementWarning),
})
export type ImportStatementResult = z.infer<typeof ImportStatementResult>

/** Details the reconciliation errors may carry (whitelisted by ./api.ts). */
export const reconErrorDetails = {
  /** Where in the file the parser stopped: "line 12", "Ntry 3 (line 118)". */
  STATEMENT_INVALID: z.object({ where: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX) }),
  STATEMENT_UNBALANCED: z.object({ where: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX) }),
  /** The earlier import of the same file. */
  STATEMENT_DUPLICATE: z.object({ fileId: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX), importedAt: z.string().max(64) }),
  /** Each field of a saved CSV mapping the schema refused ("columns.amount") and why (recon.saveMapping). */
  STATEMENT_MAPPING_INVALID: z.object({
    issues: z
      .array(z.object({ path: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX), message: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX) }))
      .max(ERROR_DETAILS_LIST_MAX),
  }),
} as const

export const reconCalls = {
  'recon.upload': call({
    summary: 'Send one chunk of a large statement file; the last chunk (final) makes it ready for recon.import.',
    // Holds the chunks for this window or command only; nothing is stored or audited until recon.import.
    mutates: true,
    input: z
      .object({
        uploadId: Id.optional(),
        chunk: z.string().max(STATEMENT_CHUNK_CHARS_MAX),
        final: z.boolean(),
      })
      .strict(),
    output: z.object({ uploadId: Id, chars: z.number().int(), ready: z.boolean() }),
  }),
  'recon.import': call({
    summary: 'Import a bank, Stripe or chain statement file: parsed exactly, checked against its own balances, refused if imported before.',
    mutates: true,
    input: ImportStatementInput,
    output: ImportStatementResult,
  }),
  'recon.accounts': call({
    summary: 'The statement accounts seen so far, with the ledger account each is linked to.',
    mutates: false,
    input: z.object({}).strict(),
    output: z.object({ accounts: z.array(ReconAccount) }),
  }),
  'recon.linkAccount': call({
    summary: 'Link a statement account to the ledger account whose movements it should show.',
    mutates: true,
    input: z.object({ accountId: Id, ledgerAccountId: Id }).strict(),
    output: ReconAccount,
  }),
  'recon.statements': call({
    summary: 'Imported statements, newest first.',
    mutates: false,
    input: z.object({ accountId: Id.optional(), limit: z.number().int().min(1).max(RECON_LIST_MAX).optional() }).strict(),
    output: z.object({ statements: z.array(StatementSummary) }),
  }),
  'recon.lines': call({
    summary: 'The lines of one statement, in file order, a page at a time.',
    mutates: false,
    input: z
      .object({
        statementId: Id,
        offset: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(RECON_LINES_PAGE_MAX).optional(),
      })
      .strict(),
    output: z.object({ lines: z.array(StatementLine), total: z.number().int() }),
  }),
  'recon.mappings': call({
    summary: 'The saved CSV column mappings, one per bank layout.',
    mutates: false,
    input: z.object({}).strict(),
    output: z.object({ mappings: z.array(z.object({ name: z.string(), mapping: z.unknown(), updatedAt: z.string() })) }),
  }),
  'recon.saveMapping': call({
    summary: 'Save (or replace) a CSV column mapping under a name.',
    mutates: true,
    input: z.object({ name: z.string().min(1).max(80), mapping: z.unknown() }).strict(),
    output: z.object({ name: z.string(), updatedAt: z.string() }),
  }),
} as const
