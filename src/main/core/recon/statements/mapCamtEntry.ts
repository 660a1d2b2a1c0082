/**
 * One camt <Ntry> → one statement line. One TxDtls is lifted onto its entry, several (a batch)
 * become `details`; bankRef is the entry's AcctSvcrRef, else its single transaction's, else
 * NtryRef; customerRef is a batch's PmtInfId, else the single transaction's PmtInfId or InstrId.
 * Dates are the date the bank wrote (a DtTm's first ten characters).
 */
import type { XmlElement } from './readXml'
import {
  child,
  children,
  countOf,
  dateOf,
  INTERNED_MAX,
  joinText,
  missingOrRepeated,
  readAmount,
  readDirection,
  text,
  type Direction,
} from './camtValues'
import { statementError, type StatementEntry, type StatementEntryDetail } from './statementModel'

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

/** One <Ntry> (its subtree as read) → a statement line; `index` is its 0-based place in the statement. */
export function mapCamtEntry(ntry: XmlElement, index: number): StatementEntry {
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
  // The first child of each name, as `child` would find it, in one pass: a file has 100,000 of these.
  let indicator: XmlElement | undefined
  let parties: XmlElement | undefined
  let agents: XmlElement | undefined
  let refs: XmlElement | undefined
  let remittance: XmlElement | undefined
  let amountDetails: XmlElement | undefined
  let ownAmount: XmlElement | undefined
  for (let part = tx.firstChild; part !== null; part = part.nextSibling) {
    switch (part.name) {
      case 'Refs':
        refs ??= part
        break
      case 'AmtDtls':
        amountDetails ??= part
        break
      case 'Amt':
        ownAmount ??= part
        break
      case 'CdtDbtInd':
        indicator ??= part
        break
      case 'RltdPties':
        parties ??= part
        break
      case 'RltdAgts':
        agents ??= part
        break
      case 'RmtInf':
        remittance ??= part
        break
    }
  }
  const direction = indicator ? readDirection(indicator, where) : entryDirection
  const names = COUNTERPARTY[entryDirection]
  let party: XmlElement | undefined
  let ultimate: XmlElement | undefined
  let accountHolder: XmlElement | undefined
  for (let part = parties?.firstChild ?? null; part !== null; part = part.nextSibling) {
    if (part.name === names.party) party ??= part
    else if (part.name === names.ultimate) ultimate ??= part
    else if (part.name === names.account) accountHolder ??= part
  }
  const account = child(accountHolder, 'Id')
  const agent = child(child(agents, names.agent), 'FinInstnId')
  const amount = child(child(amountDetails, 'TxAmt'), 'Amt') ?? ownAmount
  const endToEndId = text(refs, 'EndToEndId')
  return {
    amount: amount ? transactionAmount(amount, direction, entryCurrency, where) : null,
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
 * A transaction's amount — AmtDtls/TxAmt/Amt, else the TxDtls's own Amt (v3+) — signed by the
 * TxDtls's CdtDbtInd, else the entry's. null when in another currency than the entry (a detail
 * carries no currency).
 */
function transactionAmount(element: XmlElement, direction: Direction, entryCurrency: string, where: string): bigint | null {
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
  const domainCode = text(domain, 'Cd')
  const familyCode = text(family, 'Cd')
  const subFamilyCode = text(family, 'SubFmlyCd')
  if (domainCode === null && familyCode === null && subFamilyCode === null) return internedCode(text(code, 'Prtry', 'Cd'))
  // One string per distinct code in the result, not one per entry, found without joining the parts.
  const byFamily = typeCodes.get(domainCode ?? '')
  const bySubFamily = byFamily?.get(familyCode ?? '')
  const known = bySubFamily?.get(subFamilyCode ?? '')
  if (known !== undefined) return known
  const joined = joinCodes(joinCodes(domainCode, familyCode), subFamilyCode)!
  if (typeCodesKept < INTERNED_MAX) {
    typeCodesKept++
    const families = byFamily ?? new Map<string, Map<string, string>>()
    const subFamilies = bySubFamily ?? new Map<string, string>()
    subFamilies.set(subFamilyCode ?? '', joined)
    families.set(familyCode ?? '', subFamilies)
    typeCodes.set(domainCode ?? '', families)
  }
  return joined
}

/** Joined type codes by domain, family and sub-family code ('' for a missing part). */
const typeCodes = new Map<string, Map<string, Map<string, string>>>()
let typeCodesKept = 0
const proprietaryCodes = new Map<string, string>()

function internedCode(found: string | null): string | null {
  if (found === null) return null
  const known = proprietaryCodes.get(found)
  if (known !== undefined) return known
  if (proprietaryCodes.size < INTERNED_MAX) proprietaryCodes.set(found, found)
  return found
}

function joinCodes(left: string | null, right: string | null): string | null {
  if (left === null) return right
  return right === null ? left : `${left}/${right}`
}

const STATUSES: ReadonlyMap<string, StatementEntry['status']> = new Map([
  ['BOOK', 'booked'],
  ['PDNG', 'pending'],
  // FUTR (v5+): booked with a future value date — not yet on the account.
  ['FUTR', 'pending'],
  ['INFO', 'info'],
])

/** Both `<Sts>BOOK</Sts>` (up to v5) and `<Sts><Cd>BOOK</Cd></Sts>` (v6+). */
function readStatus(status: XmlElement | undefined, where: string): StatementEntry['status'] {
  const code = text(status, 'Cd') ?? text(status, 'Prtry') ?? text(status)
  if (code === null)
    throw statementError(where, 'the entry has no <Sts>, so it cannot tell booked from pending money — the file is incomplete.')
  const mapped = STATUSES.get(code) ?? STATUSES.get(code.toUpperCase())
  if (!mapped) throw statementError(where, `the entry status "${code}" is not BOOK, PDNG, FUTR or INFO.`)
  return mapped
}

function readReversal(indicator: XmlElement | undefined, where: string): boolean {
  const value = text(indicator)
  if (value === null || value === 'false' || value === '0') return false
  if (value === 'true' || value === '1') return true
  throw statementError(where, `<RvslInd> is "${value}"; it must be true or false.`)
}
