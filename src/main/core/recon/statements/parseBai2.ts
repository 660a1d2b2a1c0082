/**
 * BAI2 (BAI Cash Management Balance Reporting, version 2) files → one statement per account.
 *
 * Records, one per line, fields split by commas, optionally ended by "/": 01 file header, 02 group
 * header (as-of date, currency), 03 account (account number, currency, then summaries of type code,
 * amount, item count and funds type), 16 transaction detail, 88 continuation of the record before,
 * 49 account trailer, 98 group trailer, 99 file trailer. Amounts are whole numbers of the
 * currency's minor unit ("1999" USD = 19.99). Every control total and record count the trailers
 * declare is checked here and a difference refused, naming the record: BAI2 has no other guard
 * against a truncated or edited file.
 *
 * A 16 record's direction comes from its type code: 100–399 and 920–959 are credits (money in),
 * 400–699 and 960–999 debits (money out); other codes (700–919, loan and status codes) are kept
 * as `info` lines with the amount as written.
 */
import type { CsError } from '../../../../shared/errors'
import { cachedYymmddToIso, cleanText, StatementLines, yymmddToIso } from './statementLines'
import {
  currencyScale,
  emptyDeclared,
  impliedToMinor,
  statementError,
  type ParsedStatement,
  type ParsedStatementFile,
  type StatementEntry,
} from './statementModel'

export interface ParseBai2Options {
  /** Only for messages: the file's name as the person chose it. */
  fileName?: string
}
export type ParseBai2ReturnType = ParsedStatementFile
/** Always STATEMENT_INVALID, with `details.where` naming the record and line. */
export type ParseBai2ErrorType = CsError

/** BAI2's own default when a group gives no currency. */
const DEFAULT_CURRENCY = 'USD'
const BAI_VERSION = '2'
const SUMMARY_OPENING_LEDGER = 10
const SUMMARY_CLOSING_LEDGER = 15
/** Pairs a funds-type D distribution may list; far above any real availability schedule. */
const DISTRIBUTION_PAIRS_MAX = 100
/** 88 records continuing one record: a longer run means the file is broken. */
const CONTINUATIONS_MAX = 1_000
/** Continuation sub-fields ("EREF: …") that carry references and names (Goldman Sachs and others). */
const SUBFIELD = /^([A-Z]{4}): ?(.*)$/
const SUBFIELD_KEYS = new Set([
  'EREF',
  'CREF',
  'IREF',
  'DBNM',
  'CRNM',
  'REMI',
  'DACT',
  'CACT',
  'DABA',
  'CABA',
  'DBIC',
  'CBIC',
  'IDNM',
  'CHKN',
])

interface Place {
  recordNo: number
  lineNo: number
}

/** A 03 or 16 record with the 88 records that continue it. */
interface Pending extends Place {
  code: '03' | '16'
  fields: string[]
  /** 88 records that continue a 16 record's text, one per record. */
  texts: string[]
  continuations: number
}

interface FileState extends Place {
  fileId: string
  createdAt: string
  groups: number
  total: bigint
}

interface GroupState extends Place {
  index: number
  asOfDate: string
  currency: string
  accounts: number
  total: bigint
  accountIds: Map<string, number>
}

interface AccountState extends Place {
  statement: ParsedStatement
  total: bigint
}

function at(place: Place): string {
  return `record ${place.recordNo} (line ${place.lineNo})`
}

/** Parses a whole BAI2 file; throws STATEMENT_INVALID naming the record, never returns part of a file. */
export function parseBai2(text: string, options: ParseBai2Options = {}): ParseBai2ReturnType {
  const reader = new StatementLines(text)
  const state = new Bai2Reader()
  for (let line = reader.next(); line !== null; line = reader.next()) {
    if (line.trim() === '') continue
    state.read(line, reader.lineNo)
  }
  return state.finish(reader.lineNo, options.fileName)
}

class Bai2Reader {
  private readonly statements: ParsedStatement[] = []
  private recordNo = 0
  private file: FileState | null = null
  private group: GroupState | null = null
  private account: AccountState | null = null
  private pending: Pending | null = null
  private ended: Place | null = null
  /** Value dates repeat from line to line: each is read once. */
  private readonly readDate = cachedYymmddToIso()

  read(line: string, lineNo: number): void {
    this.recordNo += 1
    const place: Place = { recordNo: this.recordNo, lineNo }
    const code = line.slice(0, 2)
    const separator = line.charAt(2)
    if (!/^\d\d$/.test(code) || (separator !== ',' && separator !== '/' && line.slice(2).trim() !== '')) {
      throw statementError(at(place), `"${line.slice(0, 20)}" does not start with a BAI2 record code (01, 02, 03, 16, 88, 49, 98 or 99).`)
    }
    if (this.ended !== null)
      throw statementError(
        at(place),
        `there is more after the 99 file trailer at ${at(this.ended)}: the file has been joined with another one.`,
      )
    if (this.file === null && code !== '01')
      throw statementError(at(place), `a BAI2 file starts with a 01 file header, not a ${code} record.`)
    const body = line.trimEnd().slice(3)
    if (code === '88') return this.continueRecord(body, place)
    this.flushPending()
    switch (code) {
      case '01':
        return this.readFileHeader(fieldsOf(body), place)
      case '02':
        return this.readGroupHeader(fieldsOf(body), place)
      case '03':
      case '16':
        return this.openRecord(code, body, place)
      case '49':
        return this.readAccountTrailer(fieldsOf(body), place)
      case '98':
        return this.readGroupTrailer(fieldsOf(body), place)
      case '99':
        return this.readFileTrailer(fieldsOf(body), place)
      default:
        throw statementError(at(place), `${code} is not a BAI2 record code (01, 02, 03, 16, 88, 49, 98 or 99).`)
    }
  }

  finish(lastLine: number, fileName: string | undefined): ParsedStatementFile {
    if (this.file === null) {
      const name = fileName === undefined ? 'The file' : `"${fileName}"`
      throw statementError('line 1', `${name} holds no BAI2 records: check that it is a BAI2 export.`)
    }
    if (this.ended === null) {
      throw statementError(`line ${lastLine}`, 'the file ends without a 99 file trailer: it is cut short. Ask the bank for the whole file.')
    }
    return { format: 'bai2', statements: this.statements }
  }

  private readFileHeader(fields: string[], place: Place): void {
    const where = at(place)
    if (this.file !== null) throw statementError(where, `a second 01 file header; the first is at ${at(this.file)}.`)
    const [, , date = '', time = '', fileId = '', , , version = ''] = fields
    if (version.trim() !== BAI_VERSION) {
      throw statementError(where, `the 01 header says BAI version "${version.trim()}"; only version 2 (BAI2) files can be read.`)
    }
    const createdDate = yymmddToIso(date.trim())
    if (createdDate === null) throw statementError(where, `creation date "${date.trim()}" is not a date (YYMMDD).`)
    this.file = { ...place, fileId: fileId.trim(), createdAt: `${createdDate}T${clockTime(time, where)}`, groups: 0, total: 0n }
  }

  private readGroupHeader(fields: string[], place: Place): void {
    const where = at(place)
    if (this.group !== null) throw statementError(where, `a 02 group header before the 98 trailer of the group at ${at(this.group)}.`)
    const file = this.file!
    const [, , , asOf = '', time = '', currency = ''] = fields
    const asOfDate = yymmddToIso(asOf.trim())
    if (asOfDate === null) throw statementError(where, `as-of date "${asOf.trim()}" is not a date (YYMMDD).`)
    clockTime(time, where)
    const groupCurrency = currency.trim() === '' ? DEFAULT_CURRENCY : currency.trim().toUpperCase()
    currencyScale(groupCurrency, where)
    file.groups += 1
    this.group = { ...place, index: file.groups, asOfDate, currency: groupCurrency, accounts: 0, total: 0n, accountIds: new Map() }
  }

  private openRecord(code: '03' | '16', body: string, place: Place): void {
    if (code === '03') {
      if (this.group === null) throw statementError(at(place), 'a 03 account record outside a group: it must follow a 02 group header.')
      if (this.account !== null)
        throw statementError(at(place), `a 03 account record before the 49 trailer of the account at ${at(this.account)}.`)
    } else if (this.account === null) {
      throw statementError(at(place), 'a 16 transaction detail outside an account: it must follow a 03 account identifier.')
    }
    // A 16 record's text runs to the end of the record and may hold commas and slashes: only a final "/" ends it.
    const fields = code === '16' ? fieldsOf(body.endsWith('/') ? body.slice(0, -1) : body, false) : fieldsOf(body)
    this.pending = { recordNo: place.recordNo, lineNo: place.lineNo, code, fields, texts: [], continuations: 0 }
  }

  /** An 88 record continues the fields of a 03 record, or the fields and then the text of a 16 record. */
  private continueRecord(body: string, place: Place): void {
    const pending = this.pending
    if (pending === null) {
      throw statementError(at(place), 'an 88 continuation record with nothing to continue: it must follow a 03 or 16 record.')
    }
    pending.continuations += 1
    if (pending.continuations > CONTINUATIONS_MAX) {
      throw statementError(at(place), `more than ${CONTINUATIONS_MAX} 88 records continue the record at ${at(pending)}.`)
    }
    if (pending.code === '03') {
      pending.fields.push(...fieldsOf(body))
      return
    }
    const unended = body.endsWith('/') ? body.slice(0, -1) : body
    if (detailFixedFields(pending.fields, at(pending)) <= pending.fields.length) pending.texts.push(unended)
    else pending.fields.push(...fieldsOf(unended, false))
  }

  private flushPending(): void {
    const pending = this.pending
    if (pending === null) return
    this.pending = null
    if (pending.code === '03') this.openAccount(pending)
    else this.addDetail(pending)
  }

  private openAccount(record: Pending): void {
    const where = at(record)
    const group = this.group!
    const [accountNo = '', currencyField = ''] = record.fields
    const id = accountNo.trim()
    if (id === '') throw statementError(where, 'the 03 record names no account number.')
    const currency = currencyField.trim() === '' ? group.currency : currencyField.trim().toUpperCase()
    currencyScale(currency, where)
    const summaries = readSummaries(record.fields, where)
    const seen = (group.accountIds.get(id) ?? 0) + 1
    group.accountIds.set(id, seen)
    group.accounts += 1
    const file = this.file!
    const balance = (code: number): ParsedStatement['opening'] => {
      const summary = summaries.list.find((s) => s.code === code)
      return summary === undefined ? null : { amount: summary.amount, date: group.asOfDate }
    }
    const statement: ParsedStatement = {
      format: 'bai2',
      // The same account may be reported twice in one group (another value date): number the repeats.
      statementId: `${file.fileId}/${group.index}/${id}${seen > 1 ? `/${seen}` : ''}`,
      sequence: null,
      createdAt: file.createdAt,
      account: { id, bic: null, currency, ownerName: null },
      fromDate: group.asOfDate,
      toDate: group.asOfDate,
      opening: balance(SUMMARY_OPENING_LEDGER),
      closing: balance(SUMMARY_CLOSING_LEDGER),
      entries: [],
      // BAI2 declares no totals of the detail lines alone: the 49 control total also adds balances and summaries (checked here).
      declared: emptyDeclared(),
    }
    this.account = { ...record, statement, total: summaries.total }
  }

  private addDetail(record: Pending): void {
    const account = this.account!
    const entry = readDetail(record, account.statement, this.group!.asOfDate, this.readDate)
    account.total += entry.controlAmount
    account.statement.entries.push(entry.entry)
  }

  private readAccountTrailer(fields: string[], place: Place): void {
    const where = at(place)
    const account = this.account
    if (account === null) throw statementError(where, 'a 49 account trailer with no 03 account record before it.')
    const group = this.group!
    const [total = '', records = ''] = fields
    const declared = controlTotal(total, where, '49 account control total')
    const id = account.statement.account.id
    if (declared !== account.total) {
      throw statementError(
        where,
        `the 49 account control total is ${declared} but the amounts of account ${id} (03, 88 and 16 records) add up to ${account.total}: the file is damaged or incomplete.`,
      )
    }
    checkCount(records, place.recordNo - account.recordNo + 1, where, `records in account ${id} (03 to 49)`)
    group.total += declared
    this.statements.push(account.statement)
    this.account = null
  }

  private readGroupTrailer(fields: string[], place: Place): void {
    const where = at(place)
    const group = this.group
    if (group === null) throw statementError(where, 'a 98 group trailer with no 02 group header before it.')
    if (this.account !== null)
      throw statementError(where, `the account at ${at(this.account)} has no 49 trailer before this 98 group trailer.`)
    const [total = '', accounts = '', records = ''] = fields
    const declared = controlTotal(total, where, '98 group control total')
    if (declared !== group.total) {
      throw statementError(where, `the 98 group control total is ${declared} but the group's 49 account totals add up to ${group.total}.`)
    }
    checkCount(accounts, group.accounts, where, 'accounts in the group')
    checkCount(records, place.recordNo - group.recordNo + 1, where, 'records in the group (02 to 98)')
    this.file!.total += declared
    this.group = null
  }

  private readFileTrailer(fields: string[], place: Place): void {
    const where = at(place)
    const file = this.file!
    if (this.group !== null) throw statementError(where, `the group at ${at(this.group)} has no 98 trailer before this 99 file trailer.`)
    const [total = '', groups = '', records = ''] = fields
    const declared = controlTotal(total, where, '99 file control total')
    if (declared !== file.total) {
      throw statementError(where, `the 99 file control total is ${declared} but the 98 group totals add up to ${file.total}.`)
    }
    checkCount(groups, file.groups, where, 'groups in the file')
    checkCount(records, place.recordNo - file.recordNo + 1, where, 'records in the file (01 to 99)')
    this.ended = place
  }
}

/** Fields of a record body; `cutAtSlash` ends it at the first "/" (the record delimiter). */
function fieldsOf(body: string, cutAtSlash = true): string[] {
  const slash = cutAtSlash ? body.indexOf('/') : -1
  return (slash === -1 ? body : body.slice(0, slash)).split(',')
}

/** HHMM → "HH:MM:00"; BAI2 writes 2400 or 9999 for "end of day". Empty = midnight. */
function clockTime(text: string, where: string): string {
  const time = text.trim()
  if (time === '') return '00:00:00'
  if (time === '2400' || time === '9999') return '23:59:59'
  const m = /^([01]\d|2[0-3])([0-5]\d)$/.exec(time)
  if (m === null) throw statementError(where, `time "${time}" is not a time of day (HHMM).`)
  return `${m[1]}:${m[2]}:00`
}

function controlTotal(text: string, where: string, what: string): bigint {
  if (text.trim() === '') throw statementError(where, `the ${what} is missing.`)
  return impliedToMinor(text, where)
}

function checkCount(text: string, actual: number, where: string, what: string): void {
  const declared = text.trim()
  if (!/^\d+$/.test(declared)) throw statementError(where, `the number of ${what} "${declared}" is not a whole number.`)
  if (Number(declared) !== actual) {
    throw statementError(
      where,
      `the trailer declares ${Number(declared)} ${what}, but the file has ${actual}: the file is damaged or incomplete.`,
    )
  }
}

/**
 * Fields a funds type adds after itself: V = value date and time, S = three availability amounts,
 * D = a count and that many (days, amount) pairs; 0, 1, 2, Z and empty add none. Returns the count,
 * or null while a D record's count is still in a continuation. Checks what it can read.
 */
function fundsExtraFields(fields: readonly string[], at: number, where: string): number | null {
  const funds = (fields[at] ?? '').trim().toUpperCase()
  switch (funds) {
    case '':
    case '0':
    case '1':
    case '2':
    case 'Z':
      return 0
    case 'V':
      return 2
    case 'S':
      return 3
    case 'D': {
      const count = fields[at + 1]
      if (count === undefined) return null
      if (!/^\d{1,3}$/.test(count.trim()) || Number(count) > DISTRIBUTION_PAIRS_MAX) {
        throw statementError(where, `funds type D distribution count "${count.trim()}" is not a number up to ${DISTRIBUTION_PAIRS_MAX}.`)
      }
      return 1 + 2 * Number(count)
    }
    default:
      throw statementError(where, `funds type "${funds}" is not a BAI2 funds type (0, 1, 2, S, V, D or Z).`)
  }
}

/** The funds type's own fields: dates and amounts checked, none of them kept (availability is not in the model). */
function checkFundsFields(
  fields: readonly string[],
  at: number,
  extra: number,
  where: string,
  readDate: (yymmdd: string) => string | null = yymmddToIso,
): string | null {
  const funds = (fields[at] ?? '').trim().toUpperCase()
  if (funds === 'V') {
    const text = (fields[at + 1] ?? '').trim()
    const date = readDate(text)
    if (date === null) throw statementError(where, `funds type V value date "${text}" is not a date (YYMMDD).`)
    clockTime(fields[at + 2] ?? '', where)
    return date
  }
  // S: three amounts; D: a count, then (days, amount) pairs.
  const [first, step] = funds === 'S' ? [at + 1, 1] : [at + 3, 2]
  for (let i = first; i <= at + extra; i += step) {
    const amount = fields[i] ?? ''
    if (amount.trim() !== '') impliedToMinor(amount, where)
  }
  return null
}

interface Summary {
  code: number
  amount: bigint
}

/** 03 summaries: type code, amount, item count, funds type (+ its fields), repeated. */
function readSummaries(fields: readonly string[], where: string): { list: Summary[]; total: bigint } {
  const list: Summary[] = []
  let total = 0n
  let i = 2
  while (i < fields.length) {
    const code = (fields[i] ?? '').trim()
    const amount = (fields[i + 1] ?? '').trim()
    const count = (fields[i + 2] ?? '').trim()
    const extra = fundsExtraFields(fields, i + 3, where)
    if (extra === null) throw statementError(where, 'a funds type D summary ends before its distribution count.')
    checkFundsFields(fields, i + 3, extra, where)
    i += 4 + extra
    if (code === '' && amount === '') continue
    if (!/^\d{3}$/.test(code)) throw statementError(where, `summary type code "${code}" is not three digits.`)
    if (count !== '' && !/^\d+$/.test(count)) throw statementError(where, `item count "${count}" of summary ${code} is not a whole number.`)
    if (amount === '') continue
    const value = impliedToMinor(amount, where)
    total += value
    list.push({ code: Number(code), amount: value })
  }
  return { list, total }
}

/**
 * Fields of a 16 record before its text: type, amount, funds type (+ its fields), bank ref, customer
 * ref. `where` names the 16 record: a bad funds type is refused here when an 88 continues it.
 */
function detailFixedFields(fields: readonly string[], where: string): number {
  const extra = fields.length < 3 ? null : fundsExtraFields(fields, 2, where)
  return extra === null ? Number.POSITIVE_INFINITY : 3 + extra + 2
}

type Direction = 'credit' | 'debit' | 'info'

/** BAI2 type codes: 100–399 credits, 400–699 debits; custom 920–959 credits, 960–999 debits; the rest status/loan/info. */
function directionOf(code: number): Direction {
  if ((code >= 100 && code <= 399) || (code >= 920 && code <= 959)) return 'credit'
  if ((code >= 400 && code <= 699) || code >= 960) return 'debit'
  return 'info'
}

function readDetail(
  record: Pending,
  statement: ParsedStatement,
  asOfDate: string,
  readDate: (yymmdd: string) => string | null,
): { entry: StatementEntry; controlAmount: bigint } {
  const where = at(record)
  const fields = record.fields
  const code = (fields[0] ?? '').trim()
  if (!/^\d{3}$/.test(code)) throw statementError(where, `16 type code "${code}" is not three digits.`)
  const amountText = (fields[1] ?? '').trim()
  if (amountText === '') throw statementError(where, `the 16 record (type ${code}) has no amount.`)
  const amount = impliedToMinor(amountText, where)
  if (amount < 0n)
    throw statementError(
      where,
      `16 amount "${amountText}" has a minus sign: detail amounts are unsigned, the type code gives the direction.`,
    )
  const extra = fundsExtraFields(fields, 2, where)
  if (extra === null) throw statementError(where, 'a funds type D detail ends before its distribution count.')
  const valueDate = checkFundsFields(fields, 2, extra, where, readDate)
  const refAt = 3 + extra
  const direction = directionOf(Number(code))
  const sub = readContinuations(record.texts)
  const ownText = fields.length === refAt + 3 ? fields[refAt + 2]! : fields.slice(refAt + 2).join(',')
  const text = sub.freeText.length === 0 ? ownText : [ownText, ...sub.freeText].join(' ')
  const entry: StatementEntry = {
    index: statement.entries.length,
    where,
    bookingDate: asOfDate,
    valueDate,
    amount: direction === 'debit' ? -amount : amount,
    currency: statement.account.currency,
    reversal: false,
    status: direction === 'info' ? 'info' : 'booked',
    bankRef: cleanText(fields[refAt] ?? ''),
    endToEndId: sub.values.get('EREF') ?? null,
    customerRef: cleanText(fields[refAt + 1] ?? ''),
    // The other party: the debtor of money coming in, the creditor of money going out.
    counterpartyName: sub.values.get(direction === 'debit' ? 'CRNM' : 'DBNM') ?? null,
    counterpartyAccount: sub.values.get(direction === 'debit' ? 'CACT' : 'DACT') ?? null,
    counterpartyBic: sub.values.get(direction === 'debit' ? 'CBIC' : 'DBIC') ?? null,
    remittance: sub.remittance ?? cleanText(text),
    structuredRef: null,
    typeCode: code,
    details: [],
  }
  return { entry, controlAmount: amount }
}

/** 88 text records: "EREF: …"-style sub-fields by key (REMI ones joined), the rest free text. */
interface Continuations {
  values: ReadonlyMap<string, string>
  remittance: string | null
  freeText: readonly string[]
}

const NO_CONTINUATIONS: Continuations = { values: new Map(), remittance: null, freeText: [] }

function readContinuations(texts: readonly string[]): Continuations {
  if (texts.length === 0) return NO_CONTINUATIONS
  const values = new Map<string, string>()
  const remittance: string[] = []
  const freeText: string[] = []
  for (const text of texts) {
    const m = SUBFIELD.exec(text.trim())
    if (m === null || !SUBFIELD_KEYS.has(m[1]!)) {
      freeText.push(text)
      continue
    }
    const value = cleanText(m[2]!)
    if (value === null) continue
    if (m[1] === 'REMI') remittance.push(value)
    else if (!values.has(m[1]!)) values.set(m[1]!, value)
  }
  return { values, remittance: cleanText(remittance.join(' ')), freeText }
}
