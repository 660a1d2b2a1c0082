/**
 * ISO 20022 cash-management statements → ParsedStatementFile: camt.053 (BkToCstmrStmt/Stmt), camt.052
 * (BkToCstmrAcctRpt/Rpt) and camt.054 (BkToCstmrDbtCdtNtfctn/Ntfctn), message versions 001.02 to
 * 001.08. One streaming pass (readXml): a statement's header stays a small tree, each <Ntry> is
 * mapped and dropped as soon as it closes, so memory holds the result, never the file's tree.
 *
 * This checks the file's own structure (the namespace, the message and statement elements, each
 * entry's amount, direction and status, a batch's declared transaction count) and fills `opening`,
 * `closing` and `declared` as the file states them; the balance equation and TxsSummry are checked
 * by the common step after every parser.
 *
 * Choices the model leaves open: a balance in another currency than the account's is left out (a
 * multi-currency account; the model's balances carry no currency); one TxDtls is lifted onto its
 * entry, several become `details`; bankRef is the entry's AcctSvcrRef, else its single
 * transaction's, else NtryRef; customerRef is a batch's PmtInfId, else the single transaction's
 * PmtInfId or InstrId. Dates are the date the bank wrote (a DtTm's first ten characters).
 */
import type { CsError } from '../../../../shared/errors'
import { attribute, readXml, type XmlElement, type XmlVisitor } from './readXml'
import {
  currencyScale,
  decimalToMinor,
  emptyDeclared,
  statementError,
  type ParsedStatement,
  type ParsedStatementFile,
  type StatementBalance,
  type StatementEntry,
  type StatementEntryDetail,
  type StatementFormat,
} from './statementModel'

export interface ParseCamtParameters {
  /** Only named in the sentence of an empty or non-XML file. */
  fileName?: string
}
export type ParseCamtReturnType = ParsedStatementFile
/** Always STATEMENT_INVALID, with `details.where`. */
export type ParseCamtErrorType = CsError

const CAMT_NAMESPACE_RE = /^urn:iso:std:iso:20022:tech:xsd:camt\.(05[234])\.001\.(\d{2})$/
const CAMT_VERSION_MIN = 2
const CAMT_VERSION_MAX = 8
const VERSIONS_READ = 'versions 001.02 to 001.08'

interface CamtKind {
  format: StatementFormat
  /** The message element under <Document>. */
  message: string
  /** The repeating statement element under it. */
  statement: string
}

const KINDS: Readonly<Record<string, CamtKind>> = {
  '052': { format: 'camt.052', message: 'BkToCstmrAcctRpt', statement: 'Rpt' },
  '053': { format: 'camt.053', message: 'BkToCstmrStmt', statement: 'Stmt' },
  '054': { format: 'camt.054', message: 'BkToCstmrDbtCdtNtfctn', statement: 'Ntfctn' },
}

/** Sub-elements of a message other than its statements. */
const MESSAGE_PARTS = new Set(['GrpHdr', 'SplmtryData'])

/** Parses a camt.052/053/054 file (decoded text) into statements, or throws STATEMENT_INVALID naming where. */
export function parseCamt(text: string, options: ParseCamtParameters = {}): ParseCamtReturnType {
  const file = options.fileName ? `"${options.fileName}"` : 'the file'
  if (!/[^\s\uFEFF]/.test(text)) {
    throw statementError('line 1', `${file} is empty — export the camt statement from the bank again.`)
  }
  const visitor = new CamtVisitor()
  readXml(text, visitor)
  const kind = visitor.kind!
  if (visitor.statements.length === 0) {
    throw statementError(
      `line ${visitor.messageLine}`,
      `${file} holds no <${kind.statement}>: the ${kind.format} message has no statement to read.`,
    )
  }
  return { format: kind.format, statements: visitor.statements }
}

interface OpenStatement {
  where: string
  entries: StatementEntry[]
}

/** Follows the document by depth: 0 Document, 1 message, 2 GrpHdr / statements, 3 a statement's parts. */
class CamtVisitor implements XmlVisitor {
  kind: CamtKind | null = null
  messageLine = 1
  readonly statements: ParsedStatement[] = []
  private groupCreatedAt: string | null = null
  private current: OpenStatement | null = null

  open(element: XmlElement, depth: number): void {
    if (depth === 0) {
      this.kind = camtKind(element)
      this.messageLine = element.line
    } else if (depth === 1) this.openMessage(element)
    else if (depth === 2) this.openMessagePart(element)
  }

  close(element: XmlElement, depth: number): boolean {
    const kind = this.kind!
    if (depth === 3 && this.current && element.name === 'Ntry') {
      this.current.entries.push(mapEntry(element, this.current.entries.length))
      return false
    }
    if (depth === 2) {
      if (element.name === 'GrpHdr') this.groupCreatedAt = text(element, 'CreDtTm')
      if (element.name === kind.statement && this.current) {
        this.statements.push(mapStatement(element, kind, this.current, this.groupCreatedAt))
        this.current = null
      }
      return false
    }
    return depth > 2
  }

  private openMessage(element: XmlElement): void {
    const kind = this.kind!
    this.messageLine = element.line
    if (element.name !== kind.message) {
      throw statementError(
        `line ${element.line}`,
        `a ${kind.format} <Document> must hold <${kind.message}>, not <${element.qname}> — the file does not match its own namespace.`,
      )
    }
  }

  private openMessagePart(element: XmlElement): void {
    const kind = this.kind!
    if (element.name === kind.statement) {
      const where = `${kind.statement} ${this.statements.length + 1} (line ${element.line})`
      this.current = { where, entries: [] }
      return
    }
    if (!MESSAGE_PARTS.has(element.name)) {
      throw statementError(
        `line ${element.line}`,
        `<${element.qname}> does not belong in <${kind.message}>: ${kind.format} holds <GrpHdr> and <${kind.statement}>.`,
      )
    }
  }
}

/** The root must be a camt.052/053/054 <Document> in a version we read; its namespace says which. */
function camtKind(root: XmlElement): CamtKind {
  const where = `line ${root.line}`
  const prefix = root.qname.includes(':') ? root.qname.slice(0, root.qname.indexOf(':')) : null
  const namespace = attribute(root, prefix === null ? 'xmlns' : `xmlns:${prefix}`) ?? null
  const found = namespace === null ? 'no namespace' : `the namespace "${namespace}"`
  if (root.name !== 'Document') {
    throw statementError(
      where,
      `the file's root element is <${root.qname}> with ${found}, not an ISO 20022 camt <Document> — choose the bank's camt.053, camt.052 or camt.054 export.`,
    )
  }
  const match = namespace === null ? null : CAMT_NAMESPACE_RE.exec(namespace)
  if (!match) {
    throw statementError(
      where,
      `<Document> has ${found}, which is not a camt.052, camt.053 or camt.054 statement (urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 and the like) — choose the bank's camt export.`,
    )
  }
  const version = Number(match[2])
  if (version < CAMT_VERSION_MIN || version > CAMT_VERSION_MAX) {
    throw statementError(
      where,
      `the namespace "${namespace}" is camt.${match[1]} version ${match[2]}; Countersign reads ${VERSIONS_READ} — ask the bank for one of those.`,
    )
  }
  return KINDS[match[1]!]!
}

// ---------------------------------------------------------------------------------------------
// Statement header

interface CamtBalance {
  code: string | null
  currency: string
  balance: StatementBalance
}

function mapStatement(statement: XmlElement, kind: CamtKind, open: OpenStatement, groupCreatedAt: string | null): ParsedStatement {
  const { where, entries } = open
  const account = child(statement, 'Acct')
  const accountId = text(account, 'Id', 'IBAN') ?? text(account, 'Id', 'Othr', 'Id')
  if (!accountId) {
    throw statementError(where, 'the statement names no account (<Acct><Id> with an <IBAN> or <Othr><Id>) — the file is incomplete.')
  }
  const balances = children(statement, 'Bal').map((bal, i) => readBalance(bal, `${where}, Bal ${i + 1} (line ${bal.line})`))
  const currency = accountCurrency(account!, balances, entries, where)
  const period = child(statement, 'FrToDt')
  return {
    format: kind.format,
    statementId: text(statement, 'Id'),
    sequence: text(statement, 'ElctrncSeqNb') ?? text(statement, 'LglSeqNb'),
    createdAt: text(statement, 'CreDtTm') ?? groupCreatedAt,
    account: {
      id: accountId,
      bic: text(account, 'Svcr', 'FinInstnId', 'BIC') ?? text(account, 'Svcr', 'FinInstnId', 'BICFI'),
      currency,
      ownerName: text(account, 'Ownr', 'Nm') ?? text(account, 'Ownr', 'Pty', 'Nm'),
    },
    fromDate: dateOf(text(period, 'FrDtTm') ?? text(period, 'FrDt'), `${where}, FrToDt`),
    toDate: dateOf(text(period, 'ToDtTm') ?? text(period, 'ToDt'), `${where}, FrToDt`),
    // A balance in another currency than the account's (a multi-currency account) cannot be
    // expressed in the account's minor units, so only balances in the account currency count.
    opening: pickBalance(balances, 'OPBD', currency) ?? pickBalance(balances, 'PRCD', currency),
    closing: pickBalance(balances, 'CLBD', currency),
    entries,
    declared: readDeclared(child(statement, 'TxsSummry'), currency, `${where}, TxsSummry`),
  }
}

function readBalance(bal: XmlElement, where: string): CamtBalance {
  const code = text(bal, 'Tp', 'CdOrPrtry', 'Cd') ?? text(bal, 'Tp', 'CdOrPrtry', 'Prtry')
  const amount = readAmount(single(bal, 'Amt', where), where)
  const sign = readDirection(child(bal, 'CdtDbtInd'), where) === 'DBIT' ? -1n : 1n
  const date = dateOf(text(bal, 'Dt', 'Dt') ?? text(bal, 'Dt', 'DtTm'), where)
  return { code, currency: amount.currency, balance: { amount: sign * amount.minor, date } }
}

function pickBalance(balances: readonly CamtBalance[], code: string, currency: string): StatementBalance | null {
  return balances.find((b) => b.code === code && b.currency === currency)?.balance ?? null
}

/** Acct/Ccy, else the currency of the opening or closing balance, else of any balance, else of the first entry. */
function accountCurrency(account: XmlElement, balances: readonly CamtBalance[], entries: readonly StatementEntry[], where: string): string {
  const declared = text(account, 'Ccy')
  if (declared !== null) {
    return currencyOf(declared, `${where}, Acct/Ccy`).code
  }
  const stated =
    balances.find((b) => b.code === 'OPBD' || b.code === 'PRCD') ?? balances.find((b) => b.code === 'CLBD') ?? balances[0] ?? entries[0]
  if (!stated)
    throw statementError(where, 'the statement names no currency (no <Acct><Ccy>, no balance and no entry) — the file is incomplete.')
  return stated.currency
}

/** TxsSummry as the file states it: TtlNtries, else what TtlCdtNtries and TtlDbtNtries add up to. */
function readDeclared(summary: XmlElement | undefined, currency: string, where: string): ParsedStatement['declared'] {
  const declared = emptyDeclared()
  if (!summary) return declared
  const scale = currencyOf(currency, where).scale
  const total = child(summary, 'TtlNtries')
  const credits = child(summary, 'TtlCdtNtries')
  const debits = child(summary, 'TtlDbtNtries')
  const count = (part: XmlElement | undefined) => countOf(text(part, 'NbOfNtries'), `${where}, NbOfNtries`)
  const sum = (part: XmlElement | undefined) => optionalAmount(text(part, 'Sum'), scale, `${where}, Sum`)
  const [creditCount, debitCount, creditSum, debitSum] = [count(credits), count(debits), sum(credits), sum(debits)]
  declared.count = count(total) ?? (creditCount !== null && debitCount !== null ? creditCount + debitCount : null)
  declared.sumAbs = sum(total) ?? (creditSum !== null && debitSum !== null ? creditSum + debitSum : null)
  declared.net = readNet(total, scale, where) ?? (creditSum !== null && debitSum !== null ? creditSum - debitSum : null)
  return declared
}

/** TtlNetNtry/Amt + CdtDbtInd (v3+) or TtlNetNtryAmt + CdtDbtInd (v2); a non-zero net without its indicator has no known sign. */
function readNet(total: XmlElement | undefined, scale: number, where: string): bigint | null {
  const netV3 = child(total, 'TtlNetNtry')
  const holder = netV3 ?? total
  const amount = optionalAmount(netV3 ? text(netV3, 'Amt') : text(total, 'TtlNetNtryAmt'), scale, `${where}, TtlNetNtry`)
  if (amount === null) return null
  const indicator = child(holder, 'CdtDbtInd')
  if (text(indicator) === null) return amount === 0n ? 0n : null
  return readDirection(indicator, `${where}, TtlNetNtry`) === 'DBIT' ? -amount : amount
}

// ---------------------------------------------------------------------------------------------
// Entries

type Direction = 'CRDT' | 'DBIT'

/** What one TxDtls says, before it is lifted onto its entry or kept as a batch detail. */
interface Transaction extends StatementEntryDetail {
  counterpartyBic: string | null
  paymentInfoId: string | null
}

/** The children of one <Ntry> a statement line needs, found in one pass over them. */
interface NtryParts {
  amount: XmlElement | undefined
  amountCount: number
  direction: XmlElement | undefined
  reversal: XmlElement | undefined
  status: XmlElement | undefined
  bookingDate: XmlElement | undefined
  valueDate: XmlElement | undefined
  bankRef: XmlElement | undefined
  entryRef: XmlElement | undefined
  typeCode: XmlElement | undefined
  info: XmlElement | undefined
}

function ntryParts(ntry: XmlElement): NtryParts {
  const parts: NtryParts = {
    amount: undefined,
    amountCount: 0,
    direction: undefined,
    reversal: undefined,
    status: undefined,
    bookingDate: undefined,
    valueDate: undefined,
    bankRef: undefined,
    entryRef: undefined,
    typeCode: undefined,
    info: undefined,
  }
  for (let part = ntry.firstChild; part !== null; part = part.nextSibling) {
    switch (part.name) {
      case 'Amt':
        parts.amount ??= part
        parts.amountCount++
        break
      case 'CdtDbtInd':
        parts.direction = part
        break
      case 'RvslInd':
        parts.reversal = part
        break
      case 'Sts':
        parts.status = part
        break
      case 'BookgDt':
        parts.bookingDate = part
        break
      case 'ValDt':
        parts.valueDate = part
        break
      case 'AcctSvcrRef':
        parts.bankRef = part
        break
      case 'NtryRef':
        parts.entryRef = part
        break
      case 'BkTxCd':
        parts.typeCode = part
        break
      case 'AddtlNtryInf':
        parts.info = part
        break
    }
  }
  return parts
}

function mapEntry(ntry: XmlElement, index: number): StatementEntry {
  const where = `Ntry ${index + 1} (line ${ntry.line})`
  const parts = ntryParts(ntry)
  if (parts.amountCount !== 1) throw missingOrRepeated(parts.amountCount, 'Amt', where)
  const { currency, minor } = readAmount(parts.amount!, where)
  const direction = readDirection(parts.direction, where)
  const count = countTransactions(ntry, where)
  // One TxDtls describes the entry itself: lift it. Several are a batch: keep them as details.
  const single = count === 1 ? firstTransaction(ntry)! : null
  const lifted = single ? readTransaction(single, direction, currency, `${where}, TxDtls (line ${single.line})`) : null
  return {
    index,
    where,
    bookingDate: dateOf(text(parts.bookingDate, 'Dt') ?? text(parts.bookingDate, 'DtTm'), where),
    valueDate: dateOf(text(parts.valueDate, 'Dt') ?? text(parts.valueDate, 'DtTm'), where),
    amount: direction === 'DBIT' ? -minor : minor,
    currency,
    reversal: readReversal(parts.reversal, where),
    status: readStatus(parts.status, where),
    // The bank's reference: the entry's AcctSvcrRef, else its transaction's, else the entry's NtryRef.
    bankRef: text(parts.bankRef) ?? lifted?.bankRef ?? text(parts.entryRef),
    endToEndId: lifted?.endToEndId ?? null,
    // The payer-side references of a pain.001: a batch's PmtInfId, else the transaction's PmtInfId or InstrId.
    customerRef: batchPaymentInfoId(ntry) ?? lifted?.paymentInfoId ?? lifted?.instructionId ?? null,
    counterpartyName: lifted?.counterpartyName ?? null,
    counterpartyAccount: lifted?.counterpartyAccount ?? null,
    counterpartyBic: lifted?.counterpartyBic ?? null,
    remittance: lifted?.remittance ?? text(parts.info),
    structuredRef: lifted?.structuredRef ?? null,
    typeCode: typeCode(parts.typeCode),
    details: count > 1 ? readDetails(ntry, direction, currency, where) : [],
  }
}

/** TxDtls under every NtryDtls; a Btch that declares NbOfTxs must list that many when it lists any. */
function countTransactions(ntry: XmlElement, where: string): number {
  let total = 0
  for (let details = ntry.firstChild; details !== null; details = details.nextSibling) {
    if (details.name !== 'NtryDtls') continue
    let listed = 0
    for (let tx = details.firstChild; tx !== null; tx = tx.nextSibling) if (tx.name === 'TxDtls') listed++
    const batchCount = text(details, 'Btch', 'NbOfTxs')
    const declared = batchCount === null ? null : countOf(batchCount, `${where}, Btch/NbOfTxs`)
    if (declared !== null && listed > 0 && declared !== listed) {
      throw statementError(
        `${where}, NtryDtls (line ${details.line})`,
        `the batch declares ${declared} transactions (Btch/NbOfTxs) but lists ${listed} <TxDtls> — the file is incomplete or inconsistent.`,
      )
    }
    total += listed
  }
  return total
}

function firstTransaction(ntry: XmlElement): XmlElement | undefined {
  for (let details = ntry.firstChild; details !== null; details = details.nextSibling) {
    if (details.name === 'NtryDtls') {
      const tx = child(details, 'TxDtls')
      if (tx) return tx
    }
  }
  return undefined
}

function readDetails(ntry: XmlElement, direction: Direction, currency: string, where: string): StatementEntryDetail[] {
  const details: StatementEntryDetail[] = []
  for (let group = ntry.firstChild; group !== null; group = group.nextSibling) {
    if (group.name !== 'NtryDtls') continue
    for (let tx = group.firstChild; tx !== null; tx = tx.nextSibling) {
      if (tx.name !== 'TxDtls') continue
      const txWhere = `${where}, TxDtls ${details.length + 1} (line ${tx.line})`
      details.push(toDetail(readTransaction(tx, direction, currency, txWhere)))
    }
  }
  return details
}

/** Element names of the other party: on a credit the debtor (who paid us), on a debit the creditor (whom we paid). */
const COUNTERPARTY = {
  CRDT: { party: 'Dbtr', ultimate: 'UltmtDbtr', account: 'DbtrAcct', agent: 'DbtrAgt' },
  DBIT: { party: 'Cdtr', ultimate: 'UltmtCdtr', account: 'CdtrAcct', agent: 'CdtrAgt' },
} as const

function readTransaction(tx: XmlElement, entryDirection: Direction, entryCurrency: string, where: string): Transaction {
  const indicator = child(tx, 'CdtDbtInd')
  const direction = indicator ? readDirection(indicator, where) : entryDirection
  const names = COUNTERPARTY[entryDirection]
  const parties = child(tx, 'RltdPties')
  const party = child(parties, names.party)
  const ultimate = child(parties, names.ultimate)
  const account = child(child(parties, names.account), 'Id')
  const agent = child(child(child(tx, 'RltdAgts'), names.agent), 'FinInstnId')
  const refs = child(tx, 'Refs')
  const remittance = child(tx, 'RmtInf')
  const endToEndId = text(refs, 'EndToEndId')
  return {
    amount: transactionAmount(tx, direction, entryCurrency, where),
    endToEndId: endToEndId === 'NOTPROVIDED' ? null : endToEndId,
    bankRef: text(refs, 'AcctSvcrRef'),
    instructionId: text(refs, 'InstrId'),
    paymentInfoId: text(refs, 'PmtInfId'),
    counterpartyName: text(party, 'Nm') ?? text(party, 'Pty', 'Nm') ?? text(ultimate, 'Nm') ?? text(ultimate, 'Pty', 'Nm'),
    counterpartyAccount: text(account, 'IBAN') ?? text(account, 'Othr', 'Id'),
    counterpartyBic: text(agent, 'BIC') ?? text(agent, 'BICFI'),
    remittance: joinText(children(remittance, 'Ustrd')),
    structuredRef: structuredRef(remittance),
  }
}

/**
 * AmtDtls/TxAmt/Amt, else the TxDtls's own Amt (v3+), signed by the TxDtls's CdtDbtInd, else the
 * entry's. null when absent or in another currency than the entry (a detail carries no currency).
 */
function transactionAmount(tx: XmlElement, direction: Direction, entryCurrency: string, where: string): bigint | null {
  const element = child(child(child(tx, 'AmtDtls'), 'TxAmt'), 'Amt') ?? child(tx, 'Amt')
  if (!element) return null
  const { currency, minor } = readAmount(element, where)
  if (currency !== entryCurrency) return null
  return direction === 'DBIT' ? -minor : minor
}

function toDetail(tx: Transaction): StatementEntryDetail {
  return {
    amount: tx.amount,
    endToEndId: tx.endToEndId,
    bankRef: tx.bankRef,
    instructionId: tx.instructionId,
    counterpartyName: tx.counterpartyName,
    counterpartyAccount: tx.counterpartyAccount,
    remittance: tx.remittance,
    structuredRef: tx.structuredRef,
  }
}

/** The first creditor reference (CdtrRefInf/Ref) of the structured remittance parts. */
function structuredRef(remittance: XmlElement | undefined): string | null {
  for (const strd of children(remittance, 'Strd')) {
    const ref = text(strd, 'CdtrRefInf', 'Ref')
    if (ref !== null) return ref
  }
  return null
}

/** The batch's PmtInfId: the payment-information id the account owner gave the whole batch. */
function batchPaymentInfoId(ntry: XmlElement): string | null {
  for (let details = ntry.firstChild; details !== null; details = details.nextSibling) {
    if (details.name !== 'NtryDtls') continue
    const id = text(details, 'Btch', 'PmtInfId')
    if (id !== null) return id
  }
  return null
}

/** Domain/family/sub-family ("PMNT/RCDT/ESCT"), else the proprietary code. */
function typeCode(code: XmlElement | undefined): string | null {
  const domain = child(code, 'Domn')
  const family = child(domain, 'Fmly')
  const found = joinCodes(joinCodes(text(domain, 'Cd'), text(family, 'Cd')), text(family, 'SubFmlyCd')) ?? text(code, 'Prtry', 'Cd')
  if (found === null) return null
  // One string per distinct code in the result, not one per entry.
  const known = typeCodes.get(found)
  if (known !== undefined) return known
  if (typeCodes.size < INTERNED_MAX) typeCodes.set(found, found)
  return found
}

const typeCodes = new Map<string, string>()

function joinCodes(left: string | null, right: string | null): string | null {
  if (left === null) return right
  return right === null ? left : `${left}/${right}`
}

const STATUSES: Readonly<Record<string, StatementEntry['status']>> = {
  BOOK: 'booked',
  PDNG: 'pending',
  // FUTR (v5+): booked with a future value date — not yet on the account.
  FUTR: 'pending',
  INFO: 'info',
}

/** Both `<Sts>BOOK</Sts>` (up to v5) and `<Sts><Cd>BOOK</Cd></Sts>` (v6+). */
function readStatus(status: XmlElement | undefined, where: string): StatementEntry['status'] {
  const code = text(status, 'Cd') ?? text(status, 'Prtry') ?? text(status)
  if (code === null)
    throw statementError(where, 'the entry has no <Sts>, so it cannot tell booked from pending money — the file is incomplete.')
  const mapped = STATUSES[code.toUpperCase()]
  if (!mapped) throw statementError(where, `the entry status "${code}" is not BOOK, PDNG, FUTR or INFO.`)
  return mapped
}

function readReversal(indicator: XmlElement | undefined, where: string): boolean {
  const value = text(indicator)
  if (value === null || value === 'false' || value === '0') return false
  if (value === 'true' || value === '1') return true
  throw statementError(where, `<RvslInd> is "${value}"; it must be true or false.`)
}

// ---------------------------------------------------------------------------------------------
// Amounts, directions, dates, counts

const CAMT_AMOUNT_RE = /^\d+(?:\.\d+)?$/

/** Distinct currency texts (and type codes) remembered across parses; more are looked up, not remembered. */
const INTERNED_MAX = 256

interface Currency {
  code: string
  scale: number
}

/**
 * Currencies by the text of a Ccy attribute: currencyScale searches the ISO list, and a file repeats
 * one code 100,000 times — which should then be one string in the result, not 100,000 copies.
 */
const currencyByText = new Map<string, Currency>()

function currencyOf(raw: string, where: string): Currency {
  const known = currencyByText.get(raw)
  if (known) return known
  const code = raw.trim().toUpperCase()
  const currency = { code, scale: currencyScale(code, where) }
  if (currencyByText.size < INTERNED_MAX) currencyByText.set(raw, currency)
  return currency
}

/** An <Amt Ccy="…"> → its currency and exact minor units (never through a JS number). */
function readAmount(amount: XmlElement, where: string): { currency: string; minor: bigint } {
  const code = attribute(amount, 'Ccy')
  if (code === undefined) throw statementError(where, '<Amt> has no Ccy attribute — a camt amount always names its currency.')
  const currency = currencyOf(code, where)
  return { currency: currency.code, minor: camtDecimal(amount.text, currency.scale, where) }
}

/** ISO 20022 amounts are unsigned with a "." — a comma would be a thousands separator or a locale, never guessed. */
function camtDecimal(raw: string, scale: number, where: string): bigint {
  const value = raw.trim()
  if (!CAMT_AMOUNT_RE.test(value)) {
    const shown = value === '' ? 'an empty value' : `"${value.slice(0, 40)}"`
    throw statementError(where, `${shown} is not a camt amount: digits with an optional "." and decimals, no sign, comma or spaces.`)
  }
  return decimalToMinor(value, scale, where)
}

function optionalAmount(raw: string | null, scale: number, where: string): bigint | null {
  return raw === null ? null : camtDecimal(raw, scale, where)
}

/** A <CdtDbtInd> element: CRDT or DBIT, refused when missing or anything else. */
function readDirection(indicator: XmlElement | undefined, where: string): Direction {
  const value = text(indicator)
  if (value === 'CRDT' || value === 'DBIT') return value
  if (value === null)
    throw statementError(where, 'there is no <CdtDbtInd>, so the direction of the money (in or out) is unknown — the file is incomplete.')
  throw statementError(where, `<CdtDbtInd> is "${value}"; it must be CRDT (money in) or DBIT (money out).`)
}

const DATE_RE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:$|T)/

/** An ISO date or date-time → YYYY-MM-DD (the date as the bank wrote it, no time-zone shift). */
function dateOf(value: string | null, where: string): string | null {
  if (value === null) return null
  if (!DATE_RE.test(value)) throw statementError(where, `"${value.slice(0, 40)}" is not an ISO date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss).`)
  return value.length === 10 ? value : value.slice(0, 10)
}

const COUNT_RE = /^\d{1,15}$/

function countOf(value: string | null, where: string): number | null {
  if (value === null) return null
  if (!COUNT_RE.test(value)) throw statementError(where, `"${value.slice(0, 40)}" is not a count (up to 15 digits).`)
  return Number(value)
}

// ---------------------------------------------------------------------------------------------
// Tree access (plain loops: these run a few dozen times per entry)

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!element) return undefined
  for (let at = element.firstChild; at !== null; at = at.nextSibling) if (at.name === name) return at
  return undefined
}

function children(element: XmlElement | undefined, name: string): XmlElement[] {
  const found: XmlElement[] = []
  if (!element) return found
  for (let at = element.firstChild; at !== null; at = at.nextSibling) if (at.name === name) found.push(at)
  return found
}

/** The one `name` child a money field needs: missing or repeated is refused. */
function single(element: XmlElement, name: string, where: string): XmlElement {
  return onlyOne(children(element, name), name, where)
}

function onlyOne(found: readonly XmlElement[], name: string, where: string): XmlElement {
  if (found.length === 1) return found[0]!
  throw missingOrRepeated(found.length, name, where)
}

function missingOrRepeated(count: number, name: string, where: string): CsError {
  if (count === 0)
    return statementError(where, `there is no <${name}> — every camt entry and balance needs its amount; the file is incomplete.`)
  return statementError(where, `there are ${count} <${name}> elements where camt allows one.`)
}

/** Trimmed text at the end of a path of first children, inner white-space runs as one space; null when absent or empty. */
function text(element: XmlElement | undefined, a?: string, b?: string, c?: string, d?: string): string | null {
  let at = element
  if (a !== undefined) at = child(at, a)
  if (b !== undefined) at = child(at, b)
  if (c !== undefined) at = child(at, c)
  if (d !== undefined) at = child(at, d)
  if (!at || at.firstChild !== null) return null
  return cleanText(at.text)
}

const SPACE_RUN_RE = /\s\s|[\t\n\r]/

function cleanText(raw: string): string | null {
  const trimmed = raw.trim()
  if (trimmed === '') return null
  return SPACE_RUN_RE.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed
}

function joinText(elements: readonly XmlElement[]): string | null {
  let joined: string | null = null
  for (const element of elements) {
    const part = cleanText(element.text)
    if (part !== null) joined = joined === null ? part : `${joined} ${part}`
  }
  return joined
}
