/**
 * External signing, Stellar side: export unsigned transaction envelopes (XDR) and accept a signed
 * envelope only if its transaction hash equals the approved one (the hash covers the source,
 * sequence, fee, time bounds, memo and every operation's destination, asset and amount) and it
 * carries exactly one valid ed25519 signature by the source account.
 */
import { FeeBumpTransaction, Keypair, StrKey, TransactionBuilder, type Transaction } from '@stellar/stellar-base'
import { CsError } from '../../../../shared/errors'
import type { VerifiedSigned } from './externalEvm'
import { EXTERNAL_SIGNING_FORMAT, type ExternalSigningFile, type ExternalStellarItem } from './externalFile'

export interface StellarExportItem {
  submissionId: string
  /** G… account that must sign. */
  source: string
  networkPassphrase: string
  /** base64 XDR of the unsigned TransactionEnvelope. */
  unsignedXdr: string
}

export type StellarExpected = StellarExportItem

function readEnvelope(id: string, xdrText: string, networkPassphrase: string, what: 'unsigned' | 'signed'): Transaction {
  let tx: Transaction | FeeBumpTransaction
  try {
    tx = TransactionBuilder.fromXDR(xdrText, networkPassphrase)
  } catch (error) {
    const code = what === 'unsigned' ? 'INVALID_INPUT' : 'EXTERNAL_SIGNATURE_INVALID'
    throw new CsError(code, `Submission ${id}: the ${what} Stellar transaction cannot be read.`, { cause: error })
  }
  if (tx instanceof FeeBumpTransaction) {
    const code = what === 'unsigned' ? 'INVALID_INPUT' : 'EXTERNAL_CONTENT_MISMATCH'
    throw new CsError(
      code,
      `Submission ${id}: the ${what} Stellar transaction is a fee bump, which Countersign does not sign externally.`,
      {
        details: { field: 'envelope type' },
      },
    )
  }
  return tx
}

function checkSource(item: StellarExportItem): void {
  if (!StrKey.isValidEd25519PublicKey(item.source)) {
    throw new CsError('INVALID_INPUT', `Submission ${item.submissionId}: the source ${item.source} is not a Stellar account.`)
  }
}

function opSummary(op: Transaction['operations'][number]): {
  type: string
  destination: string | null
  asset: string | null
  amount: string | null
} {
  const o = op as unknown as Record<string, unknown>
  const asset = o['asset'] as { toString(): string } | undefined
  return {
    type: op.type,
    destination: typeof o['destination'] === 'string' ? o['destination'] : null,
    asset: asset ? asset.toString() : null,
    amount: typeof o['amount'] === 'string' ? o['amount'] : null,
  }
}

export function exportUnsignedStellar(items: readonly StellarExportItem[], now: Date = new Date()): ExternalSigningFile {
  const seen = new Set<string>()
  const out: ExternalStellarItem[] = items.map((item) => {
    if (seen.has(item.submissionId)) throw new CsError('INVALID_INPUT', `Submission ${item.submissionId} is listed twice.`)
    seen.add(item.submissionId)
    checkSource(item)
    const tx = readEnvelope(item.submissionId, item.unsignedXdr, item.networkPassphrase, 'unsigned')
    if (tx.source !== item.source) {
      throw new CsError('INVALID_INPUT', `Submission ${item.submissionId}: the transaction's source is ${tx.source}, not ${item.source}.`)
    }
    if (tx.signatures.length > 0)
      throw new CsError('INVALID_INPUT', `Submission ${item.submissionId}: the payload to export is already signed.`)
    return {
      submissionId: item.submissionId,
      source: item.source,
      networkPassphrase: item.networkPassphrase,
      unsigned: tx.toEnvelope().toXDR('base64'),
      summary: { hash: tx.hash().toString('hex'), sequence: tx.sequence, fee: tx.fee, operations: tx.operations.map(opSummary) },
    }
  })
  return { format: EXTERNAL_SIGNING_FORMAT, rail: 'stellar', createdAt: now.toISOString(), items: out }
}

function verifies(keypair: Keypair, hash: Buffer, signature: Buffer): boolean {
  try {
    return keypair.verify(hash, signature)
  } catch {
    return false
  }
}

/** Names the first field that differs, for a sentence a person can act on. */
function firstDifference(a: Transaction, b: Transaction): string {
  if (a.source !== b.source) return 'source account'
  if (a.sequence !== b.sequence) return 'sequence number'
  if (a.fee !== b.fee) return 'fee'
  if (JSON.stringify(a.timeBounds ?? null) !== JSON.stringify(b.timeBounds ?? null)) return 'time bounds'
  if (a.memo.toXDRObject().toXDR('hex') !== b.memo.toXDRObject().toXDR('hex')) return 'memo'
  if (a.operations.length !== b.operations.length) return 'number of operations'
  for (let i = 0; i < a.operations.length; i++) {
    const x = opSummary(a.operations[i] as Transaction['operations'][number])
    const y = opSummary(b.operations[i] as Transaction['operations'][number])
    if (x.type !== y.type) return `operation ${i + 1} type`
    if (x.destination !== y.destination) return `operation ${i + 1} destination`
    if (x.asset !== y.asset) return `operation ${i + 1} asset`
    if (x.amount !== y.amount) return `operation ${i + 1} amount`
  }
  return 'transaction content'
}

/**
 * Accepts `signedXdr` only if it is the approved transaction (equal hash) with exactly one valid
 * signature by `source`. Throws EXTERNAL_CONTENT_MISMATCH (naming the field) or
 * EXTERNAL_SIGNATURE_INVALID.
 */
export function verifySignedStellar(expected: StellarExpected, signedXdr: string): VerifiedSigned {
  const id = expected.submissionId
  checkSource(expected)
  const unsigned = readEnvelope(id, expected.unsignedXdr, expected.networkPassphrase, 'unsigned')
  if (typeof signedXdr !== 'string' || signedXdr.length === 0) {
    throw new CsError('EXTERNAL_SIGNATURE_INVALID', `Submission ${id}: no signed Stellar transaction was returned — nothing was accepted.`)
  }
  const signed = readEnvelope(id, signedXdr, expected.networkPassphrase, 'signed')
  const hash = unsigned.hash()
  if (!signed.hash().equals(hash)) {
    const field = firstDifference(unsigned, signed)
    throw new CsError(
      'EXTERNAL_CONTENT_MISMATCH',
      `Submission ${id}: the signed transaction has another ${field} than the approved one — nothing was accepted.`,
      {
        details: { field },
      },
    )
  }
  if (unsigned.source !== expected.source) {
    throw new CsError('EXTERNAL_CONTENT_MISMATCH', `Submission ${id}: the approved transaction's source is not ${expected.source}.`, {
      details: { field: 'source account' },
    })
  }
  if (signed.signatures.length !== 1) {
    throw new CsError(
      'EXTERNAL_SIGNATURE_INVALID',
      `Submission ${id}: expected exactly one signature by ${expected.source}, found ${signed.signatures.length} — nothing was accepted.`,
    )
  }
  const keypair = Keypair.fromPublicKey(expected.source)
  const decorated = signed.signatures[0]
  const valid =
    decorated !== undefined && decorated.hint().equals(keypair.signatureHint()) && verifies(keypair, hash, decorated.signature())
  if (!valid) {
    throw new CsError(
      'EXTERNAL_SIGNATURE_INVALID',
      `Submission ${id}: the transaction is not signed by the source ${expected.source} — nothing was accepted.`,
      {
        details: { field: 'signer' },
      },
    )
  }
  return { hash: hash.toString('hex'), signed: signed.toEnvelope().toXDR('base64') }
}
