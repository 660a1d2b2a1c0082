/**
 * What the receipt PDFs say, apart from the layout: titles, labels, dates, the rail evidence as
 * label/value rows. English, fixed: no Intl (its locale data differs between Node and Electron
 * builds, and the bytes of a receipt must not).
 */
import type { ReceiptAmount, ReceiptDocument, ReceiptEventKind, ReceiptEvidence, ReceiptKind } from '../../../../shared/receiptTypes'
import { assertNever } from '../../util/invariant'

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const MONTHS_SHORT = MONTHS.map((m) => m.slice(0, 3))

export function receiptTitle(kind: ReceiptKind): string {
  switch (kind) {
    case 'payout':
      return 'Payment receipt'
    case 'escrow_release':
      return 'Escrow release'
    case 'escrow_refund':
      return 'Refund'
    case 'reversal':
      return 'Reversal'
    default:
      return assertNever(kind, 'receipt kind')
  }
}

/** "Paid", "Released", "Refunded", "Reversed": what happened at `paidAt`. */
export function paidVerb(kind: ReceiptKind): string {
  switch (kind) {
    case 'payout':
      return 'Paid'
    case 'escrow_release':
      return 'Released'
    case 'escrow_refund':
      return 'Refunded'
    case 'reversal':
      return 'Reversed'
    default:
      return assertNever(kind, 'receipt kind')
  }
}

/** The sentence under the title of a receipt that corrects an earlier one. */
export function previousNote(receipt: ReceiptDocument): string | null {
  const previous = receipt.previous
  if (previous === null) return null
  const what = receipt.kind === 'reversal' ? 'reverses' : receipt.kind === 'escrow_refund' ? 'refunds' : 'follows'
  return `This receipt ${what} receipt ${previous.displayNumber}, which stays valid as the record of the original payment. Read the two together.`
}

export function eventLabel(kind: ReceiptEventKind): string {
  switch (kind) {
    case 'created':
      return 'Created'
    case 'approved':
      return 'Approved'
    case 'signed':
      return 'Signed'
    case 'broadcast':
      return 'Broadcast'
    case 'confirmed':
      return 'Confirmed'
    case 'released':
      return 'Released'
    case 'refunded':
      return 'Refunded'
    case 'reversed':
      return 'Reversed'
    default:
      return assertNever(kind, 'receipt event')
  }
}

/** "2 January 2026, 03:04:05 UTC" */
export function longDateTime(iso: string): string {
  const d = new Date(iso)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hms(d)} UTC`
}

/** "2 Jan 2026" */
export function shortDate(iso: string): string {
  const d = new Date(iso)
  return `${d.getUTCDate()} ${MONTHS_SHORT[d.getUTCMonth()]} ${d.getUTCFullYear()}`
}

/** "2026-01-02 03:04:05" (UTC), for the timeline. */
export function isoDateTime(iso: string): string {
  const d = new Date(iso)
  return `${d.toISOString().slice(0, 10)} ${hms(d)}`
}

function hms(d: Date): string {
  return [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}

/** The exact amount as written in the receipt: its value text, never re-formatted, and the asset code. */
export function amountText(amount: ReceiptAmount): string {
  return `${amount.value} ${amount.code}`
}

export interface EvidenceRow {
  label: string
  value: string
  /** Hashes, addresses and ids: set in the monospaced face. */
  mono: boolean
}

export function railName(evidence: ReceiptEvidence): string {
  switch (evidence.rail) {
    case 'evm':
      return 'EVM transaction'
    case 'stellar':
      return 'Stellar transaction'
    case 'stripe':
      return 'Stripe Connect transfer'
    default:
      return assertNever(evidence, 'rail')
  }
}

export function evidenceRows(evidence: ReceiptEvidence): EvidenceRow[] {
  const row = (label: string, value: string, mono = true): EvidenceRow => ({ label, value, mono })
  switch (evidence.rail) {
    case 'evm':
      return [
        row('Network', `${evidence.network} (chain id ${evidence.chainId})`, false),
        row('Transaction hash', evidence.txHash),
        row('Block', evidence.blockNumber),
        row('Block hash', evidence.blockHash),
        row('Log index', evidence.logIndex === null ? 'none (native transfer)' : String(evidence.logIndex), evidence.logIndex !== null),
        row('From', evidence.from),
        row('Contract', evidence.to),
      ]
    case 'stellar':
      return [
        row('Network', `${evidence.network} (${evidence.networkPassphrase})`, false),
        row('Transaction hash', evidence.txHash),
        row('Ledger', evidence.ledger),
        row('Operation index', String(evidence.operationIndex)),
        row('Source account', evidence.source),
      ]
    case 'stripe':
      return [
        row('Network', evidence.network, false),
        row('Transfer', evidence.transferId),
        row('Balance transaction', evidence.balanceTransactionId ?? 'not yet seen by the sync', evidence.balanceTransactionId !== null),
        row('Bank payout', evidence.payoutId ?? 'not yet known', evidence.payoutId !== null),
        row('Destination', evidence.destination),
      ]
    default:
      return assertNever(evidence, 'rail')
  }
}

/** The rail's reference for a payment in a table: the transaction hash, or Stripe's transfer id. */
export function txReference(evidence: ReceiptEvidence): string {
  return evidence.rail === 'stripe' ? evidence.transferId : evidence.txHash
}

/** "receipt-CS-2026-000042.json": the attachment's name (file-name-safe). */
export function attachmentName(displayNumber: string): string {
  return `receipt-${fileNameSafe(displayNumber)}.json`
}

/** Letters, digits, ".", "_" and "-" kept; anything else becomes "_". */
export function fileNameSafe(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')
  return safe === '' ? '_' : safe
}
