/**
 * Exact keys both sides of a match are read into (issue 15). One normaliser for statement lines,
 * rail records and ledger postings, so "e2e-7" on the bank's side and "E2E-7" on ours are one key.
 *
 * Fields that are references by definition (end-to-end id, bank and customer references, our
 * payout ids, Stripe ids, transaction hashes) give keys as they are. Free text (remittance
 * information, descriptions) gives keys only for tokens that look like references: Stripe ids,
 * 0x hashes, and words of at least 6 characters that carry a digit — "SALARY" never becomes a
 * key, "INV-2024-0017" does.
 */
import type { KeySink } from './keyInterner'

/** Values banks put in a reference field meaning "there is none". */
const NO_REFERENCE = new Set(['NOTPROVIDED', 'NONREF', 'NONE', 'N/A', 'NA', '0', ''])

const STRIPE_ID = /^(TR|PO|TXN|PY|CH|RE|PYR|IPI|PI|ACCT)_[A-Z0-9]{6,}$/
const TX_HASH = /^0X[0-9A-F]{64}(:\d{1,6})?$/
/** Stellar transaction hashes are 64 hex digits without 0x; operation ids are long digit strings. */
const BARE_HASH = /^[0-9A-F]{64}(:\d{1,6})?$/
const REFERENCE_TOKEN_MIN = 6

/** The key of a field that is a reference by definition (null for an empty or "none" value). */
export function referenceKey(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null
  const key = value.trim().toUpperCase()
  if (NO_REFERENCE.has(key) || key.length > 140) return null
  return key
}

/** Keys found in free text: Stripe ids, hashes and reference-like tokens. */
export function textKeys<T extends KeySink>(text: string | null | undefined, into: T): T {
  if (!text) return into
  for (const raw of text.toUpperCase().split(/[\s,;()[\]{}<>"'|]+/)) {
    const token = raw.replace(/^[/.:+-]+|[/.:+-]+$/g, '')
    if (token.length < REFERENCE_TOKEN_MIN || token.length > 140) continue
    if (STRIPE_ID.test(token) || TX_HASH.test(token) || BARE_HASH.test(token) || /\d/.test(token)) into.add(token)
    // "EREF+E2E-7" / "SVWZ+INV-1" style sub-fields: the part after the tag too.
    const plus = token.indexOf('+')
    if (plus > 0 && token.length - plus - 1 >= REFERENCE_TOKEN_MIN) into.add(token.slice(plus + 1))
  }
  return into
}

/** A transaction hash key ("0XAB…" upper-case), with the log index / operation index when given. */
export function txKey(hash: string, index?: number | string | null): string {
  const h = hash.trim().toUpperCase()
  return index === undefined || index === null || index === '' ? h : `${h}:${index}`
}

/** Adds the reference keys of several fields, skipping empty ones. */
export function addReferenceKeys<T extends KeySink>(into: T, ...values: (string | null | undefined)[]): T {
  for (const v of values) {
    const k = referenceKey(v)
    if (k !== null) into.add(k)
  }
  return into
}

/** A counterparty normalised for comparison: IBANs and addresses without spaces, upper-case. */
export function counterpartyKey(value: string | null | undefined): string | null {
  if (!value) return null
  const k = value.replace(/\s+/g, '').toUpperCase()
  return k.length === 0 ? null : k
}

const DAY_MS = 86_400_000

/** Days since 1970-01-01 of an ISO date ("2026-12-04" or a full timestamp); null when unreadable. */
export function dayNumber(date: string | null | undefined): number | null {
  if (!date) return null
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date)
  if (!m) return null
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  return Number.isFinite(t) ? Math.floor(t / DAY_MS) : null
}

/** The ISO date of a day number. */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}
