/**
 * One entry point for every statement format: recognise the file (or take the format the person
 * named, refusing one the content contradicts), parse it with its format's parser, and return the
 * statements — whole, or as a stream of events the import stores as it goes (statementStream.ts).
 * Parsing never stores anything; importStatement.ts checks and stores.
 */
import { CsError } from '../../../../shared/errors'
import { detectStatementFormat, familyOf, FAMILY_FORMATS } from './detectStatementFormat'
import { parseBai2 } from './parseBai2'
import { CsvStatementMapping, parseCsvStatement } from './parseCsvStatement'
import { parseMt940 } from './parseMt940'
import { parseOfx } from './parseOfx'
import type { ParsedStatementFile, StatementFormat } from './statementModel'
import { collectStatements, ENTRIES_PER_EVENT_DEFAULT, statementEvents, type StatementEvent } from './statementStream'
import { streamCamt } from './streamCamt'

export interface ParseStatementOptions {
  fileName: string
  /** What the person says the file is; checked against the content. */
  format?: StatementFormat | undefined
  /** A CSV column mapping (already read from the saved mappings). */
  mapping?: unknown
}

/**
 * Recognises the file at once (refusing a format the content contradicts) and returns its events;
 * camt is read as the events are taken, every other format is parsed whole first. Problems in the
 * content are thrown by the iterator when reading reaches them.
 */
export function streamStatementFile(
  text: string,
  options: ParseStatementOptions,
  entriesPerEvent: number = ENTRIES_PER_EVENT_DEFAULT,
): Generator<StatementEvent, void, undefined> {
  const { fileName } = options
  const hasMapping = options.mapping !== undefined
  const family = options.format === 'csv' ? 'csv' : detectStatementFormat(text, fileName, hasMapping)
  if (options.format !== undefined && familyOf(options.format) !== family) {
    throw new CsError(
      'STATEMENT_FORMAT_UNKNOWN',
      `${fileName} was given as ${options.format} but its content is ${FAMILY_FORMATS[family].join('/')} — leave out --format, or choose the right file.`,
    )
  }
  const events =
    family === 'camt'
      ? streamCamt(text, { fileName, entriesPerEvent })
      : statementEvents(parseFamily(family, text, fileName, options.mapping), entriesPerEvent)
  return checkedEvents(events, fileName, options.format)
}

/** Parses the whole file into its statements. */
export function parseStatementFile(text: string, options: ParseStatementOptions): ParsedStatementFile {
  return collectStatements(streamStatementFile(text, options, WHOLE_FILE_ENTRIES_PER_EVENT))
}

/** Entries per event when the whole file is wanted anyway. */
const WHOLE_FILE_ENTRIES_PER_EVENT = 4096

/** The format the person named must be the one read; a file must hold a statement. */
function* checkedEvents(
  events: Generator<StatementEvent, void, undefined>,
  fileName: string,
  format: StatementFormat | undefined,
): Generator<StatementEvent, void, undefined> {
  let statements = 0
  for (const event of events) {
    if (event.type === 'file' && format !== undefined && event.format !== format) {
      throw new CsError('STATEMENT_FORMAT_UNKNOWN', `${fileName} was given as ${format} but it is ${event.format} — leave out --format.`)
    }
    if (event.type === 'start') statements++
    yield event
  }
  if (statements === 0) {
    throw new CsError(
      'STATEMENT_INVALID',
      `${fileName} holds no statement — check that it is the bank's statement export and not an empty file.`,
      {
        details: { where: fileName },
      },
    )
  }
}

function parseFamily(
  family: Exclude<ReturnType<typeof detectStatementFormat>, 'camt'>,
  text: string,
  fileName: string,
  mapping: unknown,
): ParsedStatementFile {
  switch (family) {
    case 'mt940':
      return parseMt940(text, { fileName })
    case 'bai2':
      return parseBai2(text, { fileName })
    case 'ofx':
      return parseOfx(text, { fileName })
    case 'csv': {
      if (mapping === undefined) {
        throw new CsError(
          'STATEMENT_MAPPING_INVALID',
          `${fileName} is a CSV file — choose the saved column mapping of its bank (--mapping).`,
        )
      }
      const checked = CsvStatementMapping.safeParse(mapping)
      if (!checked.success) {
        const first = checked.error.issues[0]
        throw new CsError(
          'STATEMENT_MAPPING_INVALID',
          `The column mapping is not valid: ${first ? `${first.path.join('.') || 'mapping'} ${first.message}` : 'unknown problem'} — fix it and save it again.`,
        )
      }
      return parseCsvStatement(text, checked.data, { fileName })
    }
  }
}
