/**
 * What the receipts' text search matches, computed once when a receipt is issued and stored in
 * receipt_search_terms: a query matches a receipt when some term of it STARTS WITH the query.
 *
 * Why prefix terms and not a substring scan: "%acme%" cannot use an index, so at 100,000 receipts
 * every keystroke would read every row. A term is folded (NFKC, lower case, inner whitespace
 * collapsed), and the payee's name is stored whole AND word by word, so "acme", "acme sup" and
 * "supplies" all find "Acme Supplies Ltd" through one index range — what a person types is almost
 * always the start of a name, a word of it, an invoice number or the start of a hash. What is
 * not found: a fragment inside a word ("cme"). References are stored whole and split at spaces,
 * commas and semicolons ("INV-1, INV-2" is two invoices); addresses and hashes whole.
 */

/** Longest term kept (a longer query is cut to it too, so it still matches). */
export const SEARCH_TERM_CHARS_MAX = 120
/** The largest code point: `term < prefix + MAX` bounds a prefix range (byte-wise in UTF-8 too). */
export const TERM_RANGE_END = '\u{10FFFF}'

export function foldTerm(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim().slice(0, SEARCH_TERM_CHARS_MAX)
}

export interface SearchableReceipt {
  payeeName: string
  recipient: string
  reference: string
  txHash: string | null
  subjectId: string
}

export function searchTermsOf(r: SearchableReceipt): string[] {
  const terms = new Set<string>()
  const add = (text: string | null): void => {
    if (text === null) return
    const t = foldTerm(text)
    if (t !== '') terms.add(t)
  }
  add(r.payeeName)
  for (const word of r.payeeName.split(/[\s,;/()&]+/)) add(word)
  add(r.recipient)
  add(r.reference)
  for (const part of r.reference.split(/[\s,;]+/)) add(part)
  add(r.txHash)
  add(r.subjectId)
  return [...terms].sort()
}
