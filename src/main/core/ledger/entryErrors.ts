/**
 * How the journal writer names an entry in its errors: by id, and by position when one call
 * carries several ("Entry "rent-03" (3 of 10)"), so a person can find it in what they sent.
 * Shared by the parser, the balance guards and the replay check, which all report per entry.
 */
import { CsError } from '../../../shared/errors'

/** `Entry "<id>"`, with "(n of total)" when the call carried more than one entry. */
export function where(id: string, e: number, total: number): string {
  return total > 1 ? `Entry "${id}" (${e + 1} of ${total})` : `Entry "${id}"`
}

/** ENTRY_INVALID with the entry and field it is about in `details`. */
export function invalid(message: string, details: Record<string, unknown>): CsError {
  return new CsError('ENTRY_INVALID', message, { details })
}
