/**
 * One entry point for every statement format: recognise the file (or take the format the person
 * named, refusing one the content contradicts), parse it with its format's parser, and return the
 * statements. Parsing never stores anything; importStatement.ts checks and stores.
 */
import { CsError } from '../../../../shared/errors'
import { detectStatementFormat, familyOf, FAMILY_FORMATS } from './detectStatementFormat'
import { parseBai2 } from './parseBai2'
import { parseCamt } from './parseCamt'
import { CsvStatementMapping, parseCsvStatement } from './parseCsvStatement'
import { parseMt940 } from './parseMt940'
import { parseOfx } from './parseOfx'
import type { ParsedStatementFile, StatementFormat } from './statementModel'

export interface ParseStatementOptions {
  fileName: string
  /** What the person says the file is; checked against the content. */
  format?: StatementFormat | undefined
  /** A CSV column mapping (already read from the saved mappings). */
  mapping?: unknown
}

export function parseStatementFile(text: string, options: ParseStatementOptions): ParsedStatementFile {
  const { fileName } = options
  const hasMapping = options.mapping !== undefined
  const family = options.format === 'csv' ? 'csv' : detectStatementFormat(text, fileName, hasMapping)
  if (options.format !== undefined && familyOf(options.format) !== family) {
    throw new CsError(
      'STATEMENT_FORMAT_UNKNOWN',
      `${fileName} was given as ${options.format} but its content is ${FAMILY_FORMATS[family].join('/')} — leave out --format, or choose the right file.`,
    )
  }
  const parsed = parseFamily(family, text, fileName, options.mapping)
  if (options.format !== undefined && parsed.format !== options.format) {
    throw new CsError(
      'STATEMENT_FORMAT_UNKNOWN',
      `${fileName} was given as ${options.format} but it is ${parsed.format} — leave out --format.`,
    )
  }
  if (parsed.statements.length === 0) {
    throw new CsError(
      'STATEMENT_INVALID',
      `${fileName} holds no statement — check that it is the bank's statement export and not an empty file.`,
      {
        details: { where: fileName },
      },
    )
  }
  return parsed
}

function parseFamily(
  family: ReturnType<typeof detectStatementFormat>,
  text: string,
  fileName: string,
  mapping: unknown,
): ParsedStatementFile {
  switch (family) {
    case 'camt':
      return parseCamt(text, { fileName })
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
