/**
 * Which statement format a file is, from its first characters (the name is only a hint for CSV):
 * XML with a camt namespace, OFX (SGML header or XML processing instruction), BAI2 (a "01,"
 * file header), SWIFT MT940/942 (an envelope or the :20: / :25: tags), else CSV when a mapping is
 * given. Never guesses between two: a file that looks like none is refused with what was seen.
 */
import { CsError } from '../../../../shared/errors'
import type { StatementFormat } from './statementModel'

/** How much of the file's start we look at. */
const SNIFF_CHARS = 4_096

export type DetectedFormat = 'camt' | 'mt940' | 'bai2' | 'ofx' | 'csv'

/** The family a file belongs to; the parser tells camt.052/053/054 and MT940/942 apart. */
export function detectStatementFormat(text: string, fileName: string, hasMapping: boolean): DetectedFormat {
  const head = text
    .slice(0, SNIFF_CHARS)
    .replace(/^\uFEFF/, '')
    .trimStart()
  if (/^OFXHEADER\s*:/i.test(head) || /<\?OFX\b/i.test(head) || /^<OFX>/i.test(head)) return 'ofx'
  if (head.startsWith('<')) {
    if (/urn:iso:std:iso:20022:tech:xsd:camt\.05[234]/.test(head) || /<BkToCstmr(Stmt|AcctRpt|DbtCdtNtfctn)\b/.test(head)) return 'camt'
    if (/<OFX\b/i.test(head)) return 'ofx'
    throw new CsError(
      'STATEMENT_FORMAT_UNKNOWN',
      `${fileName} is XML but not an ISO 20022 bank statement (camt.052/053/054) or OFX — export the statement as camt.053, MT940, BAI2, OFX or CSV.`,
    )
  }
  if (/^01,/.test(head)) return 'bai2'
  if (/^\{1:/.test(head) || (/(^|\n):20:/.test(head) && /(^|\n):25:/.test(head))) return 'mt940'
  if (hasMapping) return 'csv'
  if (/\.(csv|txt)$/i.test(fileName)) {
    throw new CsError(
      'STATEMENT_MAPPING_INVALID',
      `${fileName} looks like a CSV file — choose the saved column mapping of its bank (--mapping), or save one first (recon mapping save).`,
    )
  }
  throw new CsError(
    'STATEMENT_FORMAT_UNKNOWN',
    `${fileName} is not a statement format Countersign reads — export camt.053 (or camt.052/054), MT940/MT942, BAI2, OFX, or CSV with a column mapping.`,
  )
}

/** The formats a detected family may parse to (a --format that contradicts the content is refused). */
export const FAMILY_FORMATS: Readonly<Record<DetectedFormat, readonly StatementFormat[]>> = {
  camt: ['camt.052', 'camt.053', 'camt.054'],
  mt940: ['mt940', 'mt942'],
  bai2: ['bai2'],
  ofx: ['ofx'],
  csv: ['csv'],
}

export function familyOf(format: StatementFormat): DetectedFormat {
  const found = (Object.keys(FAMILY_FORMATS) as DetectedFormat[]).find((f) => FAMILY_FORMATS[f].includes(format))
  if (!found) throw new Error(`invariant: no family for ${format}`)
  return found
}
