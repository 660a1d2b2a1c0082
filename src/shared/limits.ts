/**
 * Every limit of the contract, declared once, the unit last in the name (TigerBeetle's habit:
 * `rowsMax`, `timeoutMs`). The contract schemas, the transports, the CLI, the renderer and the core
 * all import them from here: limits written twice drifted apart (a CSV of 4 MiB vs 64 MiB, a
 * reference of 140 vs 200 characters, the batch name three times).
 *
 * How the limits relate (a CSV fits in one request, the contract lets through every memo a rail
 * carries, …) is listed in `LIMIT_RELATIONS` at the bottom and asserted when this module loads, so a
 * change that breaks a relation stops every process and test at once; limits.test.ts names each.
 *
 * Imports nothing, so every shared file can import it without forming a cycle. The range of money
 * itself (AMOUNT_MAX, SCALE_MAX, DECIMAL_CHARS_MAX) lives with the money type in ./money.ts.
 */

const kib = 1024
const mib = 1024 * kib

// ---------------------------------------------------------------------------------------------
// Transport: one request, one list, one id.

/**
 * Largest request a transport accepts, measured as the UTF-8 JSON of its input. 6 MiB: a 4 MiB
 * CSV (the import limit people had) JSON-escaped still fits (see EMBEDDED_FILE_BYTES_MAX).
 */
export const PAYLOAD_BYTES_MAX = 6 * mib
/** What a WebSocket frame carries around one input: request id, call name, meta, JSON punctuation. */
export const WS_ENVELOPE_BYTES_MAX = 64 * kib
/** Largest WebSocket frame the browser-mode server reads: one envelope around the largest input. */
export const WS_FRAME_BYTES_MAX = PAYLOAD_BYTES_MAX + WS_ENVELOPE_BYTES_MAX
/**
 * Share of a request a file carried inside it (a CSV, a signed document) may take, as a fraction
 * (numerator / denominator). JSON escapes every quote and line break ('"' -> '\"', LF -> '\n'), so
 * the text grows on the wire: a CSV quoted in every cell with CRLF line ends grows by about 20%;
 * 3/4 leaves a third more than the file for that.
 */
export const EMBEDDED_FILE_SHARE_PAYLOAD_NUMERATOR = 3
export const EMBEDDED_FILE_SHARE_PAYLOAD_DENOMINATOR = 4
/** Rows one list call returns at most (ledger entries, holds, audit rows). */
export const LIST_ROWS_MAX = 1_000
/** One filter text of the audit log (a subject, an actor id, an action). */
export const AUDIT_FILTER_TEXT_CHARS_MAX = 200
/** Actions one audit filter may name (the log holds about a hundred kinds). */
export const AUDIT_ACTIONS_FILTER_MAX = 200
/** Rows one audit export writes: past this, ask for a narrower date range. */
export const AUDIT_EXPORT_ROWS_MAX = 100_000
/** Ids and references chosen by people or upstream systems: entry, account, payout, batch, operator ids. */
export const ID_CHARS_MAX = 128
/** A decimal amount as text; the money parser's own, tighter check (DECIMAL_CHARS_MAX) gives the better sentence. */
export const DECIMAL_STRING_CHARS_MAX = 120
/** A file name as a person gave it (only its last segment is kept). */
export const FILE_NAME_CHARS_MAX = 255
/** A network name or chain id ("8453", "pubnet", "stripe"). */
export const NETWORK_CHARS_MAX = 64
/** A BIP32 derivation path on the signer ("m/44'/60'/0'/0/3"). */
export const SIGNING_PATH_CHARS_MAX = 64
/** An RPC, Horizon or explorer URL. */
export const HTTP_URL_CHARS_MAX = 2_000
/** Longest team database password accepted (PostgreSQL passwords are short text; this leaves room). */
export const DATABASE_PASSWORD_CHARS_MAX = 1_024
export const OPERATOR_NAME_CHARS_MAX = 80
/** An operator's passphrase: long enough to resist guessing through the unlock back-off, short enough to type. */
export const PASSPHRASE_CHARS_MIN = 12
export const PASSPHRASE_CHARS_MAX = 1_024
/** A one-time invite code as the admin reads it out: "XXXX-XXXX-XXXX-XXXX" (80 bits). */
export const INVITE_CODE_CHARS_MAX = 64
/** Minutes an unlocked operator may stay idle before the desk locks again (default, and bounds of the setting). */
export const IDLE_LOCK_MINUTES_DEFAULT = 10
export const IDLE_LOCK_MINUTES_MAX = 240
/** Failed unlocks in a row before the back-off starts, and its ceiling. */
export const UNLOCK_FAILURES_FREE_MAX = 3
export const UNLOCK_BACKOFF_SECONDS_MAX = 900

// ---------------------------------------------------------------------------------------------
// Ledger.

/** Journal entries in one ledger.entries.post call (one DB transaction). */
export const ENTRIES_PER_CALL_MAX = 10_000
/** Postings in one journal entry. */
export const POSTINGS_PER_ENTRY_MAX = 1_000
export const ENTRY_DESCRIPTION_CHARS_MAX = 500
export const METADATA_KEY_CHARS_MAX = 64
export const METADATA_VALUE_CHARS_MAX = 500
export const ACCOUNT_NAME_CHARS_MAX = 120
/** An on-chain address or a Stripe account id held by a ledger account. */
export const ADDRESS_CHARS_MAX = 128
export const ASSET_NAME_CHARS_MAX = 80
/** An ERC-20 contract or a Stellar issuer. */
export const ISSUER_CHARS_MAX = 128

// ---------------------------------------------------------------------------------------------
// Payouts: batches, their rows, approval, CSV import, external signing.

/** Payouts one batch may hold: a batch detail (all its payouts) must stay one answer. */
export const ROWS_PER_BATCH_MAX = 10_000
/** Batches one batches.list call returns at most (each summary sums its payouts exactly). */
export const BATCHES_LIST_MAX = 200
/** Batches batches.list returns when no limit is given. */
export const BATCHES_LIST_DEFAULT = 50
/** Was written three times (contract, importer schema, importer code), all 120: kept. */
export const BATCH_NAME_CHARS_MAX = 120
export const APPROVAL_COMMENT_CHARS_MAX = 1_000
/** Approvers a policy may demand: more than a desk has is a policy nobody can meet. */
export const POLICY_APPROVERS_MAX = 10
/** Thresholds and daily limits one policy may hold. */
export const POLICY_RULES_MAX = 100
/** EVM address, Stellar G… account or Stripe acct_… id. */
export const RECIPIENT_CHARS_MAX = 128
/** A Stellar text memo: the protocol's own limit, in UTF-8 bytes. */
export const STELLAR_MEMO_BYTES_MAX = 28
/** A Stripe transfer description: our cap, so receipts and the Stripe dashboard stay legible. */
export const STRIPE_MEMO_CHARS_MAX = 350
/**
 * A memo as the contract accepts it: the most any rail carries (Stripe's 350), so a row the importer
 * accepts can also be edited by hand. Each rail's own cap (Stellar's 28 bytes; EVM carries none) is
 * checked per row by the importer's validation, which both paths share. Was 140 in the contract.
 */
export const MEMO_CHARS_MAX = STRIPE_MEMO_CHARS_MAX
/** A Stripe metadata value: Stripe's own limit, in characters. The reference travels there. */
export const STRIPE_METADATA_VALUE_CHARS_MAX = 500
/**
 * The payer's own reference. Was 200 in the contract and 140 in the importer: the tighter 140 is
 * kept — no rail asks for more, and it fits Stripe's metadata (500) with room to spare.
 */
export const REFERENCE_CHARS_MAX = 140
/**
 * The payee's name. Was 200 in the contract and 120 in the importer: the tighter 120 is kept — the
 * name becomes part of the payee's ledger account name, which holds ACCOUNT_NAME_CHARS_MAX (120).
 */
export const PAYEE_NAME_CHARS_MAX = 120

// Escrow (issue 14). 50 milestones: what on-chain milestone escrows (SmartInvoice) allow in one escrow.
export const ESCROW_MILESTONES_MAX = 50
export const ESCROW_NAME_CHARS_MAX = 120
export const ESCROWS_LIST_MAX = 500
export const ESCROW_CSV_BYTES_MAX = 1_000_000
/** A review window of up to a year. */
export const ESCROW_REVIEW_WINDOW_HOURS_MAX = 8_760
/**
 * Largest payout CSV one import carries, in bytes of the file (its text then has at most as many
 * UTF-16 characters, which is what the contract counts). Was 4 MiB in the contract and 64 MiB in
 * the importer. 4 MiB is kept (a full batch of ROWS_PER_BATCH_MAX rows of ~300 bytes is ~3 MiB), and
 * the request limit was raised so that the file, JSON-escaped, fits in one request.
 */
export const CSV_BYTES_MAX = 4 * mib
/**
 * The CSV reader's own guard for direct callers (the 100,000-row benchmark, tools): text longer
 * than this is refused unread. An import never reaches it — the contract caps it at CSV_BYTES_MAX.
 */
export const CSV_READER_CHARS_MAX = 32 * mib
/** Problems listed at most per import: beyond this the list says how many more there were. */
export const IMPORT_ISSUES_MAX = 10_000
/**
 * An externally signed document handed back (batches.external.import and the core's reader).
 * Was 4,000,000 characters in the contract and 8 MiB in the core: one request limits both. A full
 * batch signed is ~1.4 MB (10,000 EVM payouts as calldata; 100 Stellar transactions of 100 ops).
 */
export const EXTERNAL_SIGNED_BYTES_MAX = 4 * mib
/** Chains (EVM) or networks (Stellar) one rails setting may configure. */
export const RAIL_CHAINS_MAX = 32
export const EVM_CONFIRMATIONS_MAX = 1_000
export const EVM_REORG_WATCH_BLOCKS_MAX = 10_000
export const STELLAR_TIME_BOUND_SECONDS_MIN = 30
export const STELLAR_TIME_BOUND_SECONDS_MAX = 86_400
/** Stellar's own limit of operations in one transaction. */
export const STELLAR_OPS_PER_TX_MAX = 100
export const STELLAR_NETWORK_PASSPHRASE_CHARS_MAX = 200

// ---------------------------------------------------------------------------------------------
// Signers and Stripe.

/** Accounts one signers.accounts call derives (each is a device round trip). */
export const SIGNER_ACCOUNTS_LISTED_MAX = 10
/** An address shown on the device to verify (a 0x… EVM address is 42 characters, a Stellar G… 56). */
export const SIGNER_ADDRESS_CHARS_MAX = 64
/** Highest account index signers.accounts starts at. */
export const SIGNER_ACCOUNT_INDEX_MAX = 1_000_000
/** A Stripe secret key as pasted (sk_live_… is ~107 characters; Stripe allows up to 255). */
export const STRIPE_SECRET_KEY_CHARS_MIN = 8
export const STRIPE_SECRET_KEY_CHARS_MAX = 255
export const STRIPE_EVENTS_LIST_MAX = 500
export const STRIPE_BALANCE_TXNS_LIST_MAX = 1_000
/** A bank payout's description; Stripe shows it on the platform's dashboard. */
export const STRIPE_BANK_PAYOUT_DESCRIPTION_CHARS_MAX = 200
/** A bank payout amount as typed, before the money parser checks it against the asset. */
export const STRIPE_BANK_PAYOUT_AMOUNT_CHARS_MAX = 80

// ---------------------------------------------------------------------------------------------
// Backups of a single-desk workspace.

/** Days automatic pruning keeps backups (the setting's default and bounds); the newest few are kept whatever their age. */
export const BACKUP_KEEP_DAYS_DEFAULT = 14
export const BACKUP_KEEP_DAYS_MIN = 1
export const BACKUP_KEEP_DAYS_MAX = 3_650
/** Backups kept however old they are, so a workspace left alone for a month still has some. */
export const BACKUPS_KEPT_MIN = 3

// ---------------------------------------------------------------------------------------------
// Errors crossing the boundary.

/** Items of one list in an error's details (pre-flight problems, row issues); the sentence says how many in all. */
export const ERROR_DETAILS_LIST_MAX = 100
/** One text in an error's details (a problem's sentence, a field name). */
export const ERROR_DETAILS_TEXT_CHARS_MAX = 1_000

// ---------------------------------------------------------------------------------------------
// How the limits relate. Each entry: what must hold, and whether it does.

/** Largest file a request may carry inside its input, JSON-escaped (see embeddedFileSharePayload…). */
export const EMBEDDED_FILE_BYTES_MAX = Math.floor(
  (PAYLOAD_BYTES_MAX * EMBEDDED_FILE_SHARE_PAYLOAD_NUMERATOR) / EMBEDDED_FILE_SHARE_PAYLOAD_DENOMINATOR,
)

export const LIMIT_RELATIONS: ReadonlyArray<readonly [relation: string, holds: boolean]> = [
  ['a WebSocket frame holds the largest request and its envelope', WS_FRAME_BYTES_MAX >= PAYLOAD_BYTES_MAX + WS_ENVELOPE_BYTES_MAX],
  ['an embedded file leaves room in one request for JSON escapes', EMBEDDED_FILE_BYTES_MAX < PAYLOAD_BYTES_MAX],
  ['a payout CSV, JSON-escaped, fits in one request', CSV_BYTES_MAX <= EMBEDDED_FILE_BYTES_MAX],
  ['an externally signed document, JSON-escaped, fits in one request', EXTERNAL_SIGNED_BYTES_MAX <= EMBEDDED_FILE_BYTES_MAX],
  ['the CSV reader never refuses a file an import may carry', CSV_READER_CHARS_MAX >= CSV_BYTES_MAX],
  ['the contract lets through every memo Stripe carries', MEMO_CHARS_MAX >= STRIPE_MEMO_CHARS_MAX],
  ['the contract lets through every memo Stellar carries', MEMO_CHARS_MAX >= STELLAR_MEMO_BYTES_MAX],
  ['a reference fits in a Stripe metadata value', REFERENCE_CHARS_MAX <= STRIPE_METADATA_VALUE_CHARS_MAX],
  ["a payee's name fits in a ledger account name", PAYEE_NAME_CHARS_MAX <= ACCOUNT_NAME_CHARS_MAX],
  ['every row of a full batch can be listed with its problem', IMPORT_ISSUES_MAX >= ROWS_PER_BATCH_MAX],
  ['batches.list returns its default page', BATCHES_LIST_DEFAULT <= BATCHES_LIST_MAX],
  ['a recipient fits where a ledger account keeps its address', RECIPIENT_CHARS_MAX <= ADDRESS_CHARS_MAX],
  ['a Stellar transaction holds at least one operation', STELLAR_OPS_PER_TX_MAX >= 1],
  ['a Stellar time bound window is not empty', STELLAR_TIME_BOUND_SECONDS_MIN < STELLAR_TIME_BOUND_SECONDS_MAX],
  ['an error lists at least one item', ERROR_DETAILS_LIST_MAX >= 1],
  [
    'the backup retention default lies within its bounds',
    BACKUP_KEEP_DAYS_MIN <= BACKUP_KEEP_DAYS_DEFAULT && BACKUP_KEEP_DAYS_DEFAULT <= BACKUP_KEEP_DAYS_MAX,
  ],
]

for (const [relation, holds] of LIMIT_RELATIONS) {
  // Programmer error: a limit was changed without the ones it depends on. Crash at load (TigerBeetle's comptime assert).
  if (!holds) throw new Error(`invariant: limits: ${relation}`)
}

// Reconciliation (issue 15).
/** One chunk of a statement file through the contract (recon.upload, or recon.import's content): fits one request. */
export const STATEMENT_CHUNK_CHARS_MAX = 4 * mib
/** A whole statement file (uploaded in chunks): a year of a busy account's camt.053 is well below this. */
export const STATEMENT_CHARS_MAX = 200 * mib
export const STATEMENT_FILE_NAME_CHARS_MAX = 255
/** Statements one list returns. */
export const RECON_LIST_MAX = 500
/** Statement lines one page returns. */
export const RECON_LINES_PAGE_MAX = 1_000
/** Treasury accounts one balance check reads on their rails (and recon.balances lists). */
export const RECON_BALANCE_ACCOUNTS_MAX = 200

// Receipts (issue 16).
/** Receipts one list page returns at most, and by default. */
export const RECEIPTS_PAGE_MAX = 500
export const RECEIPTS_PAGE_DEFAULT = 50
/** A search text (name, address, reference, tx hash, receipt number). */
export const RECEIPT_QUERY_CHARS_MAX = 200
/** A receipt file handed to receipts.verify: the JSON, or a one-page PDF with its embedded font and logo. */
export const RECEIPT_VERIFY_BYTES_MAX = 3 * mib
/** The same file as base64 text (4 characters per 3 bytes), as it crosses the contract. */
export const RECEIPT_VERIFY_BASE64_CHARS_MAX = Math.ceil(RECEIPT_VERIFY_BYTES_MAX / 3) * 4
/** A public key file handed to receipts.verify (key, hand-overs): a few kilobytes. */
export const RECEIPT_PUBLIC_KEY_FILE_CHARS_MAX = 256 * kib
/** Organisation details on every receipt (Settings → Organisation). */
export const ORGANISATION_NAME_CHARS_MAX = 200
/** The postal address: a few lines joined by "\n". */
export const ORGANISATION_ADDRESS_CHARS_MAX = 1_000
export const ORGANISATION_ADDRESS_LINES_MAX = 8
export const ORGANISATION_REGISTRATION_CHARS_MAX = 100
/** The logo on the receipt header: a PNG of at most this size (it is embedded in every PDF). */
export const ORGANISATION_LOGO_BYTES_MAX = 256 * kib
export const ORGANISATION_LOGO_BASE64_CHARS_MAX = Math.ceil(ORGANISATION_LOGO_BYTES_MAX / 3) * 4
/** Payments one remittance advice lists (each one's receipt is attached to the PDF). */
export const REMITTANCE_PAYMENTS_MAX = 500
/**
 * One part of a download too large for one answer (a batch's receipts as one ZIP), in bytes of the
 * file; as base64 (4 characters per 3 bytes) a part stays well inside a request's size.
 */
export const DOWNLOAD_CHUNK_BYTES_MAX = 3 * mib
export const DOWNLOAD_CHUNK_BASE64_CHARS_MAX = Math.ceil(DOWNLOAD_CHUNK_BYTES_MAX / 3) * 4
// Declared after LIMIT_RELATIONS is checked, so asserted here: a part of a download fits one message.
if (DOWNLOAD_CHUNK_BASE64_CHARS_MAX > EMBEDDED_FILE_BYTES_MAX)
  throw new Error('invariant: limits: a download part, as base64, fits in one message')

// Accounting exports (issue 16).
/** Rows (receipts, payouts or postings) one export reads: past this, ask for a narrower date range. */
export const EXPORT_ROWS_MAX = 100_000
/** Journal lines in one Xero manual-journal import file (Xero's own limit: "up to 300 lines in one template file"). */
export const XERO_LINES_PER_FILE_MAX = 300
/** Xero account codes are at most 10 characters. */
export const XERO_ACCOUNT_CODE_CHARS_MAX = 10
/** A Xero tax rate's name as its tax settings show it ("Tax Exempt", "No VAT", "BAS Excluded"). */
export const XERO_TAX_RATE_CHARS_MAX = 60
/** Ledger accounts one account-code mapping may name one by one. */
export const EXPORT_ACCOUNT_CODES_MAX = 5_000
/** Rows an export preview shows. */
export const EXPORT_PREVIEW_ROWS_MAX = 20
