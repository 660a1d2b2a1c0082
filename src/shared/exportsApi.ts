/**
 * Accounting exports (issue 16): the books handed to an accountant, in the format their tool
 * imports. One call builds the files (`exports.run`), one shows what they would hold and how
 * amounts are signed (`exports.preview`); both read only — `exports.run` leaves an audit row
 * saying who exported what, how many rows and the files' SHA-256, because an export is data
 * leaving the desk.
 *
 * Kinds:
 * - receipts, payouts, journal: one row per receipt / payout / posting, as CSV or JSON;
 * - xero: Xero manual-journal CSV files, one set per asset, at most 300 lines each, each balanced;
 * - quickbooks: a QuickBooks Online bank CSV of one ledger account (3-column signed or 4-column);
 * - journal-bundle: every posting (CSV or JSON lines), the accounts, and manifest.json with each
 *   file's SHA-256 and row count and the debits and credits per asset (equal, or nothing is made).
 *
 * Amounts are exact decimal strings at the asset's scale, never numbers and never rounded. CSV
 * text cells are neutralised against spreadsheet formulas (./csvSafety.ts); amounts are not.
 * Dates are UTC days (YYYY-MM-DD), `from` and `to` both included.
 */
import { z } from 'zod'
import { AccountKind, Id, IsoDate } from './blocks'
import { call } from './callSpec'
import {
  ERROR_DETAILS_LIST_MAX,
  ERROR_DETAILS_TEXT_CHARS_MAX,
  EXPORT_ACCOUNT_CODES_MAX,
  FILE_NAME_CHARS_MAX,
  RECIPIENT_CHARS_MAX,
  XERO_ACCOUNT_CODE_CHARS_MAX,
  XERO_TAX_RATE_CHARS_MAX,
} from './limits'

export const EXPORT_KINDS = ['receipts', 'payouts', 'journal', 'xero', 'quickbooks', 'journal-bundle'] as const
export const ExportKind = z.enum(EXPORT_KINDS)
export type ExportKind = z.infer<typeof ExportKind>

/** receipts / payouts / journal: the file's format. journal-bundle: json means JSON lines. xero / quickbooks: always CSV. */
export const EXPORT_FORMATS = ['csv', 'json'] as const
export const ExportFormat = z.enum(EXPORT_FORMATS)
export type ExportFormat = z.infer<typeof ExportFormat>

/** How dates are written in Xero and QuickBooks files ("15 Mar 2026" reads the same in every region). */
export const EXPORT_DATE_FORMATS = ['DD MMM YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY'] as const
export const ExportDateFormat = z.enum(EXPORT_DATE_FORMATS)
export type ExportDateFormat = z.infer<typeof ExportDateFormat>

/** A Xero account code: letters, digits, "-", "_" or "." (as its chart of accounts has it: "090", "BANK-USDC"). */
export const XeroAccountCode = z
  .string()
  .min(1)
  .max(XERO_ACCOUNT_CODE_CHARS_MAX)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a Xero account code is letters and digits (and - _ .), such as 090')

/**
 * Which Xero account each ledger account is booked to: one by one (`byAccount`, ledger account id →
 * code), else by the account's kind (`byKind`), else the defaults. The tax rate is written on every
 * line, by its name in the organisation's Xero tax settings.
 */
export const ExportAccountCodes = z
  .object({
    byAccount: z
      .record(Id, XeroAccountCode)
      .refine((m) => Object.keys(m).length <= EXPORT_ACCOUNT_CODES_MAX, `at most ${EXPORT_ACCOUNT_CODES_MAX} accounts`)
      .optional(),
    byKind: z.partialRecord(AccountKind, XeroAccountCode).optional(),
    taxRate: z.string().trim().min(1).max(XERO_TAX_RATE_CHARS_MAX).optional(),
  })
  .strict()
export type ExportAccountCodes = z.infer<typeof ExportAccountCodes>

export const ExportRequest = z
  .object({
    kind: ExportKind,
    format: ExportFormat.optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    /** Only this batch's receipts, payouts, or the entries that booked them. */
    batch: Id.optional(),
    /** A payee: their name or their address / account, as on the payout (case ignored). */
    payee: z.string().trim().min(1).max(RECIPIENT_CHARS_MAX).optional(),
    /** journal, xero, journal-bundle: entries with a posting on this account. quickbooks: the account (required). */
    account: Id.optional(),
    /** Only this asset (an asset id such as USDC@evm:8453). */
    asset: Id.optional(),
    /** xero: codes for this export, over the saved mapping (`--account-codes FILE`). */
    accountCodes: ExportAccountCodes.optional(),
    /** xero: the tax rate's name on every line (default: the mapping's, else "Tax Exempt"). */
    taxRate: z.string().trim().min(1).max(XERO_TAX_RATE_CHARS_MAX).optional(),
    /** xero: default "DD MMM YYYY"; quickbooks: "MM/DD/YYYY" (default) or "DD/MM/YYYY". */
    dateFormat: ExportDateFormat.optional(),
    /** quickbooks: 3 (Date, Description, Amount signed) or 4 (Date, Description, Credit, Debit). Default 3. */
    columns: z.union([z.literal(3), z.literal(4)]).optional(),
  })
  .strict()
export type ExportRequest = z.infer<typeof ExportRequest>

export const ExportFile = z.object({
  name: z.string().max(FILE_NAME_CHARS_MAX),
  mime: z.string(),
  /** The file's bytes, base64. */
  content: z.string(),
  /** Hex SHA-256 of the bytes. */
  sha256: z.string(),
  /** Data rows (not the header). */
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
})
export type ExportFile = z.infer<typeof ExportFile>

export const ExportPreview = z.object({
  kind: ExportKind,
  /** The files the export would write, with their data rows. */
  files: z.array(z.object({ name: z.string(), rows: z.number().int().min(0) })),
  /** The first file's columns and first rows, as the file writes them (amounts as decimal strings). */
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  rowsTotal: z.number().int().min(0),
  /** One sentence: what the files hold and how amounts are signed ("Money out of Treasury USDC is shown as negative amounts."). */
  note: z.string(),
})
export type ExportPreview = z.infer<typeof ExportPreview>

export const exportErrorDetails = {
  /** The ledger accounts that have no Xero code (ids), at most ERROR_DETAILS_LIST_MAX. */
  EXPORT_ACCOUNT_CODE_MISSING: z.object({
    accounts: z.preprocess(
      (v) => (Array.isArray(v) ? v.slice(0, ERROR_DETAILS_LIST_MAX) : v),
      z.array(z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX)),
    ),
  }),
  /** The asset whose debits and credits differ, both as decimal strings. */
  EXPORT_UNBALANCED: z.object({
    assetId: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX),
    debits: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX),
    credits: z.string().max(ERROR_DETAILS_TEXT_CHARS_MAX),
  }),
} as const

export const exportCalls = {
  'exports.preview': call({
    summary: 'What an export would write: its files, the first rows, and a sentence on how amounts are signed.',
    mutates: false,
    input: ExportRequest,
    output: ExportPreview,
  }),
  'exports.run': call({
    summary: 'Build an accounting export (any unlocked operator); recorded in the audit log with its rows and SHA-256 hashes.',
    mutates: true,
    input: ExportRequest,
    output: z.object({ kind: ExportKind, files: z.array(ExportFile), rowsTotal: z.number().int().min(0), note: z.string() }),
  }),
  'exports.accountCodes.get': call({
    summary: 'The saved Xero account-code mapping and the defaults by account kind.',
    mutates: false,
    input: z.object({}).strict(),
    output: z.object({ saved: ExportAccountCodes, defaults: z.partialRecord(AccountKind, XeroAccountCode), taxRate: z.string() }),
  }),
  'exports.accountCodes.set': call({
    summary: 'Save the Xero account-code mapping (admins).',
    mutates: true,
    input: ExportAccountCodes,
    output: ExportAccountCodes,
  }),
} as const
