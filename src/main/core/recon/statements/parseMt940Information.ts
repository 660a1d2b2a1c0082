/**
 * The MT940/MT942 field :86: ("information to account owner") of one statement line, read into
 * the fields reconciliation matches on. Banks fill it in one of three ways:
 *  - German/SEPA sub-fields: a three-digit GV code, then `?NN` sub-fields (?00 booking text,
 *    ?20–?29 and ?60–?63 purpose with `EREF+` / `SVWZ+` / `KREF+` … keywords, ?30 bank, ?31
 *    account, ?32–?33 name). Lines are cut at a fixed width, so they are joined with nothing between.
 *  - `/TAG/value/` keys (Rabobank, ABN AMRO, ING and the Dutch/SEPA layouts: /EREF/, /ORDP//NAME/,
 *    /BENM//NAME/, /REMI/USTD//…/, /CNTP/account/BIC/name/city/), also cut at a fixed width.
 *  - free text, joined with single spaces.
 */
import { cleanText } from './statementLines'

export interface Mt940Information {
  endToEndId: string | null
  counterpartyName: string | null
  counterpartyAccount: string | null
  counterpartyBic: string | null
  remittance: string | null
  structuredRef: string | null
  /** The SEPA `KREF+` customer reference (used when the :61: line carries none). */
  customerRef: string | null
}

const BIC = /^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/
const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/
/** Banks write "NOTPROVIDED" where SEPA has no end-to-end id. */
const NO_REFERENCE = new Set(['NOTPROVIDED', 'NONREF'])

function emptyInformation(): Mt940Information {
  return {
    endToEndId: null,
    counterpartyName: null,
    counterpartyAccount: null,
    counterpartyBic: null,
    remittance: null,
    structuredRef: null,
    customerRef: null,
  }
}

function reference(text: string | undefined): string | null {
  const cleaned = text === undefined ? null : cleanText(text)
  return cleaned !== null && NO_REFERENCE.has(cleaned.toUpperCase()) ? null : cleaned
}

/** SWIFT lines are at most 65 characters (the first one counting its ":86:" tag): a full line was cut mid-text. */
const SWIFT_LINE_CHARS = 65
const TAG_CHARS = ':86:'.length
/** Purpose sub-fields (?20–?29) hold 27 characters: a full one was cut mid-text, a shorter one ended a line. */
const PURPOSE_SUBFIELD_CHARS = 27
/** A sub-field starting "MTLG:" (a message) begins a new part: it does not continue the keyword before it. */
const MESSAGE_KEYWORD = /^[A-Z]{4}:/

/** The :86: field: the text after the tag and its continuation lines (blank ones allowed). */
export function parseMt940Information(value: string, more: readonly string[]): Mt940Information {
  const lines = [value, ...more]
  // Fixed-width layouts cut words anywhere, so their lines are joined with nothing between.
  const joined = lines.join('').trim()
  if (/^\d{3}\?\d\d/.test(joined)) return parseSubfields(joined.slice(3))
  const firstKey = /^\/([A-Z]{2,9})\//.exec(joined)?.[1]
  if (firstKey !== undefined && SLASH_KEYS.has(firstKey)) return parseSlashTags(joined)
  const info = emptyInformation()
  let free = ''
  let previousFull = false
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    free += previousFull ? line : ` ${line}`
    previousFull = line.length + (i === 0 ? TAG_CHARS : 0) === SWIFT_LINE_CHARS
  })
  free = free.trim()
  // GV code 999 = "unstructured": free text follows the code.
  info.remittance = cleanText(/^999(?!\d)/.test(free) ? free.slice(3) : free)
  return info
}

/** `?NN` sub-fields → their joined texts; purpose lines ?20–?29 and ?60–?63 in order. */
function parseSubfields(text: string): Mt940Information {
  const info = emptyInformation()
  const purpose: string[] = []
  let name = ''
  let bank: string | null = null
  let account: string | null = null
  let iban: string | null = null
  let previousPurpose: string | null = null
  const marker = /\?(\d\d)/g
  let match = marker.exec(text)
  while (match !== null) {
    const code = Number(match[1])
    const start = marker.lastIndex
    match = marker.exec(text)
    const value = text.slice(start, match === null ? text.length : match.index)
    if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63)) {
      if (previousPurpose === null || MESSAGE_KEYWORD.test(value)) purpose.push(value)
      else purpose[purpose.length - 1] += previousPurpose.length < PURPOSE_SUBFIELD_CHARS ? ` ${value}` : value
      previousPurpose = value
    } else if (code === 30) bank = cleanText(value)
    else if (code === 31) account = cleanText(value)?.replace(/ /g, '') ?? null
    else if (code === 32 || code === 33) name += value
    else if (code === 38) iban = cleanText(value)?.replace(/ /g, '') ?? null // Polish banks: IBAN in ?38
  }
  Object.assign(info, parsePurpose(purpose))
  info.counterpartyName = cleanText(name)
  if (bank !== null && BIC.test(bank)) info.counterpartyBic = bank
  if (account !== null && IBAN.test(account)) info.counterpartyAccount = account
  else if (iban !== null && IBAN.test(iban)) info.counterpartyAccount = iban
  // A German bank code (BLZ) and account number: written the way :25: writes an account.
  else if (account !== null) info.counterpartyAccount = bank !== null && !BIC.test(bank) ? `${bank}/${account}` : account
  return info
}

const SEPA_KEYWORD = /(?<![A-Z])(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP|COAM|OAMT)\+/g

/** The SEPA purpose parts: `EREF+…`, `SVWZ+…` and the other keywords, each running to the next one or the part's end. */
function parsePurpose(parts: readonly string[]): Partial<Mt940Information> {
  const values = new Map<string, string>()
  /** SVWZ values and text under no keyword, in file order. */
  const remittance: string[] = []
  for (const part of parts) {
    let key: string | null = null
    let start = 0
    SEPA_KEYWORD.lastIndex = 0
    for (let match = SEPA_KEYWORD.exec(part); ; match = SEPA_KEYWORD.exec(part)) {
      const text = part.slice(start, match === null ? part.length : match.index)
      if (key === null || key === 'SVWZ') remittance.push(text)
      else values.set(key, (values.get(key) ?? '') + text)
      if (match === null) break
      key = match[1]!
      start = SEPA_KEYWORD.lastIndex
    }
  }
  const result: Partial<Mt940Information> = {
    endToEndId: reference(values.get('EREF')),
    customerRef: reference(values.get('KREF')),
    remittance: cleanText(remittance.join(' ')),
  }
  const iban = cleanText(values.get('IBAN') ?? '')?.replace(/ /g, '')
  if (iban !== undefined && IBAN.test(iban)) result.counterpartyAccount = iban
  const bic = cleanText(values.get('BIC') ?? '')
  if (bic !== null && BIC.test(bic)) result.counterpartyBic = bic
  return result
}

/** Keys of the `/TAG/value/` layouts; anything else between slashes is part of a value. */
const SLASH_KEYS = new Set([
  'TRTP', 'EREF', 'PREF', 'MARF', 'CSID', 'ORDP', 'BENM', 'ULTD', 'ULTC', 'ULTB', 'NAME', 'ADDR', 'ID', 'IBAN', 'BIC',
  'CNTP', 'REMI', 'USTD', 'STRD', 'CDTRREF', 'CDTRREFTP', 'CD', 'ISSR', 'RTRN', 'PURP', 'IREF', 'KREF', 'SVCL', 'EXCH', 'OCMT',
  'ACCW', 'BUSP', 'TRCD', 'CHGS', 'RETURN', 'PREFIX',
]) // prettier-ignore
/** Keys that name a party; NAME / IBAN / BIC after them belong to it until another key starts. */
const COUNTERPARTY_KEYS = new Set(['ORDP', 'BENM'])
const ULTIMATE_KEYS = new Set(['ULTD', 'ULTC', 'ULTB'])
const PARTY_SUBKEYS = new Set(['NAME', 'ADDR', 'ID', 'IBAN', 'BIC', 'CD'])

function parseSlashTags(text: string): Mt940Information {
  const info = emptyInformation()
  const remittance: string[] = []
  const parts = text.split('/')
  let party: 'counterparty' | 'ultimate' = 'counterparty'
  // parts[0] is the empty text before the first "/"; each key's value runs to the next key.
  let i = 1
  while (i < parts.length) {
    const key = parts[i]!
    let end = i + 1
    while (end < parts.length && !SLASH_KEYS.has(parts[end]!)) end += 1
    if (!SLASH_KEYS.has(key)) {
      i = end
      continue
    }
    if (ULTIMATE_KEYS.has(key)) party = 'ultimate'
    else if (COUNTERPARTY_KEYS.has(key) || !PARTY_SUBKEYS.has(key)) party = 'counterparty'
    const valueParts = parts.slice(i + 1, end)
    if (key === 'CNTP') readCounterparty(info, valueParts)
    else applySlashValue(info, key, slashValue(valueParts), party, remittance)
    i = end
  }
  info.remittance = cleanText(remittance.join(' '))
  return info
}

/** The parts of one value, rejoined with "/" ("INV 2020/123"); the empty parts of "//" separators dropped at the ends. */
function slashValue(parts: readonly string[]): string | null {
  let first = 0
  let last = parts.length
  while (first < last && parts[first] === '') first += 1
  while (last > first && parts[last - 1] === '') last -= 1
  return cleanText(last - first === 1 ? parts[first]! : parts.slice(first, last).join('/'))
}

function applySlashValue(
  info: Mt940Information,
  key: string,
  value: string | null,
  party: 'counterparty' | 'ultimate',
  remittance: string[],
): void {
  if (value === null) return
  if (key === 'EREF') info.endToEndId = reference(value)
  else if (key === 'CDTRREF') info.structuredRef = value
  else if (key === 'REMI' || key === 'USTD') remittance.push(value)
  else if (party === 'ultimate') return
  else if (key === 'NAME') info.counterpartyName ??= value
  else if (key === 'IBAN') info.counterpartyAccount ??= value
  else if (key === 'BIC' && BIC.test(value)) info.counterpartyBic ??= value
}

/** ING's `/CNTP/account/BIC/name/city/`. */
function readCounterparty(info: Mt940Information, parts: readonly string[]): void {
  const [account, bic, name] = parts.map((part) => cleanText(part))
  info.counterpartyAccount ??= account ?? null
  if (bic && BIC.test(bic)) info.counterpartyBic ??= bic
  info.counterpartyName ??= name ?? null
}
