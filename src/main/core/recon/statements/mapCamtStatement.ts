/**
 * The parts of a camt file around its entries: which message it is (camt.052 / 053 / 054 and the
 * version, from the root's namespace) and each statement's header — account, period, sequence,
 * balances (OPBD / PRCD, CLBD, in the account currency) and TxsSummry as the file states them.
 *
 * Choices the model leaves open: a balance in another currency than the account's is left out (a
 * multi-currency account; the model's balances carry no currency). Dates are the date the bank
 * wrote (a DtTm's first ten characters).
 */
import { attribute, type XmlElement } from './readXml'
import { child, children, countOf, currencyOf, dateOf, optionalAmount, readAmount, readDirection, single, text } from './camtValues'
import {
  emptyDeclared,
  statementError,
  type StatementBalance,
  type StatementEntry,
  type StatementFormat,
  type StatementHeader,
} from './statementModel'

const CAMT_NAMESPACE_RE = /^urn:iso:std:iso:20022:tech:xsd:camt\.(05[234])\.001\.(\d{2})$/
const CAMT_VERSION_MIN = 2
const CAMT_VERSION_MAX = 8
const VERSIONS_READ = 'versions 001.02 to 001.08'

export interface CamtKind {
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
export const MESSAGE_PARTS = new Set(['GrpHdr', 'SplmtryData'])

/** The root must be a camt.052/053/054 <Document> in a version we read; its namespace says which. */
export function camtKind(root: XmlElement): CamtKind {
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

interface CamtBalance {
  code: string | null
  currency: string
  balance: StatementBalance
}

/**
 * A statement's header from the children of its element read so far (its entries are dropped as
 * they are read): `firstEntry` gives the currency when neither the account nor a balance does.
 */
export function mapCamtStatement(
  statement: XmlElement,
  kind: CamtKind,
  where: string,
  firstEntry: StatementEntry | undefined,
  groupCreatedAt: string | null,
): StatementHeader {
  const account = child(statement, 'Acct')
  const accountId = text(account, 'Id', 'IBAN') ?? text(account, 'Id', 'Othr', 'Id')
  if (!accountId) {
    throw statementError(where, 'the statement names no account (<Acct><Id> with an <IBAN> or <Othr><Id>) — the file is incomplete.')
  }
  const balances = children(statement, 'Bal').map((bal, i) => readBalance(bal, `${where}, Bal ${i + 1} (line ${bal.line})`))
  const currency = accountCurrency(account!, balances, firstEntry, where)
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
function accountCurrency(
  account: XmlElement,
  balances: readonly CamtBalance[],
  firstEntry: StatementEntry | undefined,
  where: string,
): string {
  const declared = text(account, 'Ccy')
  if (declared !== null) {
    return currencyOf(declared, `${where}, Acct/Ccy`).code
  }
  const stated =
    balances.find((b) => b.code === 'OPBD' || b.code === 'PRCD') ?? balances.find((b) => b.code === 'CLBD') ?? balances[0] ?? firstEntry
  if (!stated)
    throw statementError(where, 'the statement names no currency (no <Acct><Ccy>, no balance and no entry) — the file is incomplete.')
  return stated.currency
}

/** TxsSummry as the file states it: TtlNtries, else what TtlCdtNtries and TtlDbtNtries add up to. */
function readDeclared(summary: XmlElement | undefined, currency: string, where: string): StatementHeader['declared'] {
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
