/**
 * What is printed for a receipt number: "CS-2026-000042" — the workspace prefix, the year the
 * receipt was issued and the number, zero-padded. The number alone is the identity (gap-free per
 * workspace, never reset per year); the year only helps a person place it.
 */
export const DISPLAY_PREFIX = 'CS'
const NUMBER_DIGITS_MIN = 6

export function displayNumberOf(number: number, issuedAt: string): string {
  return `${DISPLAY_PREFIX}-${issuedAt.slice(0, 4)}-${String(number).padStart(NUMBER_DIGITS_MIN, '0')}`
}

/** The number a person typed: "42", "#42", "000042" or "CS-2026-000042" (any case); null for anything else. */
export function parseReceiptNumber(text: string): number | null {
  const m = /^(?:#|cs-\d{4}-)?0*(\d{1,15})$/i.exec(text.trim())
  if (!m) return null
  const n = Number(m[1])
  return Number.isSafeInteger(n) && n >= 1 ? n : null
}
