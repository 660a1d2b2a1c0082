/**
 * The values a camt element holds and the tree walks that find them: amounts (exact minor units
 * from the decimal text, never through a JS number), directions, dates, counts, and trimmed text.
 * Shared by the statement header (mapCamtStatement) and the entries (mapCamtEntry).
 */
import type { CsError } from '../../../../shared/errors'
import { attribute, type XmlElement } from './readXml'
import { currencyScale, decimalToMinor, statementError } from './statementModel'

export type Direction = 'CRDT' | 'DBIT'

const CAMT_AMOUNT_RE = /^\d+(?:\.\d+)?$/

/** Distinct currency texts (and type codes) remembered across parses; more are looked up, not remembered. */
export const INTERNED_MAX = 256

export interface Currency {
  code: string
  scale: number
}

/**
 * Currencies by the text of a Ccy attribute: currencyScale searches the ISO list, and a file repeats
 * one code 100,000 times — which should then be one string in the result, not 100,000 copies.
 */
const currencyByText = new Map<string, Currency>()

export function currencyOf(raw: string, where: string): Currency {
  const known = currencyByText.get(raw)
  if (known) return known
  const code = raw.trim().toUpperCase()
  const currency = { code, scale: currencyScale(code, where) }
  if (currencyByText.size < INTERNED_MAX) currencyByText.set(raw, currency)
  return currency
}

/** An <Amt Ccy="…"> → its currency and exact minor units (never through a JS number). */
export function readAmount(amount: XmlElement, where: string): { currency: string; minor: bigint } {
  const code = attribute(amount, 'Ccy')
  if (code === undefined) throw statementError(where, '<Amt> has no Ccy attribute — a camt amount always names its currency.')
  const currency = currencyOf(code, where)
  return { currency: currency.code, minor: camtDecimal(amount.text, currency.scale, where) }
}

/** ISO 20022 amounts are unsigned with a "." — a comma would be a thousands separator or a locale, never guessed. */
export function camtDecimal(raw: string, scale: number, where: string): bigint {
  const value = raw.trim()
  if (!CAMT_AMOUNT_RE.test(value)) {
    const shown = value === '' ? 'an empty value' : `"${value.slice(0, 40)}"`
    throw statementError(where, `${shown} is not a camt amount: digits with an optional "." and decimals, no sign, comma or spaces.`)
  }
  return decimalToMinor(value, scale, where)
}

export function optionalAmount(raw: string | null, scale: number, where: string): bigint | null {
  return raw === null ? null : camtDecimal(raw, scale, where)
}

/** A <CdtDbtInd> element: CRDT or DBIT, refused when missing or anything else. */
export function readDirection(indicator: XmlElement | undefined, where: string): Direction {
  const value = text(indicator)
  if (value === 'CRDT' || value === 'DBIT') return value
  if (value === null)
    throw statementError(where, 'there is no <CdtDbtInd>, so the direction of the money (in or out) is unknown — the file is incomplete.')
  throw statementError(where, `<CdtDbtInd> is "${value}"; it must be CRDT (money in) or DBIT (money out).`)
}

const DATE_RE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:$|T)/

/** An ISO date or date-time → YYYY-MM-DD (the date as the bank wrote it, no time-zone shift). */
export function dateOf(value: string | null, where: string): string | null {
  if (value === null) return null
  if (!DATE_RE.test(value)) throw statementError(where, `"${value.slice(0, 40)}" is not an ISO date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss).`)
  return value.length === 10 ? value : value.slice(0, 10)
}

const COUNT_RE = /^\d{1,15}$/

export function countOf(value: string | null, where: string): number | null {
  if (value === null) return null
  if (!COUNT_RE.test(value)) throw statementError(where, `"${value.slice(0, 40)}" is not a count (up to 15 digits).`)
  return Number(value)
}

// ---------------------------------------------------------------------------------------------
// Tree access (plain loops: these run a few dozen times per entry)

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!element) return undefined
  for (let at = element.firstChild; at !== null; at = at.nextSibling) if (at.name === name) return at
  return undefined
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  const found: XmlElement[] = []
  if (!element) return found
  for (let at = element.firstChild; at !== null; at = at.nextSibling) if (at.name === name) found.push(at)
  return found
}

/** The one `name` child a money field needs: missing or repeated is refused. */
export function single(element: XmlElement, name: string, where: string): XmlElement {
  return onlyOne(children(element, name), name, where)
}

export function onlyOne(found: readonly XmlElement[], name: string, where: string): XmlElement {
  if (found.length === 1) return found[0]!
  throw missingOrRepeated(found.length, name, where)
}

export function missingOrRepeated(count: number, name: string, where: string): CsError {
  if (count === 0)
    return statementError(where, `there is no <${name}> — every camt entry and balance needs its amount; the file is incomplete.`)
  return statementError(where, `there are ${count} <${name}> elements where camt allows one.`)
}

/** Trimmed text at the end of a path of first children, inner white-space runs as one space; null when absent or empty. */
export function text(element: XmlElement | undefined, a?: string, b?: string, c?: string, d?: string): string | null {
  let at = element
  if (a !== undefined) at = child(at, a)
  if (b !== undefined) at = child(at, b)
  if (c !== undefined) at = child(at, c)
  if (d !== undefined) at = child(at, d)
  if (!at || at.firstChild !== null) return null
  return cleanText(at.text)
}

const SPACE_RUN_RE = /\s\s|[\t\n\r]/

export function cleanText(raw: string): string | null {
  const trimmed = raw.trim()
  if (trimmed === '') return null
  return SPACE_RUN_RE.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed
}

export function joinText(elements: readonly XmlElement[]): string | null {
  let joined: string | null = null
  for (const element of elements) {
    const part = cleanText(element.text)
    if (part !== null) joined = joined === null ? part : `${joined} ${part}`
  }
  return joined
}
