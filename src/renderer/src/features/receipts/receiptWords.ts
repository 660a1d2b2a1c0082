/**
 * What the Receipts view says about a receipt: kinds, the verification checks, timeline events and
 * the rail evidence, in words a finance person reads — and amounts grouped for reading, exact (the
 * core's decimal text is never parsed into a number).
 */
import type { ReceiptCheck, ReceiptFilter } from '../../../../shared/receiptsApi'
import type { ReceiptEventKind, ReceiptEvidence, ReceiptKind } from '../../../../shared/receiptTypes'
import { formatDisplay, formatExact, networkName } from '../../lib/format'

export const KIND_LABELS: Record<ReceiptKind, string> = {
  payout: 'Payout',
  escrow_release: 'Escrow release',
  escrow_refund: 'Escrow refund',
  reversal: 'Reversal',
}

/** Money that went back to the payer rather than to the payee: shown apart so nobody adds it to what was paid. */
export function isMoneyBack(kind: ReceiptKind): boolean {
  return kind === 'reversal' || kind === 'escrow_refund'
}

export const CHECK_LABELS: Record<ReceiptCheck['name'], string> = {
  schema: 'Receipt file',
  hash: 'Fingerprint (SHA-256)',
  signature: 'Workspace signature',
  handovers: 'Key hand-overs',
  key: 'Trusted key',
  'batch-attestation': 'Treasury device signature',
  'rail-evidence': 'Payment on the rail',
}

export const STATUS_LABELS: Record<ReceiptCheck['status'], string> = { pass: 'Pass', fail: 'Fail', skipped: 'Skipped' }
export const STATUS_COLORS: Record<ReceiptCheck['status'], string> = { pass: 'teal', fail: 'red', skipped: 'gray' }

export const EVENT_LABELS: Record<ReceiptEventKind, string> = {
  created: 'Created',
  approved: 'Approved',
  signed: 'Signed',
  broadcast: 'Sent',
  confirmed: 'Confirmed',
  released: 'Released',
  refunded: 'Refunded',
  reversed: 'Reversed',
}

/** "1234567.5" -> "1,234,567.5": grouped at the precision the core wrote, never rounded. */
export function groupedAmount(value: string): string {
  const dot = value.indexOf('.')
  return formatExact(value, dot === -1 ? 0 : value.length - dot - 1)
}

/** The scale a decimal string was written at ("1250.500000" → 6). */
const scaleOf = (value: string): number => {
  const dot = value.indexOf('.')
  return dot === -1 ? 0 : value.length - dot - 1
}

/**
 * "1,250.5 USDC" for "1250.500000": the one display form of every view (trailing zeros trimmed,
 * never rounded — shared/displayAmount.ts); the exact form is exactAmountWithCode, shown on hover.
 */
export function amountWithCode(value: string, code: string): string {
  return `${formatDisplay(value, scaleOf(value), code)} ${code}`
}

/** "1,250.500000 USDC": exact at the scale the core wrote (hover, copy). */
export function exactAmountWithCode(value: string, code: string): string {
  return `${groupedAmount(value)} ${code}`
}

export interface EvidenceRow {
  label: string
  value: string
  /** Hashes, addresses, ids: monospace, with a copy button. */
  mono: boolean
  /** The rail's own id of the payment (tx hash, Stripe transfer): shown as every view shows it (RailReference). */
  railId?: boolean
}

/** Every field of the rail's evidence, labelled; nothing left out, nothing invented. */
export function evidenceRows(e: ReceiptEvidence): EvidenceRow[] {
  switch (e.rail) {
    case 'evm':
      return [
        { label: 'Network', value: `${networkName('evm', String(e.chainId))} (chain ${e.chainId})`, mono: false },
        { label: 'Transaction hash', value: e.txHash, mono: true, railId: true },
        { label: 'Block', value: e.blockNumber, mono: true },
        { label: 'Block hash', value: e.blockHash, mono: true },
        {
          label: 'Log index',
          value: e.logIndex === null ? 'none (a transfer without a log)' : String(e.logIndex),
          mono: e.logIndex !== null,
        },
        { label: 'From', value: e.from, mono: true },
        { label: 'Contract called', value: e.to, mono: true },
      ]
    case 'stellar':
      return [
        { label: 'Network', value: `${networkName('stellar', e.network)} (${e.networkPassphrase})`, mono: false },
        { label: 'Transaction hash', value: e.txHash, mono: true, railId: true },
        { label: 'Ledger', value: e.ledger, mono: true },
        { label: 'Operation', value: `${e.operationIndex + 1} (index ${e.operationIndex})`, mono: false },
        { label: 'Source account', value: e.source, mono: true },
      ]
    case 'stripe':
      return [
        { label: 'Network', value: `Stripe (${e.network})`, mono: false },
        { label: 'Transfer', value: e.transferId, mono: true, railId: true },
        {
          label: 'Balance transaction',
          value: e.balanceTransactionId ?? 'not seen by the sync yet',
          mono: e.balanceTransactionId !== null,
        },
        { label: 'Bank payout', value: e.payoutId ?? 'none known', mono: e.payoutId !== null },
        { label: 'Destination', value: e.destination, mono: true },
      ]
  }
}

/** What the search form holds: text fields as typed ("" = any), a kind or a batch chosen or not. */
export interface SearchFilter {
  query: string
  kind: ReceiptKind | null
  /** YYYY-MM-DD or "". */
  from: string
  to: string
  batchId: string | null
}

export const EMPTY_FILTER: SearchFilter = { query: '', kind: null, from: '', to: '', batchId: null }

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** The contract's filter for what the form holds: empty fields left out, dates only when whole. */
export function toReceiptFilter(f: SearchFilter): ReceiptFilter {
  const query = f.query.trim()
  return {
    ...(query !== '' ? { query } : {}),
    ...(f.kind !== null ? { kind: f.kind } : {}),
    ...(DAY.test(f.from) ? { from: f.from } : {}),
    ...(DAY.test(f.to) ? { to: f.to } : {}),
    ...(f.batchId !== null ? { batchId: f.batchId } : {}),
  }
}

/** The dates cannot both hold: "from" after "to". The sentence to show, or null. */
export function dateProblem(f: SearchFilter): string | null {
  return DAY.test(f.from) && DAY.test(f.to) && f.from > f.to ? `"From" (${f.from}) is after "to" (${f.to}) — no receipt can match.` : null
}

/** One sentence about the verification as a whole, under the verdict ("genuine" / "does not verify"). */
export function verdictSentence(ok: boolean, checks: readonly ReceiptCheck[]): string {
  const failed = checks.filter((c) => c.status === 'fail').map((c) => lowerFirst(CHECK_LABELS[c.name]))
  if (ok) {
    const skipped = checks.filter((c) => c.status === 'skipped').length
    return skipped === 0 ? 'Every check passed.' : `Every check that could be made passed; ${skipped} could not be made (see below).`
  }
  if (failed.length > 0)
    return `The ${failed.join(', the ')} check${failed.length === 1 ? '' : 's'} failed: do not rely on what the file says.`
  return 'The key that signed it is not one this workspace trusts: it proves nothing about who issued it.'
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}
