/**
 * A whole camt.052/053/054 file → ParsedStatementFile: streamCamt's events gathered back into
 * statements. The import streams (importStatement.ts); this is for callers that want every line
 * at once (tests, small files). The choices and checks are streamCamt's and its mappers'.
 */
import type { CsError } from '../../../../shared/errors'
import { collectStatements } from './statementStream'
import { streamCamt } from './streamCamt'
import type { ParsedStatementFile } from './statementModel'

export interface ParseCamtParameters {
  /** Only named in the sentence of an empty or non-XML file. */
  fileName?: string
}
export type ParseCamtReturnType = ParsedStatementFile
/** Always STATEMENT_INVALID, with `details.where`. */
export type ParseCamtErrorType = CsError

/** Entries per event when the whole file is wanted anyway: fewer, larger pauses. */
const WHOLE_FILE_ENTRIES_PER_EVENT = 4096

/** Parses a camt.052/053/054 file (decoded text) into statements, or throws STATEMENT_INVALID naming where. */
export function parseCamt(text: string, options: ParseCamtParameters = {}): ParseCamtReturnType {
  return collectStatements(streamCamt(text, { fileName: options.fileName, entriesPerEvent: WHOLE_FILE_ENTRIES_PER_EVENT }))
}
