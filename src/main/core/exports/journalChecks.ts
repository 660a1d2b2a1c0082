/**
 * What an accounting file must hold before it is written: every entry sums to zero per asset, so
 * the whole export does (debits = credits per asset) — asserted again here on what was read, not
 * trusted from the write path; amounts fit the decimals the target keeps (never rounded); dates
 * in the target's format.
 */
import type { ExportDateFormat } from '../../../shared/exportsApi'
import { CsError } from '../../../shared/errors'
import { formatAmount } from '../../../shared/money'
import { assertNever } from '../util/invariant'
import type { JournalEntry } from './readJournal'

export interface AssetTotals {
  assetId: string
  code: string
  scale: number
  debits: bigint
  credits: bigint
  lines: number
}

function unbalanced(sentence: string, t: AssetTotals): never {
  throw new CsError('EXPORT_UNBALANCED', sentence, {
    details: { assetId: t.assetId, debits: formatAmount(t.debits, t.scale), credits: formatAmount(t.credits, t.scale) },
  })
}

function totalsOf(lines: JournalEntry['lines']): Map<string, AssetTotals> {
  const totals = new Map<string, AssetTotals>()
  for (const l of lines) {
    const t = totals.get(l.assetId) ?? { assetId: l.assetId, code: l.assetCode, scale: l.scale, debits: 0n, credits: 0n, lines: 0 }
    if (l.amount > 0n) t.debits += l.amount
    else t.credits -= l.amount
    t.lines += 1
    totals.set(l.assetId, t)
  }
  return totals
}

/**
 * Debits and credits per asset (in asset id order), refused unless every entry — and so the whole
 * export — balances. Nothing is written when it does not.
 */
export function balancedTotals(entries: readonly JournalEntry[]): AssetTotals[] {
  const all = new Map<string, AssetTotals>()
  for (const e of entries) {
    for (const t of totalsOf(e.lines).values()) {
      if (t.debits !== t.credits)
        unbalanced(
          `Entry ${e.id} does not sum to zero in ${t.assetId} (debits ${formatAmount(t.debits, t.scale)}, credits ${formatAmount(t.credits, t.scale)}) — nothing was exported; run "countersign audit verify" and report it.`,
          t,
        )
      const sum = all.get(t.assetId) ?? { ...t, debits: 0n, credits: 0n, lines: 0 }
      sum.debits += t.debits
      sum.credits += t.credits
      sum.lines += t.lines
      all.set(t.assetId, sum)
    }
  }
  const out = [...all.values()].sort((a, b) => (a.assetId < b.assetId ? -1 : a.assetId > b.assetId ? 1 : 0))
  for (const t of out) {
    if (t.debits !== t.credits)
      unbalanced(`The export does not balance in ${t.assetId} — nothing was exported; run "countersign audit verify".`, t)
  }
  return out
}

/**
 * `minor` at `scale` with trailing zeros dropped down to `decimalsMax` places ("12.500000" -> "12.50"
 * for 2); null when it needs more than `decimalsMax` decimals to stay exact.
 */
export function decimalAtMost(minor: bigint, scale: number, decimalsMax: number): string | null {
  const full = formatAmount(minor, scale)
  if (scale <= decimalsMax) return full
  const [whole, fraction] = full.split('.') as [string, string]
  const kept = fraction.slice(0, decimalsMax)
  if (/[^0]/.test(fraction.slice(decimalsMax))) return null
  return decimalsMax === 0 ? whole : `${whole}.${kept}`
}

/** A fiat accounting package keeps 2 decimals: refused, never rounded, when an amount needs more. */
export function fiatDecimal(minor: bigint, scale: number, decimalsMax: number, target: string, where: string): string {
  const text = decimalAtMost(minor, scale, decimalsMax)
  if (text !== null) return text
  throw new CsError(
    'EXPORT_PRECISION',
    `${where}: ${formatAmount(minor, scale)} has more than ${decimalsMax} decimals, and ${target} keeps ${decimalsMax} — Countersign never rounds; export this asset as CSV or JSON, or pick another asset (--asset).`,
  )
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

/** A day (YYYY-MM-DD) as the target reads it. */
export function formatExportDate(day: string, format: ExportDateFormat): string {
  const [y, m, d] = day.split('-') as [string, string, string]
  switch (format) {
    case 'DD MMM YYYY':
      return `${d} ${MONTHS[Number(m) - 1]!} ${y}`
    case 'DD/MM/YYYY':
      return `${d}/${m}/${y}`
    case 'MM/DD/YYYY':
      return `${m}/${d}/${y}`
    default:
      return assertNever(format, 'date format')
  }
}
