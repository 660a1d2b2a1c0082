/**
 * A statement file as a stream of events, so a large file is stored as it is read, a chunk of
 * lines at a time, and never held whole: streamCamt reads camt this way; the other parsers return
 * whole statements, which `statementEvents` replays in the same shape, so the import has one path.
 *
 * The order is always: `file`, then per statement `start`, any number of `entries` (in file
 * order, each at most the chunk size asked for, never empty), `end`. `start` carries the header
 * as read before the entries (the account and currency never change after it); `end` carries it
 * as read by the statement's end, with how many entries it had.
 */
import { assertNever, invariant } from '../../util/invariant'
import type { ParsedStatement, ParsedStatementFile, StatementEntry, StatementFormat, StatementHeader } from './statementModel'

export type StatementEvent =
  | { type: 'file'; format: StatementFormat }
  | { type: 'start'; header: StatementHeader }
  | { type: 'entries'; entries: StatementEntry[] }
  | { type: 'end'; header: StatementHeader; entries: number }

/** Lines per `entries` event unless the reader is asked for another size. */
export const ENTRIES_PER_EVENT_DEFAULT = 500

/** A whole parsed file replayed as events (MT940, BAI2, OFX, CSV: their parsers return whole files). */
export function* statementEvents(file: ParsedStatementFile, entriesPerEvent: number): Generator<StatementEvent, void, undefined> {
  invariant(Number.isInteger(entriesPerEvent) && entriesPerEvent > 0, () => `entriesPerEvent must be positive, got ${entriesPerEvent}`)
  yield { type: 'file', format: file.format }
  for (const statement of file.statements) {
    const header = headerOf(statement)
    yield { type: 'start', header }
    for (let from = 0; from < statement.entries.length; from += entriesPerEvent) {
      yield { type: 'entries', entries: statement.entries.slice(from, from + entriesPerEvent) }
    }
    yield { type: 'end', header, entries: statement.entries.length }
  }
}

/** The events gathered back into whole statements (the end header, every entry in order). */
export function collectStatements(events: Iterable<StatementEvent>): ParsedStatementFile {
  let format: StatementFormat | null = null
  const statements: ParsedStatement[] = []
  let entries: StatementEntry[] | null = null
  for (const event of events) {
    switch (event.type) {
      case 'file':
        format = event.format
        break
      case 'start':
        entries = []
        break
      case 'entries':
        invariant(entries !== null, 'entries outside a statement')
        for (const entry of event.entries) entries.push(entry)
        break
      case 'end':
        invariant(entries !== null && entries.length === event.entries, 'a statement ended with another count than it read')
        statements.push({ ...event.header, entries })
        entries = null
        break
      default:
        assertNever(event, 'statement event')
    }
  }
  invariant(format !== null && entries === null, 'a statement stream ended early')
  return { format, statements }
}

function headerOf(statement: ParsedStatement): StatementHeader {
  const { entries: _entries, ...header } = statement
  return header
}
