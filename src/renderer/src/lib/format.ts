/**
 * Display formatting. Money stays exact: decimal strings go through bigint (shared/money.ts),
 * never through Number. Only the chart may use lossy numbers, and it says so.
 */
import { formatAmountGrouped, parseAmount } from '../../../shared/money'
import { networkKey, networkName, networkNameOfAsset } from '../../../shared/networkNames'

/** Amounts at the precision people read, never rounded (shared/displayAmount.ts). */
export { displayMinDecimals, formatDisplay, formatDisplayMinor } from '../../../shared/displayAmount'

/** "1000000.5" at scale 6 -> "1,000,000.500000". Falls back to the raw string rather than lose it. */
export function formatExact(decimal: string, scale: number): string {
  try {
    return formatAmountGrouped(parseAmount(decimal, scale, { allowNegative: true, allowZero: true }), scale)
  } catch {
    return decimal
  }
}

/** Minor units of a decimal string at `scale`, or null if it is not one. */
export function toMinor(decimal: string, scale: number): bigint | null {
  try {
    return parseAmount(decimal, scale, { allowNegative: true, allowZero: true })
  } catch {
    return null
  }
}

/** The engine's key of a network — "evm:1", "stellar:pubnet", "stripe" — for values, not for people. */
export function networkLabel(rail: string, network: string): string {
  return networkKey(rail, network)
}

/** Where an asset lives, for people: "Ethereum", "Base", "Stellar testnet", "Local Anvil", "Stripe". */
export { networkName }

/** The network of an asset id, for people: "USDC@evm:31337" → "Local Anvil". */
export { networkNameOfAsset }

const countFormat = new Intl.NumberFormat('en-US')
/** Counts (rows, accounts) — plain integers, not money. */
export function formatCount(n: number): string {
  return countFormat.format(n)
}

/** "3f2a9c1e…" */
/** "GD5DK2QE6RJ3Y7K6BL5…BK67PEPEGPY": at most `max` characters, the middle replaced by one ellipsis. */
export function middleEllipsis(text: string, max: number): string {
  if (text.length <= max) return text
  const keep = max - 1
  return `${text.slice(0, Math.ceil(keep / 2))}…${text.slice(text.length - Math.floor(keep / 2))}`
}

export function shortHash(hash: string, chars = 8): string {
  return hash.length > chars ? `${hash.slice(0, chars)}…` : hash
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** Local time as "2026-01-31 14:05:09" — unambiguous across locales. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

export function formatClock(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** Local time as "14:05": when something was last seen, where seconds would be noise. */
export function formatHourMinute(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Longest change summary shown in a table cell (the full change is in the row's tooltip). */
export const CHANGE_SUMMARY_CHARS_MAX = 200

/** One line for an audit row's change: `name: "Dana Admin", roles: ["admin"]`. */
export function summarizeChange(change: unknown, charsMax = CHANGE_SUMMARY_CHARS_MAX): string {
  let text: string
  if (change === null || change === undefined) text = '—'
  else if (typeof change === 'object' && !Array.isArray(change)) {
    text = Object.entries(change as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${compactJson(v, charsMax)}`)
      .join(', ')
  } else text = compactJson(change, charsMax)
  return text.length > charsMax ? `${text.slice(0, charsMax - 1)}…` : text
}

/** Full change as indented JSON for a tooltip, bounded. */
export function changeDetail(change: unknown, charsMax = 4_000): string {
  const text = compactJson(change, charsMax, 2)
  return text.length > charsMax ? `${text.slice(0, charsMax - 1)}…` : text
}

function compactJson(value: unknown, charsMax: number, indent?: number): string {
  try {
    const text = JSON.stringify(value, null, indent) ?? String(value)
    return text.length > charsMax * 4 ? text.slice(0, charsMax * 4) : text
  } catch {
    return String(value)
  }
}

/**
 * Shares of a whole in basis points, computed exactly in bigint (negative parts count as 0).
 * For the chart: proportions, not amounts, so no money goes through Number.
 */
export function shareBasisPoints(parts: bigint[]): number[] {
  const clamped = parts.map((p) => (p > 0n ? p : 0n))
  const total = clamped.reduce((a, b) => a + b, 0n)
  if (total === 0n) return clamped.map(() => 0)
  return clamped.map((p) => Number((p * 10_000n) / total))
}

/** A size in bytes as people read it: "3.8 MB", "256 KB" — the one helper (src/shared/fileSize.ts). */
export { formatFileSize as fileSizeText } from '../../../shared/fileSize'
