/**
 * OFX bank and credit-card statements (1.x SGML and 2.x XML) → ParsedStatementFile.
 *
 * Banks are loose with OFX: 1.x headers without CHARSET or the blank line, whole files on one line,
 * 2.x headers over SGML bodies whose leaves are never closed, CDATA values. So the file is read as
 * a stream of tags (ofxScanner.ts), a leaf's value being the text up to the next tag, and only
 * entry-sized aggregates are kept: a STMTTRN becomes an entry when it closes and is then dropped,
 * so a 100,000-entry file never exists as a tree.
 *
 * What is strict: every aggregate must be closed (a file cut off mid-way is refused, in 1.x too:
 * SGML lets only leaves go unclosed), every STMTTRN needs a TRNAMT, amounts go from text to bigint
 * exactly, currencies must be ISO 4217. OFX states no opening balance (opening is null) and the
 * closing one is LEDGERBAL; the balance equation is checked by the common step, not here.
 */
import type { CsError } from '../../../../shared/errors'
import { unreachable } from '../../util/invariant'
import { OfxScanner } from './ofxScanner'
import {
  currencyScale,
  emptyDeclared,
  signedDecimalToMinor,
  statementError,
  type ParsedStatement,
  type ParsedStatementFile,
  type StatementBalance,
  type StatementEntry,
} from './statementModel'
import { cleanText, daysInMonth, isoDate } from './statementLines'

export interface ParseOfxOptions {
  /** Named in error messages, so a person knows which of several files is wrong. */
  fileName?: string
}
export type ParseOfxReturnType = ParsedStatementFile
export type ParseOfxErrorType = CsError

/** Aggregates nested deeper than this are not OFX (the spec's deepest statement path is 7). */
const NESTING_DEPTH_MAX = 32
/** Leaves and kept child aggregates per aggregate; a STMTTRN has about 15 possible. */
const ITEMS_PER_AGGREGATE_MAX = 512

const OFX_START_RE = /<OFX\s*>/i
const DATE_RE = /^(\d{4})(\d{2})(\d{2})(?:\d{2}(?:\d{2}(?:\d{2}(?:[.,]\d{1,6})?)?)?)?\s*(?:\[[^\]]*\])?$/
const SPACE_RUN_RE = /\s\s|[\t\n\r\f]/
const LEADING_POINT_RE = /^([+-]?)([.,]\d)/
const DATE_TIME_RE = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?/
const STATEMENT_AGGREGATES: ReadonlySet<string> = new Set(['STMTRS', 'CCSTMTRS'])
const RESPONSE_AGGREGATES: ReadonlySet<string> = new Set(['STMTTRNRS', 'CCSTMTTRNRS'])
/** Aggregates whose closed children we keep until they close themselves (all small). */
const KEEPS_CHILDREN: ReadonlySet<string> = new Set([
  'STMTTRN',
  'STMTRS',
  'CCSTMTRS',
  'STMTTRNRS',
  'CCSTMTTRNRS',
  'SONRS',
  'CURRENCY',
  'ORIGCURRENCY',
])
/** Always aggregates, even written with no whitespace before their first child. */
const KNOWN_AGGREGATES: ReadonlySet<string> = new Set([
  'OFX',
  'SIGNONMSGSRSV1',
  'SONRS',
  'STATUS',
  'FI',
  'BANKMSGSRSV1',
  'CREDITCARDMSGSRSV1',
  'STMTTRNRS',
  'CCSTMTTRNRS',
  'STMTRS',
  'CCSTMTRS',
  'BANKACCTFROM',
  'CCACCTFROM',
  'BANKACCTTO',
  'CCACCTTO',
  'BANKTRANLIST',
  'STMTTRN',
  'PAYEE',
  'LEDGERBAL',
  'AVAILBAL',
  'BALLIST',
  'BAL',
])
/** Always leaves, even when left empty in SGML (`<MEMO>` followed by the next tag). */
const KNOWN_LEAVES: ReadonlySet<string> = new Set([
  'TRNTYPE',
  'DTPOSTED',
  'DTUSER',
  'DTAVAIL',
  'TRNAMT',
  'FITID',
  'SRVRTID',
  'CHECKNUM',
  'REFNUM',
  'SIC',
  'PAYEEID',
  'NAME',
  'EXTDNAME',
  'MEMO',
  'CURDEF',
  'CURSYM',
  'CURRATE',
  'BANKID',
  'BRANCHID',
  'ACCTID',
  'ACCTTYPE',
  'ACCTKEY',
  'DTSTART',
  'DTEND',
  'BALAMT',
  'DTASOF',
  'CODE',
  'SEVERITY',
  'MESSAGE',
  'DTSERVER',
  'TRNUID',
])

interface Leaf {
  name: string
  value: string
  pos: number
}

interface Frame {
  name: string
  pos: number
  line: number
  /** Opened by an unknown tag with no text: an aggregate, or an SGML leaf left empty. */
  guess: boolean
  leaves: Leaf[]
  /** Closed child aggregates kept for reading (null until the first: most frames keep none). */
  children: Frame[] | null
  /** Statements finished before this aggregate opened (to tell an empty STMTTRNRS). */
  statementsBefore: number
}

interface StatementDraft {
  frame: Frame
  where: string
  currency: string | null
  scale: number
  entries: StatementEntry[]
  fromDate: string | null
  toDate: string | null
  closing: StatementBalance | null
}

interface ReadState {
  scanner: OfxScanner
  at: (where: string) => string
  stack: Frame[]
  draft: StatementDraft | null
  statements: ParsedStatement[]
  serverTime: string | null
  /** The leaf just read, whose `</NAME>` may follow (2.x). */
  lastLeaf: string | null
}

/** Parses an OFX file (text already decoded) into one statement per STMTRS / CCSTMTRS. */
export function parseOfx(text: string, options: ParseOfxOptions = {}): ParseOfxReturnType {
  const fileName = options.fileName
  const at = (where: string): string => (fileName ? `${fileName}, ${where}` : where)
  const match = OFX_START_RE.exec(text)
  if (!match) {
    throw statementError(
      at('line 1'),
      'this is not an OFX file: there is no <OFX> tag — export the statement from the bank as OFX (or QFX) again.',
    )
  }
  const state: ReadState = {
    scanner: new OfxScanner(text, match.index, at),
    at,
    stack: [],
    draft: null,
    statements: [],
    serverTime: null,
    lastLeaf: null,
  }
  readTokens(state)
  const second = new RegExp(OFX_START_RE.source, 'gi')
  second.lastIndex = state.scanner.pos
  const again = second.exec(text)
  if (again) {
    const line = state.scanner.lineAt(again.index)
    throw statementError(
      at(`line ${line}`),
      'a second <OFX> block follows the first — the file joins two exports; import them one at a time.',
    )
  }
  if (state.statements.length === 0) {
    throw statementError(
      at('line 1'),
      'the file holds no bank or credit-card statement (STMTRS or CCSTMTRS) — export the account statement again.',
    )
  }
  return { format: 'ofx', statements: state.statements }
}

/** Reads tags until `</OFX>` closes the document, or the text ends. */
function readTokens(state: ReadState): void {
  const scanner = state.scanner
  for (;;) {
    scanner.next()
    if (scanner.kind === 'end') break
    if (scanner.kind === 'close') {
      closeTag(state, scanner.name)
      if (scanner.name === 'OFX' && state.stack.length === 0) break
      continue
    }
    state.lastLeaf = null
    openTag(state)
  }
  dropEmptyGuesses(state)
  const open = state.stack.at(-1)
  if (open) {
    throw statementError(
      state.at(frameWhere(state, open)),
      `<${open.name}> is never closed (</${open.name}> is missing) — the file is cut off; download it again.`,
    )
  }
}

function openTag(state: ReadState): void {
  const { scanner } = state
  const name = scanner.name
  const isLeaf =
    !KNOWN_AGGREGATES.has(name) && (scanner.value !== '' || scanner.selfClosing || KNOWN_LEAVES.has(name) || scanner.nextIsClose(name))
  if (isLeaf) {
    const top = state.stack.at(-1)
    if (!top) unreachable('a leaf outside <OFX>')
    if (top.leaves.length + (top.children?.length ?? 0) >= ITEMS_PER_AGGREGATE_MAX) {
      throw statementError(
        state.at(`${top.name} (line ${top.line})`),
        `<${top.name}> holds more than ${ITEMS_PER_AGGREGATE_MAX} elements — this is not an OFX statement.`,
      )
    }
    top.leaves.push({ name, value: scanner.value, pos: scanner.pos })
    state.lastLeaf = name
    return
  }
  openAggregate(state, name)
}

function openAggregate(state: ReadState, name: string): void {
  const { scanner, stack } = state
  const line = scanner.lineAt(scanner.pos)
  if (stack.length >= NESTING_DEPTH_MAX)
    throw statementError(state.at(`line ${line}`), `aggregates are nested deeper than ${NESTING_DEPTH_MAX} — this is not an OFX statement.`)
  if (stack.length === 0 && name !== 'OFX') unreachable(`scanning started at <${name}>, not <OFX>`)
  if (name.endsWith('STMTRS') && !STATEMENT_AGGREGATES.has(name)) {
    throw statementError(
      state.at(`${name} (line ${line})`),
      `<${name}> is not a bank or credit-card statement (investment and loan statements are not supported) — export the bank account's statement.`,
    )
  }
  const frame: Frame = {
    name,
    pos: scanner.pos,
    line,
    guess: !KNOWN_AGGREGATES.has(name),
    leaves: [],
    children: null,
    statementsBefore: state.statements.length,
  }
  if (STATEMENT_AGGREGATES.has(name)) {
    if (state.draft)
      throw statementError(state.at(`${name} (line ${line})`), `<${name}> opens inside another statement — the file is damaged.`)
    state.draft = {
      frame,
      where: `${name} (line ${line})`,
      currency: null,
      scale: 0,
      entries: [],
      fromDate: null,
      toDate: null,
      closing: null,
    }
  }
  stack.push(frame)
}

function closeTag(state: ReadState, name: string): void {
  const { stack } = state
  const justReadLeaf = state.lastLeaf === name
  state.lastLeaf = null
  if (stack.at(-1)?.name !== name) {
    if (justReadLeaf) return // `<NAME>value</NAME>`: the leaf is already read.
    const depth = stack.findLastIndex((frame) => frame.name === name)
    if (depth < 0) {
      if (KNOWN_AGGREGATES.has(name))
        throw statementError(
          state.at(`line ${state.scanner.lineAt(state.scanner.pos)}`),
          `</${name}> closes an aggregate that was never opened — the file is damaged.`,
        )
      return // a stray closing tag of a leaf: harmless.
    }
    closeEmptyGuessesAbove(state, depth, name)
  }
  const frame = stack.pop()
  if (!frame) unreachable('closing tag matched an empty stack')
  closeAggregate(state, frame, stack.at(-1) ?? null)
}

/** SGML leaves written empty (`<MEMO>` then the next tag) look like aggregates until their parent closes. */
function closeEmptyGuessesAbove(state: ReadState, depth: number, closing: string): void {
  const { stack } = state
  while (stack.length > depth + 1) {
    const frame = stack.pop()!
    if (!frame.guess || frame.leaves.length > 0 || frame.children !== null) {
      throw statementError(
        state.at(frameWhere(state, frame)),
        `<${frame.name}> is not closed before </${closing}> (line ${state.scanner.lineAt(state.scanner.pos)}) — the file is damaged; ask the bank for a new export.`,
      )
    }
    stack.at(-1)!.leaves.push({ name: frame.name, value: '', pos: frame.pos })
  }
}

function dropEmptyGuesses(state: ReadState): void {
  const { stack } = state
  for (let top = stack.at(-1); top && top.guess && top.leaves.length === 0 && top.children === null; top = stack.at(-1)) stack.pop()
}

function closeAggregate(state: ReadState, frame: Frame, parent: Frame | null): void {
  switch (frame.name) {
    case 'STMTTRN':
      addEntry(state, frame)
      return
    case 'BANKTRANLIST':
      addTransactionListDates(state, frame)
      return
    case 'LEDGERBAL':
      if (state.draft) state.draft.closing = readBalance(state, frame, state.draft)
      return
    case 'STMTRS':
    case 'CCSTMTRS':
      finishStatement(state, frame)
      return
    case 'SONRS':
      state.serverTime = readServerTime(frame)
      return
    default:
      if (RESPONSE_AGGREGATES.has(frame.name) && state.statements.length === frame.statementsBefore) refuseEmptyResponse(state, frame)
      if (parent && KEEPS_CHILDREN.has(parent.name)) (parent.children ??= []).push(frame)
  }
}

/** "STMTTRN 4 (line 97)" for a transaction still open, "BANKTRANLIST (line 12)" for the others. */
function frameWhere(state: ReadState, frame: Frame): string {
  const label = frame.name === 'STMTTRN' && state.draft ? `STMTTRN ${state.draft.entries.length + 1}` : frame.name
  return `${label} (line ${frame.line})`
}

function leaf(frame: Frame, name: string): Leaf | null {
  for (const item of frame.leaves) if (item.name === name) return item
  return null
}

function leafText(frame: Frame | null, name: string): string | null {
  const found = frame ? leaf(frame, name) : null
  return found && found.value !== '' ? found.value : null
}

function child(frame: Frame, name: string): Frame | null {
  for (const item of frame.children ?? []) if (item.name === name) return item
  return null
}

/** Where a leaf is, for an error: "TRNAMT of STMTTRN 3 (line 120)" (`label` names the aggregate, the line is the leaf's). */
function leafWhere(state: ReadState, frame: Frame, item: Leaf, label: string): string {
  return state.at(`${item.name} of ${label} (line ${state.scanner.lineFrom(frame.pos, frame.line, item.pos)})`)
}

/** The statement's currency (CURDEF), which the spec puts before the transactions and balances. */
function draftCurrency(state: ReadState, draft: StatementDraft): { currency: string; scale: number } {
  if (draft.currency === null) {
    const curdef = leaf(draft.frame, 'CURDEF')
    if (!curdef || curdef.value === '') {
      throw statementError(
        state.at(draft.where),
        'the statement has no CURDEF (its currency) before its transactions and balances — the file is incomplete.',
      )
    }
    draft.scale = currencyScale(curdef.value, leafWhere(state, draft.frame, curdef, draft.frame.name))
    draft.currency = curdef.value.trim().toUpperCase()
  }
  return { currency: draft.currency, scale: draft.scale }
}

function addEntry(state: ReadState, frame: Frame): void {
  const draft = state.draft
  if (!draft)
    throw statementError(
      state.at(`STMTTRN (line ${frame.line})`),
      'a transaction (STMTTRN) stands outside a bank or credit-card statement — the file is damaged.',
    )
  const index = draft.entries.length
  const label = `STMTTRN ${index + 1}`
  const where = `${label} (line ${frame.line})`
  const amountLeaf = leaf(frame, 'TRNAMT')
  if (!amountLeaf || amountLeaf.value === '') {
    throw statementError(state.at(where), 'the transaction has no TRNAMT (amount) — the file is incomplete; download it again.')
  }
  const { currency, scale } = entryCurrency(state, frame, draft, label)
  const payee = child(frame, 'PAYEE')
  const toAccount = child(frame, 'BANKACCTTO') ?? child(frame, 'CCACCTTO')
  draft.entries.push({
    index,
    where,
    bookingDate: readDate(state, frame, 'DTPOSTED', label),
    valueDate: readDate(state, frame, 'DTUSER', label),
    amount: readAmount(state, frame, amountLeaf, scale, where, label),
    currency,
    reversal: false,
    status: 'booked',
    bankRef: leafText(frame, 'FITID'),
    endToEndId: null,
    customerRef: leafText(frame, 'CHECKNUM') ?? leafText(frame, 'REFNUM'),
    counterpartyName: leafText(frame, 'NAME') ?? leafText(payee, 'NAME'),
    counterpartyAccount: leafText(toAccount, 'ACCTID'),
    counterpartyBic: null,
    remittance: singleSpaced(leafText(frame, 'MEMO')),
    structuredRef: null,
    typeCode: leafText(frame, 'TRNTYPE'),
    details: [],
  })
}

/**
 * OFX 5.2: a CURRENCY aggregate means the amounts ARE in CURSYM; ORIGCURRENCY means they were
 * converted into CURDEF (CURSYM is only where they came from), so the entry stays in CURDEF.
 * Some banks write `<CURRENCY>EUR` as a leaf; that is read as CURRENCY.
 */
function entryCurrency(state: ReadState, frame: Frame, draft: StatementDraft, label: string): { currency: string; scale: number } {
  const aggregate = child(frame, 'CURRENCY')
  const written = aggregate ? leaf(aggregate, 'CURSYM') : leaf(frame, 'CURRENCY')
  if (!written || written.value === '') return draftCurrency(state, draft)
  const owner = aggregate ?? frame
  const scale = currencyScale(written.value, leafWhere(state, owner, written, label))
  return { currency: written.value.trim().toUpperCase(), scale }
}

/**
 * A signed OFX amount; the spec allows "," as the decimal mark, and some writers drop the 0 of
 * "-.50". The exact place ("TRNAMT of STMTTRN 3 (line 120)") is worked out only for an error.
 */
function readAmount(state: ReadState, frame: Frame, item: Leaf, scale: number, where: string, label: string): bigint {
  const text = LEADING_POINT_RE.test(item.value) ? item.value.replace(LEADING_POINT_RE, '$10$2') : item.value
  try {
    return signedDecimalToMinor(text, scale, where)
  } catch {
    return signedDecimalToMinor(text, scale, leafWhere(state, frame, item, label)) // throws again, naming the leaf's line
  }
}

/** The date part of an OFX date-time as written (the zone is not applied), YYYY-MM-DD; null when absent. */
function readDate(state: ReadState, frame: Frame, name: string, label: string): string | null {
  const item = leaf(frame, name)
  if (!item || item.value === '') return null
  const date = DATE_RE.test(item.value) ? ofxDatePart(item.value) : null
  if (!date) {
    throw statementError(
      leafWhere(state, frame, item, label),
      `"${item.value.slice(0, 40)}" is not an OFX date (YYYYMMDD, optionally followed by HHMMSS.XXX and a [zone]) — the file is damaged.`,
    )
  }
  return date
}

/** "YYYY-MM-DD" from an OFX date-time already matched by DATE_RE, or null when the day does not exist. */
function ofxDatePart(value: string): string | null {
  const year = digitsAt(value, 0, 4)
  const month = digitsAt(value, 4, 2)
  const day = digitsAt(value, 6, 2)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`
}

function digitsAt(text: string, start: number, count: number): number {
  let n = 0
  for (let i = start; i < start + count; i++) n = n * 10 + (text.charCodeAt(i) - 0x30)
  return n
}

/** Remittance text with runs of spaces, tabs and line ends made one space (the model's rule). */
function singleSpaced(text: string | null): string | null {
  return text === null || !SPACE_RUN_RE.test(text) ? text : cleanText(text)
}

/**
 * The server's time as written, "YYYY-MM-DDTHH:MM:SS" (or the date alone), for createdAt. Only
 * informative, so a malformed one is left out rather than refused.
 */
function readServerTime(frame: Frame): string | null {
  const m = DATE_TIME_RE.exec(leafText(frame, 'DTSERVER') ?? '')
  const date = m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : null
  if (!m || !date) return null
  return m[4] === undefined ? date : `${date}T${m[4]}:${m[5]}:${m[6]}`
}

function addTransactionListDates(state: ReadState, frame: Frame): void {
  const draft = state.draft
  if (!draft) return
  draft.fromDate = readDate(state, frame, 'DTSTART', frame.name)
  draft.toDate = readDate(state, frame, 'DTEND', frame.name)
}

function readBalance(state: ReadState, frame: Frame, draft: StatementDraft): StatementBalance | null {
  const where = `${frame.name} (line ${frame.line})`
  const amount = leaf(frame, 'BALAMT')
  if (!amount || amount.value === '')
    throw statementError(state.at(where), `<${frame.name}> has no BALAMT (the balance) — the file is incomplete.`)
  const { scale } = draftCurrency(state, draft)
  return { amount: readAmount(state, frame, amount, scale, where, frame.name), date: readDate(state, frame, 'DTASOF', frame.name) }
}

function finishStatement(state: ReadState, frame: Frame): void {
  const draft = state.draft
  if (!draft || draft.frame !== frame) unreachable(`statement ${frame.name} closed without its draft`)
  state.draft = null
  const accountFrame = child(frame, frame.name === 'CCSTMTRS' ? 'CCACCTFROM' : 'BANKACCTFROM')
  const accountId = leafText(accountFrame, 'ACCTID')
  if (accountId === null) {
    const from = frame.name === 'CCSTMTRS' ? 'CCACCTFROM' : 'BANKACCTFROM'
    throw statementError(state.at(draft.where), `the statement names no account (${from}/ACCTID) — the file is incomplete.`)
  }
  const { currency } = draftCurrency(state, draft)
  state.statements.push({
    format: 'ofx',
    statementId: null,
    sequence: null,
    createdAt: state.serverTime,
    account: { id: accountId, bic: null, currency, ownerName: null },
    fromDate: draft.fromDate,
    toDate: draft.toDate,
    opening: null,
    closing: draft.closing,
    entries: draft.entries,
    declared: emptyDeclared(),
  })
}

/** A STMTTRNRS without a statement: the bank answered with an error (STATUS) instead of data. */
function refuseEmptyResponse(state: ReadState, frame: Frame): never {
  const status = child(frame, 'STATUS')
  const code = leafText(status, 'CODE')
  const message = leafText(status, 'MESSAGE')
  const said =
    code !== null && code !== '0' ? `the bank answered with status ${code}${message ? ` ("${message}")` : ''} and` : 'the response'
  throw statementError(
    state.at(`${frame.name} (line ${frame.line})`),
    `${said} sent no statement — download the statement again, or ask the bank.`,
  )
}
