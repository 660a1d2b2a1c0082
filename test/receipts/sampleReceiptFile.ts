/**
 * Realistic receipt files for tests and the PDF bench, built without a database: a document like
 * the receipts core issues, its canonical-JSON SHA-256, and a real Ed25519 signature by a
 * throwaway key derived from a fixed seed (so two processes build the very same file).
 */
import { createHash } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { canonicalJson } from '../../src/main/core/util/canonicalJson'
import {
  RECEIPT_FILE_SCHEMA,
  RECEIPT_SCHEMA,
  type ReceiptAmount,
  type ReceiptDocument,
  type ReceiptEvidence,
  type ReceiptFile,
  type ReceiptKind,
  type ReceiptRail,
} from '../../src/shared/receiptTypes'

/** Names in every script the receipt font covers (and one long one that must wrap). */
export const SAMPLE_PAYEE_NAMES = [
  'Maria Fernández Łukasiewicz',
  'Дмитрий Иванович Соколов',
  'Γεώργιος Παπαδόπουλος',
  '王小明',
  '山田 太郎 (やまだ たろう)',
  '김민준',
  'محمد بن عبد الله',
  'דוד כהן',
  'Studio Nørrebro ApS — Invoice department for the Copenhagen and Aarhus offices',
] as const

const SECRET = createHash('sha256').update('countersign test receipt key (throwaway)').digest()
const PUBLIC_KEY = Buffer.from(ed25519.getPublicKey(SECRET)).toString('hex')
const KEY_ID = createHash('sha256').update(Buffer.from(PUBLIC_KEY, 'hex')).digest('hex').slice(0, 16)

export interface SampleReceiptOptions {
  number?: number
  kind?: ReceiptKind
  rail?: ReceiptRail
  payeeName?: string
  /** Decimal text at the asset's scale. */
  value?: string
  scale?: number
  code?: string
  reference?: string
  paidAt?: string
  withFee?: boolean
  previous?: ReceiptDocument['previous']
  /** The address / account paid; by default one per receipt number. */
  recipient?: string
}

function hex(seed: string, bytes = 32): string {
  let out = ''
  for (let i = 0; out.length < bytes * 2; i++) out += createHash('sha256').update(`${seed}:${i}`).digest('hex')
  return out.slice(0, bytes * 2)
}

function amountOf(value: string, scale: number, code: string, assetId: string): ReceiptAmount {
  const [whole, fraction = ''] = value.split('.')
  return { value, minor: BigInt(`${whole}${fraction}`).toString(), assetId, code, scale }
}

function evidenceFor(rail: ReceiptRail, n: number): ReceiptEvidence {
  switch (rail) {
    case 'evm':
      return {
        rail,
        chainId: '8453',
        network: 'Base',
        txHash: `0x${hex(`tx${n}`)}`,
        blockNumber: String(24_000_000 + n),
        blockHash: `0x${hex(`block${n}`)}`,
        logIndex: n % 7,
        from: `0x${hex('treasury', 20)}`,
        to: `0x${hex('batch-contract', 20)}`,
      }
    case 'stellar':
      return {
        rail,
        network: 'Stellar',
        networkPassphrase: 'public',
        txHash: hex(`stx${n}`),
        ledger: String(52_000_000 + n),
        operationIndex: n % 100,
        source: 'GBTREASURYSAMPLEACCOUNT7XWQ2Y5ZCMTV3KQF4OVJ6SVS4D5Y3EXAMPLE',
      }
    case 'stripe':
      return {
        rail,
        network: 'Stripe',
        transferId: `tr_${hex(`tr${n}`, 12)}`,
        balanceTransactionId: `txn_${hex(`txn${n}`, 12)}`,
        payoutId: null,
        destination: `acct_${hex(`acct${n}`, 8)}`,
      }
  }
}

export function sampleReceiptDocument(options: SampleReceiptOptions = {}): ReceiptDocument {
  const n = options.number ?? 42
  const rail = options.rail ?? 'evm'
  const scale = options.scale ?? (rail === 'stripe' ? 2 : 6)
  const code = options.code ?? (rail === 'stripe' ? 'USD' : 'USDC')
  const assetId = rail === 'stripe' ? `${code}@stripe` : rail === 'stellar' ? `${code}@stellar:public` : `${code}@evm:8453`
  const value = options.value ?? `${1000 + ((n * 7919) % 90_000)}.${String((n * 104_729) % 10 ** scale).padStart(scale, '0')}`
  const paidAt = options.paidAt ?? new Date(Date.UTC(2026, 0, 2, 3, 4, 5) + n * 3_600_000).toISOString()
  const at = (minutes: number) => new Date(Date.parse(paidAt) - minutes * 60_000).toISOString()
  const recipient =
    options.recipient ??
    (rail === 'stripe'
      ? `acct_${hex(`acct${n}`, 8)}`
      : rail === 'stellar'
        ? `G${hex(`payee${n}`, 28).toUpperCase()}`
        : `0x${hex(`payee${n}`, 20)}`)
  return {
    schema: RECEIPT_SCHEMA,
    kind: options.kind ?? 'payout',
    number: n,
    displayNumber: `CS-2026-${String(n).padStart(6, '0')}`,
    workspaceId: 'ws_7f3a9c2e41d8',
    paidAt,
    payer: {
      name: 'Northwind Treasury Ltd',
      address: '12 Harbour Street\nLeith, Edinburgh EH6 6QW\nUnited Kingdom',
      registrationNumber: 'SC123456',
      account: `0x${hex('treasury', 20)}`,
    },
    payee: { name: options.payeeName ?? SAMPLE_PAYEE_NAMES[n % SAMPLE_PAYEE_NAMES.length]!, recipient },
    amount: amountOf(value, scale, code, assetId),
    fee: options.withFee ? amountOf(`0.${'0'.repeat(scale - 2)}25`, scale, code, assetId) : null,
    net: null,
    subject: {
      id: `po_${hex(`payout${n}`, 8)}`,
      batchId: `b_${hex(`batch${Math.floor(n / 100)}`, 6)}`,
      escrowId: null,
      milestone: null,
      reference: options.reference ?? `INV-2026-${String(1000 + n)}, INV-2026-${String(2000 + n)}`,
      memo: `Payout ${n}`,
      description: 'Contractor payment, December 2025',
    },
    evidence: evidenceFor(rail, n),
    timeline: [
      { kind: 'created', at: at(600), by: 'Priya Preparer (op_01)', detail: 'imported from payouts-december.csv' },
      { kind: 'approved', at: at(300), by: 'Alex Approver (op_02)', detail: 'batch version 3' },
      { kind: 'signed', at: at(30), by: 'Ledger Nano X (treasury)', detail: '' },
      { kind: 'broadcast', at: at(29), by: rail, detail: '' },
      { kind: 'confirmed', at: paidAt, by: rail, detail: rail === 'evm' ? '12 confirmations' : 'final' },
    ],
    ledger: { entryIds: [`e_${hex(`entry${n}`, 8)}`, `e_${hex(`fee${n}`, 8)}`], auditSeq: 10_000 + n, auditHash: hex(`audit${n}`) },
    previous: options.previous ?? null,
  }
}

/** A signed receipt file around `sampleReceiptDocument(options)`. */
export function sampleReceiptFile(options: SampleReceiptOptions = {}): ReceiptFile {
  return signReceiptDocument(sampleReceiptDocument(options))
}

export function signReceiptDocument(receipt: ReceiptDocument): ReceiptFile {
  const sha256 = createHash('sha256').update(canonicalJson(receipt)).digest('hex')
  const signature = Buffer.from(ed25519.sign(Buffer.from(sha256, 'hex'), SECRET)).toString('hex')
  return {
    schema: RECEIPT_FILE_SCHEMA,
    receipt,
    sha256,
    workspaceSignature: { algorithm: 'ed25519', keyId: KEY_ID, publicKey: PUBLIC_KEY, signature },
    handovers: [],
    batchAttestation: null,
  }
}
