/**
 * What every statement parser returns: the bank's (or Stripe's, or a CSV's) own account
 * statements, amounts already exact bigint minor units of the statement's currency — parsed
 * straight from the file's decimal text, never through a JS number. A file may hold several
 * statements (an MT940 file has one message per day, an OFX or BAI2 file one per account).
 *
 * Sign convention everywhere: a positive amount is money IN to the statement's account (credit),
 * a negative one money OUT (debit), for entries and balances alike (an overdrawn balance is
 * negative). A reversal keeps the sign of the money's actual movement and sets `reversal`.
 */
import currencyCodes from 'currency-codes'
import { CsError } from '../../../../shared/errors'
import { AMOUNT_MAX } from '../../../../shared/money'

export const STATEMENT_FORMATS = ['camt.052', 'camt.053', 'camt.054', 'mt940', 'mt942', 'bai2', 'ofx', 'csv'] as const
export type StatementFormat = (typeof STATEMENT_FORMATS)[number]

/** A balance the statement states (not one we computed). */
export interface StatementBalance {
  /** Signed minor units of the statement currency (negative = overdrawn / debit balance). */
  amount: bigint
  /** The date it applies to, YYYY-MM-DD (null when the file gives none). */
  date: string | null
}

/** One underlying transaction of a batched bank line (camt `NtryDtls/TxDtls`). */
export interface StatementEntryDetail {
  /** Signed minor units; null when the bank gives no per-transaction amount. */
  amount: bigint | null
  endToEndId: string | null
  bankRef: string | null
  instructionId: string | null
  counterpartyName: string | null
  counterpartyAccount: string | null
  remittance: string | null
  structuredRef: string | null
}

export interface StatementEntry {
  /** 0-based position among the statement's entries, stable across parses of the same file. */
  index: number
  /** Where it is in the file, for people: "line 42", "Ntry 3 (line 118)". */
  where: string
  bookingDate: string | null
  valueDate: string | null
  /** Signed minor units: positive = money in, negative = money out. Never zero unless the bank sent zero. */
  amount: bigint
  /** ISO 4217 code of the amount (the statement's currency unless the bank says otherwise). */
  currency: string
  /** A reversal (camt RvslInd, MT940 RC/RD, BAI2 reversal type codes). */
  reversal: boolean
  /** booked = on the account; pending = announced (camt PDNG, MT942); info = for information only. */
  status: 'booked' | 'pending' | 'info'
  /** The bank's own reference (camt AcctSvcrRef, MT940 `//` part, BAI2 bank reference, OFX FITID). */
  bankRef: string | null
  /** End-to-end id the payer set (camt EndToEndId, MT940 `EREF+`, BAI2 `EREF`). */
  endToEndId: string | null
  /** The account owner's reference (MT940 :61: reference before `//`, BAI2 customer reference, OFX CHECKNUM/REFNUM). */
  customerRef: string | null
  counterpartyName: string | null
  counterpartyAccount: string | null
  counterpartyBic: string | null
  /** Unstructured remittance information, joined with single spaces. */
  remittance: string | null
  /** Structured creditor reference (camt CdtrRefInf/Ref, ISO 11649 RF…). */
  structuredRef: string | null
  /** The bank's transaction type (camt BkTxCd domain/family/sub-family or proprietary, SWIFT type, BAI2 type code, OFX TRNTYPE). */
  typeCode: string | null
  /** Batch entries: the transactions under one bank line (empty for a single transaction). */
  details: StatementEntryDetail[]
}

export interface ParsedStatement {
  format: StatementFormat
  /** The bank's statement id (camt Stmt/Id, MT940 :20:, OFX none, BAI2 file id + account). */
  statementId: string | null
  /** Electronic or paper sequence number (camt ElctrncSeqNb, MT940 :28C:), used to find gaps. */
  sequence: string | null
  createdAt: string | null
  account: {
    /** IBAN, or the bank's account number / id when there is no IBAN. */
    id: string
    bic: string | null
    /** ISO 4217 code of the account. */
    currency: string
    ownerName: string | null
  }
  fromDate: string | null
  toDate: string | null
  opening: StatementBalance | null
  closing: StatementBalance | null
  entries: StatementEntry[]
  /**
   * Totals the file itself declares about its entries, checked against them by checkStatements.ts
   * (camt TxsSummry). BAI2 leaves them null: its 49/98/99 control totals add balances and
   * summaries in too, so parseBai2 checks those itself.
   */
  declared: {
    count: number | null
    /** Sum of the absolute entry amounts (camt TtlNtries/Sum). */
    sumAbs: bigint | null
    /** Net of the entries, signed (camt TtlNtries/TtlNetNtry). */
    net: bigint | null
  }
}

/** A statement without its entries: what is known before (and after) they are read. */
export type StatementHeader = Omit<ParsedStatement, 'entries'>

export interface ParsedStatementFile {
  format: StatementFormat
  statements: ParsedStatement[]
}

/** A parse error: names the place in the file and tells the person what to do. Nothing is stored. */
export function statementError(where: string, sentence: string): CsError {
  return new CsError('STATEMENT_INVALID', `${where}: ${sentence}`, { details: { where } })
}

/** Minor-unit digits of historical currencies the ISO 4217 list no longer carries (old bank samples use them). */
const HISTORICAL_SCALES: Readonly<Record<string, number>> = {
  DEM: 2,
  FRF: 2,
  NLG: 2,
  BEF: 0,
  ITL: 0,
  ESP: 0,
  ATS: 2,
  FIM: 2,
  IEP: 2,
  PTE: 0,
}

/** Scales of the codes already looked up: a file names one currency on every line. */
const scaleByCode = new Map<string, number>()

/** The ISO 4217 minor-unit digits of a currency code; refused for codes that are not currencies. */
export function currencyScale(code: string, where: string): number {
  const upper = code.trim().toUpperCase()
  const known = scaleByCode.get(upper)
  if (known !== undefined) return known
  if (!/^[A-Z]{3}$/.test(upper)) throw statementError(where, `"${code}" is not a three-letter currency code (ISO 4217).`)
  const entry = currencyCodes.code(upper)
  const scale = entry && Number.isInteger(entry.digits) ? entry.digits : HISTORICAL_SCALES[upper]
  if (scale === undefined) throw statementError(where, `${upper} is not an ISO 4217 currency code — check the file's currency.`)
  scaleByCode.set(upper, scale)
  return scale
}

const DECIMAL_TEXT = /^(\d+)(?:[.,](\d*))?$/

/**
 * A non-negative decimal amount as the file writes it ("19.99", "1234,56", "1234," — MT940 writes
 * a comma and may leave the decimals empty) → minor units at `scale`, exactly. Surplus non-zero
 * decimals are an error; nothing is rounded.
 */
export function decimalToMinor(text: string, scale: number, where: string): bigint {
  const trimmed = text.trim()
  const m = DECIMAL_TEXT.exec(trimmed)
  if (!m) throw statementError(where, `"${trimmed.slice(0, 40)}" is not an amount (digits with one optional "." or ",").`)
  const fraction = (m[2] ?? '').replace(/0+$/, '')
  if (fraction.length > scale) {
    throw statementError(
      where,
      `${trimmed} has more than ${scale} decimals for its currency — the file is wrong; amounts are never rounded.`,
    )
  }
  const minor = BigInt(m[1]! + fraction.padEnd(scale, '0'))
  if (minor > AMOUNT_MAX) throw statementError(where, `${trimmed} is larger than any amount Countersign can hold.`)
  return minor
}

/** A signed decimal ("-12.50", "+3", "12.50-" is not accepted) → signed minor units. */
export function signedDecimalToMinor(text: string, scale: number, where: string): bigint {
  const trimmed = text.trim()
  if (trimmed.startsWith('-')) return -decimalToMinor(trimmed.slice(1), scale, where)
  if (trimmed.startsWith('+')) return decimalToMinor(trimmed.slice(1), scale, where)
  return decimalToMinor(trimmed, scale, where)
}

/** A BAI2-style amount: digits with the decimals implied by the currency ("1999" USD = 19.99). */
export function impliedToMinor(text: string, where: string): bigint {
  const trimmed = text.trim()
  const m = /^([+-]?)(\d+)$/.exec(trimmed)
  if (!m) throw statementError(where, `"${trimmed.slice(0, 40)}" is not an amount in minor units (digits only, no decimal point).`)
  const minor = BigInt(m[2]!)
  if (minor > AMOUNT_MAX) throw statementError(where, `${trimmed} is larger than any amount Countersign can hold.`)
  return m[1] === '-' ? -minor : minor
}

/** An empty statement skeleton for a parser to fill. */
export function emptyDeclared(): ParsedStatement['declared'] {
  return { count: null, sumAbs: null, net: null }
}
