/**
 * ISO 20022 cash-management statements as a stream of events (statementStream.ts): camt.053
 * (BkToCstmrStmt/Stmt), camt.052 (BkToCstmrAcctRpt/Rpt) and camt.054 (BkToCstmrDbtCdtNtfctn/Ntfctn),
 * message versions 001.02 to 001.08. One pass of readXml, paused after each event: a statement's
 * header stays a small tree, each <Ntry> is mapped and dropped as soon as it closes, and entries
 * leave in chunks, so memory holds one chunk of lines, never the file's tree or all its lines.
 *
 * This checks the file's own structure (the namespace, the message and statement elements, each
 * entry's amount, direction and status, a batch's declared transaction count) and reports
 * `opening`, `closing` and `declared` as the file states them; the balance equation and TxsSummry
 * are checked by the import as the lines go by (checkStatements.ts).
 *
 * A statement's header is mapped when its first entry has been read (the schema puts Acct, Bal and
 * TxsSummry before the entries) and again at its end; an account or currency that only appears
 * after the entries is refused, since lines already went out under the first.
 */
import type { CsError } from '../../../../shared/errors'
import { text as textOf } from './camtValues'
import { mapCamtEntry } from './mapCamtEntry'
import { camtKind, mapCamtStatement, MESSAGE_PARTS, type CamtKind } from './mapCamtStatement'
import { openXml, type XmlElement, type XmlVisitor } from './readXml'
import { ENTRIES_PER_EVENT_DEFAULT, type StatementEvent } from './statementStream'
import { statementError, type StatementEntry, type StatementHeader } from './statementModel'
import { invariant } from '../../util/invariant'

export interface StreamCamtParameters {
  /** Only named in the sentence of an empty or non-XML file. */
  fileName?: string | undefined
  /** Entries per `entries` event (default ENTRIES_PER_EVENT_DEFAULT). */
  entriesPerEvent?: number | undefined
}
export type StreamCamtReturnType = Generator<StatementEvent, void, undefined>
/** Always STATEMENT_INVALID, with `details.where`, thrown by the event it stops at. */
export type StreamCamtErrorType = CsError

/**
 * Starts reading a camt.052/053/054 file (decoded text). An empty file is refused at once; every
 * other problem is thrown by the iterator when reading reaches it — after the events before it.
 */
export function streamCamt(text: string, options: StreamCamtParameters = {}): StreamCamtReturnType {
  const file = options.fileName ? `"${options.fileName}"` : 'the file'
  const entriesPerEvent = options.entriesPerEvent ?? ENTRIES_PER_EVENT_DEFAULT
  invariant(Number.isInteger(entriesPerEvent) && entriesPerEvent > 0, () => `entriesPerEvent must be positive, got ${entriesPerEvent}`)
  if (!/[^\s\uFEFF]/.test(text)) {
    throw statementError('line 1', `${file} is empty — export the camt statement from the bank again.`)
  }
  return camtEvents(text, file, entriesPerEvent)
}

function* camtEvents(text: string, file: string, entriesPerEvent: number): StreamCamtReturnType {
  const visitor = new CamtVisitor(entriesPerEvent)
  const cursor = openXml(text, visitor)
  visitor.pause = () => cursor.pause()
  let reading = true
  while (reading) {
    reading = cursor.resume()
    for (const event of visitor.takeEvents()) yield event
  }
  const kind = visitor.kind!
  if (visitor.statements === 0) {
    throw statementError(
      `line ${visitor.messageLine}`,
      `${file} holds no <${kind.statement}>: the ${kind.format} message has no statement to read.`,
    )
  }
}

interface OpenStatement {
  element: XmlElement
  where: string
  /** Entries read so far. */
  entries: number
  firstEntry: StatementEntry | undefined
  /** The header sent with `start`; null until the first entry (or the end of an empty statement). */
  start: StatementHeader | null
}

/** Follows the document by depth: 0 Document, 1 message, 2 GrpHdr / statements, 3 a statement's parts. */
class CamtVisitor implements XmlVisitor {
  kind: CamtKind | null = null
  messageLine = 1
  /** Statements opened so far. */
  statements = 0
  /** Deeper than a statement's parts (an entry's insides) is read when its entry closes. */
  readonly shownDepthMax = 3
  /** Set by the reader's owner: stops reading after the current tag, so the events can be taken. */
  pause: () => void = () => {}
  private events: StatementEvent[] = []
  private chunk: StatementEntry[] = []
  private groupCreatedAt: string | null = null
  private current: OpenStatement | null = null

  constructor(private readonly entriesPerEvent: number) {}

  takeEvents(): StatementEvent[] {
    const events = this.events
    this.events = []
    return events
  }

  open(element: XmlElement, depth: number): void {
    if (depth === 0) {
      this.kind = camtKind(element)
      this.messageLine = element.line
      this.emit({ type: 'file', format: this.kind.format })
    } else if (depth === 1) this.openMessage(element)
    else if (depth === 2) this.openMessagePart(element)
  }

  close(element: XmlElement, depth: number): boolean {
    const current = this.current
    if (depth === 3 && current !== null && element.name === 'Ntry') {
      this.addEntry(current, mapCamtEntry(element, current.entries))
      return false
    }
    if (depth === 2) {
      if (element.name === 'GrpHdr') this.groupCreatedAt = textOf(element, 'CreDtTm')
      if (current !== null && element === current.element) this.endStatement(current)
      return false
    }
    // A statement's other parts (Acct, Bal, TxsSummry…) and what is under them stay for its header.
    return depth > 2
  }

  private addEntry(current: OpenStatement, entry: StatementEntry): void {
    if (current.start === null) this.startStatement(current, entry)
    current.entries++
    this.chunk.push(entry)
    if (this.chunk.length >= this.entriesPerEvent) this.flush()
  }

  private startStatement(current: OpenStatement, firstEntry: StatementEntry | undefined): void {
    current.firstEntry = firstEntry
    current.start = mapCamtStatement(current.element, this.kind!, current.where, firstEntry, this.groupCreatedAt)
    this.emit({ type: 'start', header: current.start })
  }

  private endStatement(current: OpenStatement): void {
    if (current.start === null) this.startStatement(current, undefined)
    this.flush()
    const start = current.start!
    const header = mapCamtStatement(current.element, this.kind!, current.where, current.firstEntry, this.groupCreatedAt)
    if (header.account.id !== start.account.id || header.account.currency !== start.account.currency) {
      throw statementError(
        current.where,
        `the statement names its account or currency (<Acct>, <Bal>) after its entries; camt puts them before the first <Ntry> — ask the bank for a standard export.`,
      )
    }
    this.current = null
    this.emit({ type: 'end', header, entries: current.entries })
  }

  private flush(): void {
    if (this.chunk.length === 0) return
    const entries = this.chunk
    this.chunk = []
    this.emit({ type: 'entries', entries })
  }

  private emit(event: StatementEvent): void {
    this.events.push(event)
    this.pause()
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
      this.statements++
      const where = `${kind.statement} ${this.statements} (line ${element.line})`
      this.current = { element, where, entries: 0, firstEntry: undefined, start: null }
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
