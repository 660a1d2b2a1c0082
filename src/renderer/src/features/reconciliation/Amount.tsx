/**
 * A statement amount on screen: the core's exact decimal, grouped, with its currency, never
 * truncated — and how wide a column must be to hold the widest one it shows, so a table makes
 * room for 1,234,567,891,103.17 EUR when a statement has it and stays narrow when it does not.
 */
import { Text } from '@mantine/core'
import { formatStatementAmount } from './statementWords'
import { formatDisplay } from '../../lib/format'

/** Mantine's font sizes the amounts use, in px (theme defaults: xs 12, sm 14). */
const FONT_PX = { xs: 12, sm: 14 } as const
/**
 * Width of one monospace character in em: 0.6 for Menlo, SF Mono, Consolas, DejaVu and
 * Liberation Mono; a little more so a fallback font is not cut either.
 */
const MONO_CHAR_EM = 0.62
/** The table cell's padding, left and right (VirtualTable.module.css). */
const CELL_PADDING_PX = 24

/** The one display form (trailing zeros trimmed, never rounded); the exact one on hover. */
export function amountText(value: string | null, currency: string): string {
  if (value === null) return '—'
  const dot = value.indexOf('.')
  return `${formatDisplay(value, dot === -1 ? 0 : value.length - dot - 1, currency)} ${currency}`
}

/** Smallest column width, in px, that shows every one of `texts` whole in monospace at font `size` (never below `minPx`). */
export function monoWidthPx(texts: { text: string; size: keyof typeof FONT_PX }[], minPx: number): number {
  let px = minPx
  for (const t of texts) px = Math.max(px, Math.ceil(t.text.length * FONT_PX[t.size] * MONO_CHAR_EM) + CELL_PADDING_PX)
  return px
}

/** An amount with its currency, or "—" when the file gave none; money out red when `tone` says so. */
export function Amount({
  value,
  currency,
  testId,
  size = 'sm',
  dimmed,
  tone,
}: {
  value: string | null
  currency: string
  testId: string
  size?: keyof typeof FONT_PX
  dimmed?: boolean
  tone?: 'out'
}) {
  return (
    <Text
      span
      size={size}
      ff="monospace"
      lh={1.35}
      c={value !== null && tone === 'out' && value.startsWith('-') ? 'red' : dimmed ? 'dimmed' : undefined}
      style={{ whiteSpace: 'nowrap' }}
      data-testid={testId}
      data-amount
      title={value === null ? undefined : `Exactly ${formatStatementAmount(value)} ${currency}`}
    >
      {amountText(value, currency)}
    </Text>
  )
}
