/**
 * The free-text fields of a row — memo, reference, name — checked for what would disguise or lose
 * them: control, direction-changing and invisible characters (which can make a receipt read
 * differently from what is paid), and lengths past what each rail or screen carries. The character
 * rule is the contract's own (src/shared/safeText.ts), so a row typed by hand and a CSV cell are
 * held to the same one: every field is one line (no line break or tab).
 *
 * Decisions: EVM transfers have no memo field, so a memo on an EVM row is refused rather than
 * silently dropped (`reference` is the text shown on receipts). Stellar: a text memo of at most 28
 * bytes (UTF-8), the protocol's limit. Stripe: at most STRIPE_MEMO_CHARS_MAX characters, sent as the
 * transfer description. The limits live in src/shared/limits.ts with the contract's.
 */
import type { Rail } from '../../../../shared/blocks'
import { PAYEE_NAME_CHARS_MAX, REFERENCE_CHARS_MAX, STELLAR_MEMO_BYTES_MAX, STRIPE_MEMO_CHARS_MAX } from '../../../../shared/limits'
import type { RowIssue, RowIssueCode } from '../../../../shared/payoutImport'
import { findUnsafeChar, unsafeCharSentence } from '../../../../shared/safeText'
import type { PayoutField, RawRow } from './payoutCsvLayouts'
import { rowIssue } from './rowIssues'

const FREE_TEXT_FIELDS = ['memo', 'reference', 'name'] as const

/** Pushes one issue per bad field, in column order; `rail` null when the row's rail is unknown. */
export function checkFreeText(raw: RawRow, rail: Rail | null, labels: Readonly<Record<PayoutField, string>>, issues: RowIssue[]): void {
  for (const field of FREE_TEXT_FIELDS) {
    const value = raw[field]
    if (value === '') continue
    const problem = freeTextProblem(field, value, rail)
    if (problem !== null) issues.push(rowIssue(raw.row, labels[field], problem.code, problem.sentence))
  }
}

function freeTextProblem(
  field: (typeof FREE_TEXT_FIELDS)[number],
  value: string,
  rail: Rail | null,
): { code: RowIssueCode; sentence: string } | null {
  const unsafe = findUnsafeChar(value)
  if (unsafe !== null) return { code: 'TEXT_INVALID', sentence: `${unsafeCharSentence(unsafe)} and retype it as plain text.` }
  if (field === 'memo') return memoProblem(value, rail)
  if (field === 'reference' && value.length > REFERENCE_CHARS_MAX)
    return { code: 'TEXT_INVALID', sentence: `the reference is ${value.length} characters — at most ${REFERENCE_CHARS_MAX}; shorten it.` }
  if (field === 'name' && value.length > PAYEE_NAME_CHARS_MAX)
    return { code: 'TEXT_INVALID', sentence: `the name is ${value.length} characters — at most ${PAYEE_NAME_CHARS_MAX}; shorten it.` }
  return null
}

function memoProblem(value: string, rail: Rail | null): { code: RowIssueCode; sentence: string } | null {
  if (rail === 'evm')
    return {
      code: 'MEMO_NOT_SUPPORTED',
      sentence:
        'EVM transfers carry no memo, so it would never reach the payee — move the text to reference (shown on receipts) or clear it.',
    }
  if (rail === 'stellar') {
    const bytes = Buffer.byteLength(value, 'utf8')
    if (bytes <= STELLAR_MEMO_BYTES_MAX) return null
    return {
      code: 'MEMO_TOO_LONG',
      sentence: `the memo is ${bytes} bytes — a Stellar text memo holds at most ${STELLAR_MEMO_BYTES_MAX} (accented letters take 2); shorten it.`,
    }
  }
  if (rail === 'stripe' && value.length > STRIPE_MEMO_CHARS_MAX)
    return { code: 'MEMO_TOO_LONG', sentence: `the memo is ${value.length} characters — at most ${STRIPE_MEMO_CHARS_MAX}; shorten it.` }
  return null
}
