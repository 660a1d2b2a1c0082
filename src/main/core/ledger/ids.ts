/** Identifier rules of the ledger: entry, hold and asset ids, and the dates entries carry. */
import {
  ENTRY_DESCRIPTION_CHARS_MAX,
  ID_CHARS_MAX,
  METADATA_KEY_CHARS_MAX as CONTRACT_METADATA_KEY_CHARS_MAX,
  METADATA_VALUE_CHARS_MAX as CONTRACT_METADATA_VALUE_CHARS_MAX,
} from '../../../shared/limits'
import type { Clock } from '../context'

/** Same shape as the contract's `Ref`: letters, digits and . _ : / @ -, starting with a letter or digit. */
export const REF_RE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/
/** Longest id a person or upstream system may give (the contract's `Ref`). */
export const REF_CHARS_MAX = ID_CHARS_MAX
/** Longest entry id: a Ref plus room for the ledger's own wrappers ("hold:<ref>:post"). */
export const ENTRY_ID_CHARS_MAX = REF_CHARS_MAX + 32
/** Entry ids the ledger writes itself for holds; nobody else may take them. */
export const HOLD_ENTRY_ID_PREFIX = 'hold:'
/** The entry kind only postHold writes, and the only kind allowed to use "hold:" ids. */
export const HOLD_ENTRY_KIND = 'hold'
/** The contract's limits (src/shared/limits.ts), checked again where the ledger writes. */
export const DESCRIPTION_CHARS_MAX = ENTRY_DESCRIPTION_CHARS_MAX
export const METADATA_KEY_CHARS_MAX = CONTRACT_METADATA_KEY_CHARS_MAX
export const METADATA_VALUE_CHARS_MAX = CONTRACT_METADATA_VALUE_CHARS_MAX

export function isRef(value: unknown, charsMax = REF_CHARS_MAX): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= charsMax && REF_RE.test(value)
}

/** The journal entry that posts hold `holdId` (moves its pending amount to posted). */
export function holdPostEntryId(holdId: string): string {
  return `${HOLD_ENTRY_ID_PREFIX}${holdId}:post`
}

/** "USDC@evm:8453"; a rail with a single network (Stripe) drops it: "USD@stripe". */
export function assetIdFor(code: string, rail: string, network: string): string {
  return network === rail ? `${code}@${rail}` : `${code}@${rail}:${network}`
}

/** The entry date when none is given: the clock's date in UTC (books are kept in UTC dates). */
export function todayUtc(clock: Clock): string {
  return clock.now().toISOString().slice(0, 10)
}

const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}$/
/** A real calendar date as YYYY-MM-DD ("2026-02-30" is not). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE_RE.test(value)) return false
  const t = Date.parse(`${value}T00:00:00.000Z`)
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === value
}
