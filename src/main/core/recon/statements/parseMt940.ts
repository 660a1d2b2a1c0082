/**
 * SWIFT MT940 (customer statement) and MT942 (interim transaction report) files → statements.
 *
 * A file holds one or more messages, each either wrapped in a SWIFT envelope
 * (`{1:…}{2:O940…}{3:…}{4:` … `-}{5:…}`) or bare, separated by a line "-" and often preceded by
 * bank header lines (ABN AMRO "ABNANL2A", ING "0000 01INGB…"), which are skipped. Inside a
 * message a field starts with `:NN:` or `:NNa:` at the very start of a line — only the tags below;
 * anything else (a colon in the text, a line starting with "-", a blank line) continues the
 * previous field. The text is scanned line by line: only the entries found so far are kept.
 *
 * This checks what the format itself fixes (tags present and in order, dates, D/C marks, amounts
 * with a decimal comma, one currency per statement). The balance equation is checked later, by
 * the common step, from `opening`, `closing` and the entries.
 */
import type { CsError } from '../../../../shared/errors'
import { parseMt940Information } from './parseMt940Information'
import { cachedYymmddToIso, cleanText, isoDate, StatementLines, yymmddToIso } from './statementLines'
import {
  currencyScale,
  decimalToMinor,
  emptyDeclared,
  statementError,
  type ParsedStatement,
  type ParsedStatementFile,
  type StatementBalance,
  type StatementEntry,
} from './statementModel'

export interface ParseMt940Options {
  /** Only for messages: the file's name as the person chose it. */
  fileName?: string
}
export type ParseMt940ReturnType = ParsedStatementFile
/** Always STATEMENT_INVALID, with `details.where` naming the line. */
export type ParseMt940ErrorType = CsError

const KNOWN_TAGS = new Set([
  '12',
  '13',
  '13D',
  '20',
  '21',
  '25',
  '25P',
  '28',
  '28C',
  '34F',
  '60F',
  '60M',
  '61',
  '62F',
  '62M',
  '64',
  '65',
  '86',
  '90C',
  '90D',
])
const TAG_LINE = /^:(\d\d[A-Z]?):/
/** A field (an :86: has at most 6 lines) this long means a tag is missing; stop before holding the rest of the file. */
const FIELD_LINES_MAX = 1_000
const BIC = /^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/
const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/

interface Field {
  tag: string
  line: number
  value: string
  more: string[]
}

interface Balance extends StatementBalance {
  currency: string
}

interface Message {
  startLine: number
  /** From the envelope's block 2 (`O940`, `I942`), null for a bare message. */
  messageType: '940' | '942' | null
  statementId: string | null
  account: { id: string; bic: string | null; currency: string | null } | null
  sequence: string | null
  createdAt: string | null
  opening: Balance | null
  closing: Balance | null
  /** Minor-unit digits of the statement's currency, once it is known. */
  scale: number | null
  /** MT942 :34F: currency. */
  floorCurrency: string | null
  entries: StatementEntry[]
  previousTag: string
  /** Entries share a few dates: each is read once (and one string kept for all its entries). */
  readDate: (yymmdd: string) => string | null
  lastEntryDate: { key: string; iso: string }
  declared: { debitCount: number; debitSum: bigint; creditCount: number; creditSum: bigint; seen: boolean }
}

interface Envelope {
  line: number
  messageType: '940' | '942' | null
  /** Inside block 4 (the message text). */
  open: boolean
}

/** Parses a whole MT940/MT942 file; throws STATEMENT_INVALID naming the line, never returns part of a file. */
export function parseMt940(text: string, options: ParseMt940Options = {}): ParseMt940ReturnType {
  const reader = new StatementLines(text)
  const statements: ParsedStatement[] = []
  let envelope: Envelope | null = null
  let message: Message | null = null
  let field: Field | null = null

  const endField = (): void => {
    if (field !== null && message !== null) applyField(message, field)
    field = null
  }
  const endMessage = (line: number): void => {
    endField()
    if (message !== null) statements.push(buildStatement(message, line))
    message = null
  }

  for (let line = reader.next(); line !== null; line = reader.next()) {
    const lineNo = reader.lineNo
    const first = line.charAt(0)
    if (first === '{' && (message === null || line.startsWith('{1:'))) {
      const trimmed = line.trimEnd()
      if (envelope?.open) throw unclosedEnvelope(envelope)
      endMessage(lineNo)
      envelope = readEnvelopeHeader(trimmed, lineNo, trimmed.startsWith('{1:') ? null : envelope)
      const rest = envelope.open ? trimmed.slice(trimmed.indexOf('{4:') + 3) : ''
      if (!rest.startsWith(':')) continue
      line = rest // the first field on the header line itself: "{4::20:…"
    } else if (first === '-') {
      const trimmed = line.trimEnd()
      if (trimmed === '-' || trimmed.startsWith('-}')) {
        endMessage(lineNo)
        if (trimmed.startsWith('-}') && envelope !== null) envelope = null
        continue
      }
    }
    const tag = line.charAt(0) === ':' ? TAG_LINE.exec(line)?.[1] : undefined
    if (tag !== undefined && KNOWN_TAGS.has(tag)) {
      if (tag === '20') {
        endMessage(lineNo)
        message = newMessage(lineNo, envelope?.messageType ?? null)
      } else if (message === null) {
        throw statementError(
          `line ${lineNo}`,
          `:${tag}: is outside a statement: every MT940 statement starts with :20:. The file is cut or not MT940.`,
        )
      }
      endField()
      field = { tag, line: lineNo, value: line.slice(tag.length + 2), more: [] }
    } else if (field !== null) {
      if (field.more.length >= FIELD_LINES_MAX) {
        throw statementError(
          `line ${field.line}`,
          `:${field.tag}: runs on for more than ${FIELD_LINES_MAX} lines: a tag or the end of the message ("-") is missing.`,
        )
      }
      field.more.push(line)
    }
    // Outside a message: bank header lines ("ABNANL2A", "940", "0000 01INGB…") and blank lines are skipped.
  }
  if (envelope?.open) throw unclosedEnvelope(envelope)
  endMessage(reader.lineNo)
  if (statements.length === 0) {
    const name = options.fileName === undefined ? 'The file' : `"${options.fileName}"`
    throw statementError('line 1', `${name} holds no MT940/MT942 statement (no :20: field): check that it is a SWIFT MT940 export.`)
  }
  return { format: statements.every((s) => s.format === 'mt942') ? 'mt942' : 'mt940', statements }
}

function unclosedEnvelope(envelope: Envelope): CsError {
  return statementError(
    `line ${envelope.line}`,
    'the SWIFT message that starts here is never closed with "-}": the file is cut short. Export it again.',
  )
}

/** `{1:…}{2:O940…}{3:…}{4:` — the message type is in block 2; block 4 holds the message. */
function readEnvelopeHeader(line: string, lineNo: number, current: Envelope | null): Envelope {
  const envelope: Envelope = current ?? { line: lineNo, messageType: null, open: false }
  const block2 = /\{2:[IO](\d{3})/.exec(line)
  if (block2) {
    if (block2[1] !== '940' && block2[1] !== '942') {
      throw statementError(
        `line ${lineNo}`,
        `this is a SWIFT MT${block2[1]} message; only MT940 statements and MT942 reports can be imported.`,
      )
    }
    envelope.messageType = block2[1]
  }
  if (line.includes('{4:')) envelope.open = true
  return envelope
}

function newMessage(startLine: number, messageType: '940' | '942' | null): Message {
  return {
    startLine,
    messageType,
    statementId: null,
    account: null,
    sequence: null,
    createdAt: null,
    opening: null,
    closing: null,
    scale: null,
    floorCurrency: null,
    entries: [],
    previousTag: '',
    readDate: cachedYymmddToIso(),
    lastEntryDate: { key: '', iso: '' },
    declared: { debitCount: 0, debitSum: 0n, creditCount: 0, creditSum: 0n, seen: false },
  }
}

/** MT942 when the envelope says so, or a bare message has the MT942 tags and no MT940 balances. */
function isInterimReport(message: Message): boolean {
  if (message.messageType !== null) return message.messageType === '942'
  return message.opening === null && message.closing === null && (message.floorCurrency !== null || message.createdAt !== null)
}

function applyField(message: Message, field: Field): void {
  const where = `line ${field.line}`
  switch (field.tag) {
    case '20':
      message.statementId = cleanText(field.value)
      break
    case '25':
    case '25P':
      if (message.account !== null)
        throw statementError(where, 'a second :25: account in one statement: each statement is for one account.')
      message.account = parseAccount(field, where)
      break
    case '28':
    case '28C':
      message.sequence = cleanText(field.value)
      break
    case '60F':
    case '60M':
      if (message.opening !== null) throw statementError(where, `a second opening balance (:${field.tag}:) in one statement.`)
      if (message.entries.length > 0)
        throw statementError(where, `the opening balance :${field.tag}: comes after statement lines (:61:); it must come first.`)
      message.opening = parseBalance(field, where)
      break
    case '62F':
    case '62M':
      if (message.closing !== null) throw statementError(where, `a second closing balance (:${field.tag}:) in one statement.`)
      if (message.opening === null)
        throw statementError(where, `the closing balance :${field.tag}: has no opening balance :60F: before it.`)
      message.closing = parseBalance(field, where)
      break
    case '64':
    case '65':
      parseBalance(field, where) // available balances: checked, not kept (the model has no place for them)
      break
    case '61':
      message.entries.push(parseStatementLine(message, field, where))
      break
    case '86':
      applyInformation(message, field)
      break
    case '34F':
      message.floorCurrency = parseFloorLimit(field.value, where)
      break
    case '13D':
      message.createdAt = parseDateTime(field.value, where)
      break
    case '90D':
    case '90C':
      applyDeclaredTotal(message, field, where)
      break
    default:
      break // :21:, :12:, :13: carry nothing the model keeps
  }
  message.previousTag = field.tag
}

/** An :86: right after a :61: describes that line; anywhere else it is about the whole statement (not kept). */
function applyInformation(message: Message, field: Field): void {
  const entry = message.entries[message.entries.length - 1]
  if (message.previousTag !== '61' || entry === undefined) return
  const info = parseMt940Information(field.value, field.more)
  entry.endToEndId = info.endToEndId
  entry.counterpartyName = info.counterpartyName
  entry.counterpartyAccount = info.counterpartyAccount
  entry.counterpartyBic = info.counterpartyBic
  entry.structuredRef = info.structuredRef
  entry.remittance = info.remittance ?? entry.remittance
  entry.customerRef ??= info.customerRef
}

/** Single-line fields must not run on: a second line under a balance means the file is broken. */
function singleLine(field: Field, where: string): string {
  const extra = field.more.find((line) => line.trim() !== '')
  if (extra !== undefined)
    throw statementError(where, `unexpected text "${extra.trim().slice(0, 40)}" under :${field.tag}:, which is one line.`)
  return field.value.trim()
}

function parseAccount(field: Field, where: string): NonNullable<Message['account']> {
  let raw = cleanText(field.value)
  if (raw === null) throw statementError(where, ':25: names no account.')
  let bic: string | null = null
  let currency: string | null = null
  if (field.tag === '25P') bic = cleanText(field.more.join(' '))
  // "NL69INGB0123456789EUR": some banks append the account's currency.
  const withCurrency = /^(.*\d) ?([A-Z]{3})$/.exec(raw)
  if (withCurrency && isCurrency(withCurrency[2]!)) {
    raw = withCurrency[1]!
    currency = withCurrency[2]!
  }
  const bankAndAccount = /^([A-Z0-9]{8,11})\/(.+)$/.exec(raw)
  if (bic === null && bankAndAccount && BIC.test(bankAndAccount[1]!)) bic = bankAndAccount[1]!
  const compact = raw.replace(/ /g, '')
  return { id: IBAN.test(compact) ? compact : raw, bic, currency }
}

function isCurrency(code: string): boolean {
  try {
    currencyScale(code, '')
    return true
  } catch {
    return false
  }
}

/** `C200101EUR444,29`: D/C mark, YYMMDD, currency, amount with a decimal comma. */
function parseBalance(field: Field, where: string): Balance {
  const value = singleLine(field, where)
  const label = `:${field.tag}:`
  const mark = value.charAt(0)
  if (mark !== 'C' && mark !== 'D') {
    throw statementError(where, `${label} must start with C (credit) or D (debit), not "${value.slice(0, 10)}".`)
  }
  const date = yymmddToIso(value.slice(1, 7))
  if (date === null) throw statementError(where, `${label} date "${value.slice(1, 7)}" is not a date (YYMMDD).`)
  const currency = value.slice(7, 10)
  const scale = currencyScale(currency, where)
  const amount = swiftAmount(value.slice(10), scale, where, label)
  return { amount: mark === 'D' ? -amount : amount, date, currency: currency.toUpperCase() }
}

/** SWIFT amounts: digits with a mandatory decimal comma ("1234,56", "1234,"); a point is refused. */
function swiftAmount(text: string, scale: number, where: string, label: string): bigint {
  const amount = text.trim()
  if (/^\d+,\d*$/.test(amount)) return decimalToMinor(amount, scale, where)
  if (amount === '') throw statementError(where, `${label} has no amount.`)
  if (/^\d+\.\d*$/.test(amount)) {
    throw statementError(
      where,
      `${label} amount "${amount}" has a decimal point: MT940 writes a decimal comma (${amount.replace('.', ',')}). The file is not valid MT940.`,
    )
  }
  throw statementError(
    where,
    `${label} amount "${amount.slice(0, 20)}" is not an MT940 amount (digits with a decimal comma, like 1234,56).`,
  )
}

const STATEMENT_LINE = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d[\d.,]*)?/

/** `:61:` value date, [entry date], D/C mark, [funds code], amount, type, customer ref [//bank ref] [\n details]. */
function parseStatementLine(message: Message, field: Field, where: string): StatementEntry {
  if (message.closing !== null)
    throw statementError(where, ':61: comes after the closing balance :62F:; statement lines must come before it.')
  const interim = isInterimReport(message)
  if (message.opening === null && !interim) {
    throw statementError(where, ':61: comes before the opening balance :60F:, which every MT940 statement must state first.')
  }
  const currency = message.opening?.currency ?? message.floorCurrency ?? message.account?.currency ?? null
  if (currency === null) throw statementError(where, ":61: comes before the :34F: floor limit that gives the report's currency.")
  const value = field.value.trim()
  const head = STATEMENT_LINE.exec(value)
  if (head === null) throw statementLineError(value, where)
  const valueDate = message.readDate(head[1]!)
  if (valueDate === null) throw statementError(where, `:61: value date "${head[1]}" is not a date (YYMMDD).`)
  let bookingDate = valueDate
  if (head[2] !== undefined) {
    const key = valueDate + head[2]
    if (message.lastEntryDate.key !== key) message.lastEntryDate = { key, iso: entryDateNear(valueDate, head[2], where) }
    bookingDate = message.lastEntryDate.iso
  }
  if (head[5] === undefined) {
    const afterMark = value.slice(6 + (head[2]?.length ?? 0) + head[3]!.length)
    throw statementError(where, `:61: has no amount after the D/C mark "${head[3]}" (found "${afterMark.slice(0, 12)}").`)
  }
  message.scale ??= currencyScale(currency, where)
  const magnitude = swiftAmount(head[5], message.scale, where, ':61:')
  const rest = value.slice(head[0].length)
  if (!/^[NFS][A-Z0-9]{3}/.test(rest)) {
    throw statementError(where, `:61: transaction type "${rest.slice(0, 4)}" is not N, F or S followed by three characters (like NTRF).`)
  }
  const references = rest.slice(4)
  const split = references.indexOf('//')
  const ownRef = cleanText(split === -1 ? references : references.slice(0, split))
  // "NONREF" = none; a bare SEPA keyword ("KREF+") points at the reference in :86:.
  const customerRef = ownRef === null || ownRef.toUpperCase() === 'NONREF' || /^[A-Z]{4}\+$/.test(ownRef) ? null : ownRef
  // RD = a debit reversed: the money comes back in. RC = a credit reversed: it goes out again.
  const incoming = head[3] === 'C' || head[3] === 'RD'
  return {
    index: message.entries.length,
    where,
    bookingDate,
    valueDate,
    amount: incoming ? magnitude : -magnitude,
    currency,
    reversal: head[3] === 'RC' || head[3] === 'RD',
    status: interim ? 'pending' : 'booked',
    bankRef: split === -1 ? null : cleanText(references.slice(split + 2)),
    endToEndId: null,
    customerRef,
    counterpartyName: null,
    counterpartyAccount: null,
    counterpartyBic: null,
    // The supplementary details line stands in until an :86: gives the remittance.
    remittance: cleanText(field.more.join(' ')),
    structuredRef: null,
    typeCode: rest.slice(0, 4),
    details: [],
  }
}

function statementLineError(value: string, where: string): CsError {
  if (!/^\d{6}/.test(value)) return statementError(where, `:61: must start with the value date (YYMMDD), not "${value.slice(0, 10)}".`)
  const afterDates = value.slice(/^\d{10}/.test(value) ? 10 : 6)
  const mark = /^[A-Za-z]{1,2}/.exec(afterDates)?.[0] ?? afterDates.slice(0, 2)
  return statementError(where, `:61: D/C mark "${mark}" is not C, D, RC or RD.`)
}

/** The entry date is MMDD; its year is the one that puts it nearest the value date (a statement may span New Year). */
function entryDateNear(valueDate: string, mmdd: string, where: string): string {
  const year = Number(valueDate.slice(0, 4))
  const valueMs = Date.UTC(year, Number(valueDate.slice(5, 7)) - 1, Number(valueDate.slice(8, 10)))
  const month = Number(mmdd.slice(0, 2))
  const day = Number(mmdd.slice(2, 4))
  let best: string | null = null
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of [year - 1, year, year + 1]) {
    const iso = isoDate(candidate, month, day)
    if (iso === null) continue
    const distance = Math.abs(Date.UTC(candidate, month - 1, day) - valueMs)
    if (distance < bestDistance) {
      best = iso
      bestDistance = distance
    }
  }
  if (best === null) throw statementError(where, `:61: entry date "${mmdd}" is not a date (MMDD).`)
  return best
}

/** MT942 `:34F:EURD0,` — the floor limit; only its currency is kept. */
function parseFloorLimit(value: string, where: string): string {
  const m = /^([A-Z]{3})([DC]?)(.*)$/.exec(value.trim())
  if (m === null) throw statementError(where, `:34F: "${value.trim().slice(0, 20)}" is not a currency and floor limit (like EUR0,).`)
  swiftAmount(m[3]!, currencyScale(m[1]!, where), where, ':34F:')
  return m[1]!
}

/** MT942 `:13D:1507011200+0100` → 2015-07-01T12:00:00+01:00. */
function parseDateTime(value: string, where: string): string {
  const m = /^(\d{6})(\d\d)(\d\d)([+-])(\d\d)(\d\d)$/.exec(value.trim())
  const date = m === null ? null : yymmddToIso(m[1]!)
  if (m === null || date === null || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[5]) > 14 || Number(m[6]) > 59) {
    throw statementError(where, `:13D: "${value.trim().slice(0, 20)}" is not a date, time and offset (YYMMDDhhmm+hhmm).`)
  }
  return `${date}T${m[2]}:${m[3]}:00${m[4]}${m[5]}:${m[6]}`
}

/** MT942 `:90D:75EUR3367,90` / `:90C:` — number and sum of the debit / credit entries. */
function applyDeclaredTotal(message: Message, field: Field, where: string): void {
  const m = /^(\d{1,5})([A-Z]{3})(.*)$/.exec(singleLine(field, where))
  if (m === null) throw statementError(where, `:${field.tag}: is not a number of entries, a currency and an amount (like 75EUR3367,90).`)
  const sum = swiftAmount(m[3]!, currencyScale(m[2]!, where), where, `:${field.tag}:`)
  const declared = message.declared
  declared.seen = true
  if (field.tag === '90D') {
    declared.debitCount += Number(m[1])
    declared.debitSum += sum
  } else {
    declared.creditCount += Number(m[1])
    declared.creditSum += sum
  }
}

function buildStatement(message: Message, endLine: number): ParsedStatement {
  const where = `line ${endLine}`
  const about = `the statement that starts at line ${message.startLine}`
  if (message.account === null) throw statementError(where, `${about} has no :25: account.`)
  const interim = isInterimReport(message)
  if (!interim && message.opening === null) throw statementError(where, `${about} has no opening balance :60F:.`)
  if (!interim && message.closing === null)
    throw statementError(where, `${about} has no closing balance :62F:: the file is cut short or the statement incomplete.`)
  const currency = message.opening?.currency ?? message.floorCurrency ?? message.account.currency
  if (currency === null) throw statementError(where, `${about} gives no currency (no :60F: balance or :34F: floor limit).`)
  for (const other of [message.closing?.currency, message.account.currency]) {
    if (other !== undefined && other !== null && other !== currency)
      throw statementError(where, `${about} mixes currencies ${currency} and ${other}.`)
  }
  const { debitCount, debitSum, creditCount, creditSum, seen } = message.declared
  return {
    format: interim ? 'mt942' : 'mt940',
    statementId: message.statementId,
    sequence: message.sequence,
    createdAt: message.createdAt,
    account: { id: message.account.id, bic: message.account.bic, currency, ownerName: null },
    fromDate: message.opening?.date ?? null,
    toDate: message.closing?.date ?? null,
    opening: message.opening === null ? null : { amount: message.opening.amount, date: message.opening.date },
    closing: message.closing === null ? null : { amount: message.closing.amount, date: message.closing.date },
    entries: message.entries,
    declared: seen ? { count: debitCount + creditCount, sumAbs: debitSum + creditSum, net: creditSum - debitSum } : emptyDeclared(),
  }
}
