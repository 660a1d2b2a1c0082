/**
 * The receipts calls of the contract (issue 16): search and read the receipts the core issued,
 * issue the ones still due, verify a receipt file (JSON or PDF) as a payee would, the workspace's
 * receipt key, and Settings → Organisation (the payer printed on every receipt).
 *
 * The receipt document itself is declared in ./receiptTypes.ts; the schemas here check it where it
 * crosses the contract (and where `receipts verify` reads a file), and the compile-time checks at
 * the bottom keep the two declarations the same shape.
 */
import { z } from 'zod'
import { DecimalString, Empty, Id, IsoTimestamp } from './blocks'
import { call } from './callSpec'
import {
  ORGANISATION_ADDRESS_CHARS_MAX,
  ORGANISATION_LOGO_BASE64_CHARS_MAX,
  ORGANISATION_NAME_CHARS_MAX,
  ORGANISATION_REGISTRATION_CHARS_MAX,
  RECEIPT_PUBLIC_KEY_FILE_CHARS_MAX,
  RECEIPT_QUERY_CHARS_MAX,
  RECEIPT_VERIFY_BASE64_CHARS_MAX,
  RECEIPTS_PAGE_MAX,
} from './limits'
import {
  RECEIPT_FILE_SCHEMA,
  RECEIPT_SCHEMA,
  type ReceiptBatchAttestation,
  type ReceiptDocument,
  type ReceiptFile,
  type ReceiptKeyHandover,
} from './receiptTypes'
import { SafeText } from './safeText'

export const RECEIPT_KINDS = ['payout', 'escrow_release', 'escrow_refund', 'reversal'] as const
export const ReceiptKindSchema = z.enum(RECEIPT_KINDS)

const Hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `must be ${bytes} bytes of lower-case hex`)
const Int = z.number().int()

const ReceiptAmountSchema = z
  .object({ value: DecimalString, minor: z.string().regex(/^\d+$/), assetId: z.string(), code: z.string(), scale: Int.min(0) })
  .strict()

const ReceiptEvidenceSchema = z.discriminatedUnion('rail', [
  z
    .object({
      rail: z.literal('evm'),
      chainId: z.string(),
      network: z.string(),
      txHash: z.string(),
      blockNumber: z.string(),
      blockHash: z.string(),
      logIndex: Int.min(0).nullable(),
      from: z.string(),
      to: z.string(),
    })
    .strict(),
  z
    .object({
      rail: z.literal('stellar'),
      network: z.string(),
      networkPassphrase: z.string(),
      txHash: z.string(),
      ledger: z.string(),
      operationIndex: Int.min(0),
      source: z.string(),
    })
    .strict(),
  z
    .object({
      rail: z.literal('stripe'),
      network: z.string(),
      transferId: z.string(),
      balanceTransactionId: z.string().nullable(),
      payoutId: z.string().nullable(),
      destination: z.string(),
    })
    .strict(),
])

const ReceiptEventSchema = z
  .object({
    kind: z.enum(['created', 'approved', 'signed', 'broadcast', 'confirmed', 'released', 'refunded', 'reversed']),
    at: z.string(),
    by: z.string(),
    detail: z.string(),
  })
  .strict()

export const ReceiptDocumentSchema = z
  .object({
    schema: z.literal(RECEIPT_SCHEMA),
    kind: ReceiptKindSchema,
    number: Int.min(1),
    displayNumber: z.string(),
    workspaceId: z.string(),
    paidAt: z.string(),
    payer: z.object({ name: z.string(), address: z.string(), registrationNumber: z.string(), account: z.string() }).strict(),
    payee: z.object({ name: z.string(), recipient: z.string() }).strict(),
    amount: ReceiptAmountSchema,
    fee: ReceiptAmountSchema.nullable(),
    net: ReceiptAmountSchema.nullable(),
    subject: z
      .object({
        id: z.string(),
        batchId: z.string().nullable(),
        escrowId: z.string().nullable(),
        milestone: Int.nullable(),
        reference: z.string(),
        memo: z.string(),
        description: z.string(),
      })
      .strict(),
    evidence: ReceiptEvidenceSchema,
    timeline: z.array(ReceiptEventSchema),
    ledger: z.object({ entryIds: z.array(z.string()), auditSeq: Int.min(1), auditHash: Hex(32) }).strict(),
    previous: z
      .object({ number: Int.min(1), displayNumber: z.string(), sha256: Hex(32) })
      .strict()
      .nullable(),
  })
  .strict()

export const ReceiptKeyHandoverSchema = z
  .object({
    fromKeyId: z.string(),
    fromPublicKey: Hex(32),
    toKeyId: z.string(),
    toPublicKey: Hex(32),
    at: z.string(),
    signature: Hex(64),
  })
  .strict()

export const ReceiptBatchAttestationSchema = z
  .object({
    chain: z.enum(['evm', 'stellar']),
    batchId: z.string(),
    signer: z.string(),
    root: Hex(32),
    leafCount: Int.min(1),
    message: z.string(),
    signature: z.string().regex(/^[0-9a-f]+$/),
    leafIndex: Int.min(0),
    proof: z.array(z.object({ side: z.enum(['left', 'right']), hash: Hex(32) }).strict()),
  })
  .strict()

export const ReceiptFileSchema = z
  .object({
    schema: z.literal(RECEIPT_FILE_SCHEMA),
    receipt: ReceiptDocumentSchema,
    sha256: Hex(32),
    workspaceSignature: z.object({ algorithm: z.literal('ed25519'), keyId: z.string(), publicKey: Hex(32), signature: Hex(64) }).strict(),
    handovers: z.array(ReceiptKeyHandoverSchema),
    batchAttestation: ReceiptBatchAttestationSchema.nullable(),
  })
  .strict()

/** One receipt in a list: what a row shows, amounts as decimal text at the asset's scale. */
export const ReceiptSummary = z.object({
  number: Int,
  displayNumber: z.string(),
  kind: ReceiptKindSchema,
  sha256: z.string(),
  payoutId: z.string().nullable(),
  batchId: z.string().nullable(),
  escrowId: z.string().nullable(),
  rail: z.string(),
  network: z.string(),
  assetId: z.string(),
  code: z.string(),
  amount: DecimalString,
  payeeName: z.string(),
  recipient: z.string(),
  reference: z.string(),
  txHash: z.string().nullable(),
  paidAt: IsoTimestamp,
  issuedAt: IsoTimestamp,
  previousNumber: Int.nullable(),
})
export type ReceiptSummary = z.infer<typeof ReceiptSummary>

/** Per asset, over everything the filter matches: paid (payouts, escrow releases), reversed, refunded to the payer. */
export const ReceiptTotal = z.object({
  assetId: z.string(),
  code: z.string(),
  count: Int,
  paid: DecimalString,
  reversed: DecimalString,
  refunded: DecimalString,
  /** paid − reversed: what the payee kept. */
  net: DecimalString,
})
export type ReceiptTotal = z.infer<typeof ReceiptTotal>

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'must be a date (YYYY-MM-DD) or an ISO UTC time')

export const ReceiptFilter = z
  .object({
    /** Payee name or its words, recipient, reference, tx hash, payout id (all from their start), receipt number or display number. */
    query: z.string().trim().max(RECEIPT_QUERY_CHARS_MAX).optional(),
    /** One payee: the recipient exactly as paid (0x…, G…, acct_…), or the payee's name exactly. */
    payee: z.string().trim().min(1).max(RECEIPT_QUERY_CHARS_MAX).optional(),
    batchId: Id.optional(),
    kind: ReceiptKindSchema.optional(),
    /** paid_at on or after (a date means its first instant, UTC). */
    from: Day.optional(),
    /** paid_at before the end of (a date includes the whole day, UTC). */
    to: Day.optional(),
  })
  .strict()
export type ReceiptFilter = z.infer<typeof ReceiptFilter>

export const ReceiptPage = z.object({
  items: z.array(ReceiptSummary),
  /** Pass back as `cursor` for the next (older) page; null when this is the last. */
  nextCursor: z.string().nullable(),
  /**
   * Over the whole filter (every page): only on the first page (no cursor) unless `totals: false`
   * was asked, else null.
   */
  totals: z.array(ReceiptTotal).nullable(),
})
export type ReceiptPage = z.infer<typeof ReceiptPage>

export const ReceiptCheck = z.object({
  name: z.enum(['schema', 'hash', 'signature', 'handovers', 'key', 'batch-attestation', 'rail-evidence']),
  status: z.enum(['pass', 'fail', 'skipped']),
  detail: z.string(),
})
export type ReceiptCheck = z.infer<typeof ReceiptCheck>

export const ReceiptVerification = z.object({
  /** Every check passed or was skipped (a rail that could not be reached is skipped, never failed). */
  ok: z.boolean(),
  receipt: z
    .object({
      number: Int,
      displayNumber: z.string(),
      kind: z.string(),
      payeeName: z.string(),
      recipient: z.string(),
      amount: z.string(),
      code: z.string(),
      paidAt: z.string(),
      sha256: z.string(),
      keyId: z.string(),
    })
    .nullable(),
  checks: z.array(ReceiptCheck),
})
export type ReceiptVerificationResult = z.infer<typeof ReceiptVerification>

export const ReceiptKeyInfo = z.object({
  keyId: z.string(),
  publicKey: z.string(),
  createdAt: IsoTimestamp,
  createdBy: z.string(),
  retiredAt: IsoTimestamp.nullable(),
})

/** The workspace's public receipt key as a file a payee or auditor keeps: the live key and how trust reached it. */
export const RECEIPT_PUBLIC_KEY_SCHEMA = 'countersign.receipt-public-key/1' as const
export const ReceiptPublicKeyFile = z
  .object({
    schema: z.literal(RECEIPT_PUBLIC_KEY_SCHEMA),
    workspaceId: z.string(),
    algorithm: z.literal('ed25519'),
    keyId: z.string(),
    publicKey: Hex(32),
    /** From the first key to this one, oldest first. */
    handovers: z.array(ReceiptKeyHandoverSchema),
  })
  .strict()
export type ReceiptPublicKeyFile = z.infer<typeof ReceiptPublicKeyFile>

export const ReceiptKeyState = z.object({
  /** The live key; null before the first receipt (or receipts.key.rotate) made one. */
  current: ReceiptKeyInfo.nullable(),
  /** Every key, oldest first. */
  keys: z.array(ReceiptKeyInfo),
  /** What `receipts key export` writes; null without a key. */
  publicKeyFile: ReceiptPublicKeyFile.nullable(),
})
export type ReceiptKeyState = z.infer<typeof ReceiptKeyState>

/**
 * Why a payment due a receipt does not get it yet (a receipt attests a FINAL payment):
 *  - finality: an EVM payout's block is still inside the reorg window (the engine still watches
 *    it; a reorg may yet move the payment to another block) — `blocksLeft` more blocks to go;
 *  - reorged: its block left the chain; the engine is confirming the payment again;
 *  - chain-unreadable: the chain's head could not be read (offline, or the chain not configured),
 *    so finality is unknown and the receipt is held, never issued early.
 * The sentence a person reads is receiptWaitSentence (./receiptWaits.ts).
 */
export const ReceiptWait = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('finality'), network: z.string(), block: z.string(), blocksLeft: Int.min(1), windowBlocks: Int.min(1) }),
  z.object({ kind: z.literal('reorged'), network: z.string(), block: z.string() }),
  z.object({ kind: z.literal('chain-unreadable'), network: z.string(), detail: z.string() }),
])
export type ReceiptWait = z.infer<typeof ReceiptWait>

/** One payment due a receipt: issued at the next sweep (waitingFor null), or waiting, and why. */
export const ReceiptDueItem = z.object({
  subjectKey: z.string(),
  kind: z.enum(['payout', 'escrow', 'reversal']),
  payoutId: Id.nullable(),
  rail: z.string().nullable(),
  network: z.string().nullable(),
  /** The payment as a person names it: "Payout …", "Escrow "…", milestone 2: release to the payee", … */
  title: z.string(),
  waitingFor: ReceiptWait.nullable(),
  /** What a person reads: why it waits, or that it is issued at the next sweep. */
  reason: z.string(),
})
export type ReceiptDueItem = z.infer<typeof ReceiptDueItem>

export const IssueResult = z.object({
  issued: Int,
  /** The numbers issued by this call, first and last; null when none was due. */
  first: Int.nullable(),
  last: Int.nullable(),
  /** Payments not receipted yet, with why (the original of a reversal not issued yet, …). */
  waiting: Int,
  /** The first of those (at most RECEIPT_WAITS_LISTED_MAX) that wait for something the rail has not given yet (finality), with why. */
  waitingFor: z.array(ReceiptDueItem),
})
export type IssueResult = z.infer<typeof IssueResult>

export const OrganisationSettings = z.object({
  name: z.string(),
  address: z.string(),
  registrationNumber: z.string(),
  /** Base64 of the PNG, or null. */
  logoPng: z.string().nullable(),
  updatedAt: IsoTimestamp.nullable(),
  updatedBy: z.string().nullable(),
})
export type OrganisationSettings = z.infer<typeof OrganisationSettings>

export const OrganisationInput = z
  .object({
    name: SafeText(ORGANISATION_NAME_CHARS_MAX, { charsMin: 0 }),
    /** Lines joined by "\n". */
    address: SafeText(ORGANISATION_ADDRESS_CHARS_MAX, { charsMin: 0, multiline: true }),
    registrationNumber: SafeText(ORGANISATION_REGISTRATION_CHARS_MAX, { charsMin: 0 }),
    logoPng: z.string().max(ORGANISATION_LOGO_BASE64_CHARS_MAX).nullable(),
  })
  .strict()
export type OrganisationInput = z.infer<typeof OrganisationInput>

const Cursor = z.string().regex(/^\d{1,15}$/, 'a cursor is the nextCursor of the previous page')

export const receiptCalls = {
  'receipts.list': call({
    summary: 'Receipts, newest first, filtered (text, payee, batch, kind, dates), with totals per asset over the whole filter.',
    mutates: false,
    input: ReceiptFilter.extend({
      cursor: Cursor.optional(),
      limit: Int.min(1).max(RECEIPTS_PAGE_MAX).optional(),
      /**
       * false: the first page without its totals (null), at once — then ask receipts.totals. The
       * totals of a broad filter read every match the first time (~0.1 s at 100,000 receipts).
       */
      totals: z.boolean().optional(),
    }).strict(),
    output: ReceiptPage,
  }),
  'receipts.totals': call({
    summary: 'Totals per asset over every receipt a filter matches (what receipts.list gives with its first page).',
    mutates: false,
    input: ReceiptFilter,
    output: z.object({ totals: z.array(ReceiptTotal) }),
  }),
  'receipts.get': call({
    summary: 'One receipt: the file a payee gets (document, hash, signatures, proofs) and its summary row.',
    mutates: false,
    input: z.object({ number: Int.min(1) }).strict(),
    output: z.object({ file: ReceiptFileSchema, summary: ReceiptSummary }),
  }),
  'receipts.payee': call({
    summary: "A payee's history: their receipts (paged) with totals per asset and per month.",
    mutates: false,
    input: z
      .object({
        payee: z.string().trim().min(1).max(RECEIPT_QUERY_CHARS_MAX),
        cursor: Cursor.optional(),
        limit: Int.min(1).max(RECEIPTS_PAGE_MAX).optional(),
      })
      .strict(),
    output: z.object({
      payee: z.string(),
      /** The names the payee was paid under, most recent first. */
      names: z.array(z.string()),
      recipients: z.array(z.string()),
      page: ReceiptPage,
      totals: z.array(ReceiptTotal),
      months: z.array(ReceiptTotal.extend({ month: z.string() })),
    }),
  }),
  'receipts.issue': call({
    summary: 'Issue the receipts still due (every final payment without one), in order; the poller does it too.',
    mutates: true,
    input: z.object({ batchId: Id.optional() }).strict(),
    output: IssueResult,
  }),
  'receipts.due': call({
    summary:
      'Payments due a receipt and not receipted yet, each with why it waits (an EVM payout or escrow outcome until its block is past the reorg window); reads each chain head.',
    mutates: false,
    input: z.object({ batchId: Id.optional(), limit: Int.min(1).max(RECEIPTS_PAGE_MAX).optional() }).strict(),
    output: z.object({
      /** Every payment due a receipt (the filter's). */
      due: Int,
      /** Of those, waiting (for finality, the chain, an earlier receipt). */
      waiting: Int,
      /** The first `limit` (default 50), waiting ones first, in issuing order. */
      items: z.array(ReceiptDueItem),
    }),
  }),
  'receipts.verify': call({
    summary: 'Check a receipt file (JSON or PDF) as a payee would: hash, signature, key hand-overs, batch proof, and the rail when online.',
    mutates: false,
    input: z
      .object({
        /** The file: its text (JSON), or its bytes as base64 (PDF or JSON). */
        content: z.string().min(1).max(RECEIPT_VERIFY_BASE64_CHARS_MAX),
        encoding: z.enum(['text', 'base64']),
        /** A public key file (receipts key export) to trust instead of this workspace's keys. */
        publicKey: z.string().max(RECEIPT_PUBLIC_KEY_FILE_CHARS_MAX).optional(),
        /** Look the evidence up on its rail (default true). */
        online: z.boolean().optional(),
      })
      .strict(),
    output: ReceiptVerification,
  }),
  'receipts.key.get': call({
    summary: "The workspace's receipt keys (public halves) and its public key file.",
    mutates: false,
    input: Empty,
    output: ReceiptKeyState,
  }),
  'receipts.key.rotate': call({
    summary:
      'Make a new receipt key (admin): the old key signs the hand-over, so receipts it signed stay verifiable. Creates the first key when none exists.',
    mutates: true,
    input: Empty,
    output: ReceiptKeyState,
  }),
  'settings.organisation.get': call({
    summary: 'The organisation printed as the payer on receipts: name, address, registration number and logo.',
    mutates: false,
    input: Empty,
    output: OrganisationSettings,
  }),
  'settings.organisation.set': call({
    summary: 'Replace the organisation details on receipts (admin). Receipts already issued keep what they say.',
    mutates: true,
    input: OrganisationInput,
    output: OrganisationSettings,
  }),
} as const

// Compile-time: the schemas above and the document types of ./receiptTypes.ts are the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Assert<T extends true> = T
export type ReceiptSchemasMatchTypes = [
  Assert<Same<z.infer<typeof ReceiptDocumentSchema>, ReceiptDocument>>,
  Assert<Same<z.infer<typeof ReceiptFileSchema>, ReceiptFile>>,
  Assert<Same<z.infer<typeof ReceiptKeyHandoverSchema>, ReceiptKeyHandover>>,
  Assert<Same<z.infer<typeof ReceiptBatchAttestationSchema>, ReceiptBatchAttestation>>,
]
