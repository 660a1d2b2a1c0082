/**
 * Receipts (issue 16): what a payee, an auditor and an accountant are handed as proof of a
 * payment. The shapes here are the *document*; the core issues it (src/main/core/receipts), the
 * PDF renderer draws it, `receipts verify` checks it, and the renderer shows it.
 *
 * A receipt is canonical JSON (src/main/core/util/canonicalJson.ts: keys sorted, no whitespace,
 * amounts as decimal strings, integers only where a count is meant) and its SHA-256 is its
 * identity. Receipts never expire and never change: a reversal or a refund is a new receipt whose
 * `previous` names the earlier one by number and hash.
 *
 * The file a payee gets (`ReceiptFile`) is the document plus its proofs: the workspace's Ed25519
 * signature over the hash, the key hand-overs back to the key in use when it was signed, and —
 * for EVM and Stellar batches — the treasury device's signature over the Merkle root of the
 * batch's receipts with this receipt's inclusion proof.
 */

export const RECEIPT_SCHEMA = 'countersign.receipt/1' as const
export const RECEIPT_FILE_SCHEMA = 'countersign.receipt-file/1' as const

/** payout: a confirmed payout. escrow_release / escrow_refund: money leaving an escrow. reversal: money that came back (Stripe transfer reversal). */
export type ReceiptKind = 'payout' | 'escrow_release' | 'escrow_refund' | 'reversal'

export type ReceiptRail = 'evm' | 'stellar' | 'stripe'

/** The organisation paying (Settings → Organisation). */
export interface ReceiptPayer {
  name: string
  /** Postal address, lines joined by "\n"; "" when not set. */
  address: string
  /** Company registration number; "" when not set. */
  registrationNumber: string
  /** The account the money left: treasury address (0x…, G…) or the Stripe platform ("platform"). */
  account: string
}

export interface ReceiptPayee {
  /** The name on the payout / escrow ("" when none was given). */
  name: string
  /** 0x… address, G… account or acct_… Stripe connected account, exactly as paid. */
  recipient: string
}

/** An exact amount: minor units as a decimal integer string, with the asset and its scale. */
export interface ReceiptAmount {
  /** Decimal text at the asset's scale, e.g. "1234.50" (never rounded). */
  value: string
  /** Minor units, decimal integer text, e.g. "123450". */
  minor: string
  /** Ledger asset id, e.g. "USDC@anvil". */
  assetId: string
  /** What a person reads: "USDC", "XLM", "USD". */
  code: string
  scale: number
}

export type ReceiptEvidence =
  | {
      rail: 'evm'
      /** Decimal text. */
      chainId: string
      network: string
      txHash: string
      /** Decimal text. */
      blockNumber: string
      blockHash: string
      /** The `Paid` / transfer log's index in the block; null for a native transfer with no log. */
      logIndex: number | null
      from: string
      /** The contract called (batch payer / token / escrow). */
      to: string
    }
  | {
      rail: 'stellar'
      network: string
      /** The network passphrase's name: "public", "testnet" or the sandbox's. */
      networkPassphrase: string
      txHash: string
      /** Decimal text. */
      ledger: string
      /** 0-based index of the operation inside the transaction. */
      operationIndex: number
      source: string
    }
  | {
      rail: 'stripe'
      network: string
      /** tr_… */
      transferId: string
      /** txn_… of the transfer on the platform, when the sync has seen it. */
      balanceTransactionId: string | null
      /** po_… when a bank payout of the connected account is known to carry it. */
      payoutId: string | null
      destination: string
    }

export type ReceiptEventKind = 'created' | 'approved' | 'signed' | 'broadcast' | 'confirmed' | 'released' | 'refunded' | 'reversed'
export interface ReceiptEvent {
  kind: ReceiptEventKind
  /** ISO-8601 UTC. */
  at: string
  /** Operator display name (and id in brackets) or the device / rail that did it; "" when none. */
  by: string
  /** e.g. "12 confirmations", "batch version 3". "" when none. */
  detail: string
}

export interface ReceiptDocument {
  schema: typeof RECEIPT_SCHEMA
  kind: ReceiptKind
  /** Gap-free per workspace, from 1. */
  number: number
  /** What is printed: e.g. "CS-2026-000042" (workspace prefix + number). */
  displayNumber: string
  workspaceId: string
  /** When the payment was final (confirmed / reversed / released), ISO-8601 UTC; the PDF's dates. */
  paidAt: string
  payer: ReceiptPayer
  payee: ReceiptPayee
  amount: ReceiptAmount
  /** What the rail charged for this payment, in the asset it was charged in; null when nothing was charged per payout. */
  fee: ReceiptAmount | null
  /** What the payee received when it differs from `amount` (fee deducted from the payment); else null. */
  net: ReceiptAmount | null
  subject: {
    /** Payout id, or escrow action id for escrow receipts. */
    id: string
    batchId: string | null
    escrowId: string | null
    milestone: number | null
    /** The payer's reference (invoice numbers), "" when none. */
    reference: string
    memo: string
    description: string
  }
  evidence: ReceiptEvidence
  timeline: ReceiptEvent[]
  ledger: {
    entryIds: string[]
    /** The audit row that recorded the payment (its seq and hash). */
    auditSeq: number
    auditHash: string
  }
  /** Reversal / refund: the receipt it corrects. */
  previous: { number: number; displayNumber: string; sha256: string } | null
}

export interface ReceiptKeySignature {
  algorithm: 'ed25519'
  /** Short id: first 16 hex of SHA-256 of the public key. */
  keyId: string
  /** 32-byte public key, hex. */
  publicKey: string
  /** 64-byte signature over the 32 bytes of `sha256`, hex. */
  signature: string
}

/** A rotation: the old key signs the new public key (and the moment), so trust carries over. */
export interface ReceiptKeyHandover {
  fromKeyId: string
  fromPublicKey: string
  toKeyId: string
  toPublicKey: string
  at: string
  /** Old key's signature over canonicalJson({ at, fromKeyId, toKeyId, toPublicKey, schema: 'countersign.receipt-key-handover/1' }). */
  signature: string
}

/** One step of a Merkle inclusion proof: the sibling hash and which side it sits on. */
export interface MerkleStep {
  side: 'left' | 'right'
  hash: string
}

/** The treasury device's signature over the root of one batch's receipts. */
export interface ReceiptBatchAttestation {
  chain: 'evm' | 'stellar'
  batchId: string
  /** The treasury address (0x…) / account (G…) that paid. */
  signer: string
  /** Hex of the Merkle root (leaves: SHA-256(0x00 ‖ receipt hash), nodes: SHA-256(0x01 ‖ left ‖ right)). */
  root: string
  leafCount: number
  /** The exact text the device signed (EIP-191 personal message / SEP-53 message). */
  message: string
  /** EVM: 65-byte r‖s‖v hex. Stellar: 64-byte ed25519 hex. */
  signature: string
  leafIndex: number
  proof: MerkleStep[]
}

export interface ReceiptFile {
  schema: typeof RECEIPT_FILE_SCHEMA
  receipt: ReceiptDocument
  /** Hex SHA-256 of canonicalJson(receipt). */
  sha256: string
  workspaceSignature: ReceiptKeySignature
  /** Hand-overs from the workspace's first key to the key that signed, oldest first. */
  handovers: ReceiptKeyHandover[]
  batchAttestation: ReceiptBatchAttestation | null
}
