/**
 * The result of a payout CSV import, shared by the core (which builds it), the contract and the
 * renderer (which shows it). Amounts cross as decimal strings; the core keeps bigint minor units.
 *
 * Row numbers are the rows a person sees when the file is opened in a spreadsheet: the header is
 * row 1, so the first payout is row 2. Blank lines still count (a spreadsheet shows them as empty
 * rows), and a quoted value that spans several lines is one row, as in a spreadsheet.
 * `row: null` means the problem is about the whole file (its encoding, its size).
 *
 * The `payouts.import` call is declared here, once (its input and result were declared twice, here
 * and in payoutsApi.ts); ./api.ts gathers it into `calls`. Like every contract file this imports the
 * building blocks and the limits, never another contract file. The limits it names (CSV_BYTES_MAX,
 * ROWS_PER_BATCH_MAX, IMPORT_ISSUES_MAX) live in ./limits.ts.
 */
import { z } from 'zod'
import { Rail } from './blocks'
import { call } from './callSpec'
import { BATCH_NAME_CHARS_MAX, CSV_BYTES_MAX, FILE_NAME_CHARS_MAX, NETWORK_CHARS_MAX } from './limits'
import { SafeText } from './safeText'

export const ROW_ISSUE_CODES = [
  // The file as a whole
  'FILE_ENCODING',
  'FILE_TOO_LARGE',
  'FILE_EMPTY',
  'ROWS_TOO_MANY',
  'ISSUES_TRUNCATED',
  // The header (row 1)
  'HEADER_MISSING_COLUMNS',
  'HEADER_UNKNOWN_COLUMN',
  'HEADER_DUPLICATE_COLUMN',
  'NETWORK_REQUIRED',
  // One row's shape
  'ROW_MALFORMED',
  'CELL_TOO_LONG',
  'TEXT_INVALID',
  // One value
  'ID_INVALID',
  'ID_DUPLICATE_IN_FILE',
  'ID_DUPLICATE_STORED',
  'RAIL_UNKNOWN',
  'NETWORK_UNKNOWN',
  'ASSET_UNKNOWN',
  'TOKEN_TYPE_UNSUPPORTED',
  'ADDRESS_INVALID',
  'ADDRESS_CHECKSUM',
  'ADDRESS_MUXED',
  'RECIPIENT_IS_TREASURY',
  'RECIPIENT_FORBIDDEN',
  'AMOUNT_INVALID',
  'AMOUNT_PRECISION',
  'AMOUNT_RANGE',
  'MEMO_NOT_SUPPORTED',
  'MEMO_TOO_LONG',
] as const
export const RowIssueCode = z.enum(ROW_ISSUE_CODES)
export type RowIssueCode = z.infer<typeof RowIssueCode>

export const ROW_WARNING_CODES = [
  /** Never paid (no confirmed payout) on this rail and network. */
  'PAYEE_NEW',
  /** Same first and last 4 characters as a known payee, but a different address: address poisoning. */
  'PAYEE_LOOKALIKE',
  /** An all-lower-case (or all-upper-case) EVM address carries no checksum to catch a typo. */
  'ADDRESS_NO_CHECKSUM',
  /** Same recipient, asset and amount as an earlier row of the file. */
  'PAYMENT_REPEATED',
  /** A Safe airdrop row without an id: Countersign derived the idempotency key from the row. */
  'ID_DERIVED',
  /** A name, reference or memo starts with = + - or @: a spreadsheet would run it as a formula (src/shared/csvSafety.ts). */
  'TEXT_FORMULA_LIKE',
  /** The row's rail and network is not in the workspace's rails setting: it imports, but cannot be paid until it is. */
  'NETWORK_NOT_SET_UP',
  /** The rail says it cannot pay this recipient (Stripe: no such connected account, or its transfers capability is not active). */
  'RECIPIENT_CANNOT_RECEIVE',
  /** The rail could not be asked about the recipients (offline): said once for the batch, never per row. */
  'RECIPIENTS_NOT_CHECKED',
  /** More warnings than IMPORT_ISSUES_MAX: the rest are counted, not listed. */
  'WARNINGS_TRUNCATED',
] as const
export const RowWarningCode = z.enum(ROW_WARNING_CODES)
export type RowWarningCode = z.infer<typeof RowWarningCode>

const RowRef = {
  /** Spreadsheet row (header = row 1, first payout = row 2); null for the whole file. */
  row: z.number().int().min(1).nullable(),
  /** The column as the file names it ("amount", "receiver"), or null for the whole row / file. */
  column: z.string().nullable(),
  /** A whole sentence a finance person can act on, starting "Row N, column: …". */
  message: z.string(),
  /**
   * The same sentence without its "Row N, column: " place, for a view that shows row and column
   * in their own cells — so no one has to cut it off the message.
   */
  problem: z.string(),
}

export const RowIssue = z.object({ ...RowRef, code: RowIssueCode })
export type RowIssue = z.infer<typeof RowIssue>

export const RowWarning = z.object({ ...RowRef, code: RowWarningCode })
export type RowWarning = z.infer<typeof RowWarning>

export const ParsedPayoutRow = z.object({
  /** Spreadsheet row it came from (stored as payouts.row_no). */
  row: z.number().int().min(2),
  /** External reference and idempotency key, unique forever. */
  id: z.string(),
  rail: Rail,
  /** The registry's network: '8453', 'pubnet', 'testnet', 'stripe'. */
  network: z.string(),
  /** 'USDC@evm:8453', 'XLM@stellar:pubnet', 'USD@stripe'. */
  assetId: z.string(),
  /** Canonical form: EIP-55 checksummed for EVM, G… for Stellar, acct_… for Stripe. */
  recipient: z.string(),
  /** Decimal string at the asset's scale, exact ("12.500000" for USDC). */
  amount: z.string().regex(/^\d+(\.\d+)?$/),
  memo: z.string().optional(),
  reference: z.string().optional(),
  name: z.string().optional(),
})
export type ParsedPayoutRow = z.infer<typeof ParsedPayoutRow>

/** An issue or a warning of an import, as a view lists them both. */
export type ImportRowIssue = RowIssue | RowWarning

/**
 * What the import call takes: the CSV text (the renderer reads the file as bytes, decodes as
 * UTF-8). A file of at most CSV_BYTES_MAX bytes has at most as many characters; the transport refuses
 * requests above PAYLOAD_BYTES_MAX before this is checked (limits.ts asserts the CSV fits).
 */
export const ImportPayoutCsvInput = z
  .object({
    csv: z.string().min(1).max(CSV_BYTES_MAX),
    fileName: SafeText(FILE_NAME_CHARS_MAX, { charsMin: 0, trim: false }).optional(),
    batchName: SafeText(BATCH_NAME_CHARS_MAX).optional(),
    /** Chain id for the Safe airdrop layout, which names no chain ("8453"). */
    network: z.string().min(1).max(NETWORK_CHARS_MAX).optional(),
    /** Store the valid rows as a draft batch even if other rows have problems. */
    keepValidAsDraft: z.boolean().optional(),
  })
  .strict()
export type ImportPayoutCsvInput = z.infer<typeof ImportPayoutCsvInput>

export const ImportPayoutCsvResult = z.object({
  /** The draft batch created, or null if nothing was stored. */
  batchId: z.string().nullable(),
  /** Data rows found in the file (blank lines not counted). */
  rowsTotal: z.number().int().min(0),
  valid: z.array(ParsedPayoutRow),
  issues: z.array(RowIssue),
  warnings: z.array(RowWarning),
})
export type ImportPayoutCsvResult = z.infer<typeof ImportPayoutCsvResult>

export const importCalls = {
  'payouts.import': call({
    summary: 'Import a payout CSV into a new draft batch (preparer).',
    mutates: true,
    input: ImportPayoutCsvInput,
    output: ImportPayoutCsvResult,
  }),
} as const
