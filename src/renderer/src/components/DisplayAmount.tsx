/**
 * An amount at the precision people read (formatDisplay: trailing zeros trimmed, never rounded),
 * with the exact value at the asset's scale on hover, and copying it copies the exact value.
 */
import { Text, type MantineSize } from '@mantine/core'
import type { ClipboardEvent } from 'react'
import { formatDisplay, formatExact } from '../lib/format'

export function DisplayAmount({
  value,
  scale,
  code,
  withCode = true,
  size = 'sm',
  fw,
  c,
  testId,
}: {
  /** Exact decimal string at `scale`. */
  value: string
  scale: number
  code: string
  withCode?: boolean
  size?: MantineSize
  fw?: number
  c?: string
  testId?: string
}) {
  const exact = formatExact(value, scale)
  const suffix = withCode ? ` ${code}` : ''
  function onCopy(e: ClipboardEvent<HTMLSpanElement>) {
    // Whatever part of the amount is selected, the clipboard gets the exact value.
    e.clipboardData.setData('text/plain', `${exact}${suffix}`)
    e.preventDefault()
  }
  return (
    <Text
      span
      size={size}
      fw={fw}
      c={c}
      ff="monospace"
      title={`Exactly ${exact}${suffix}`}
      data-exact={value}
      data-testid={testId}
      onCopy={onCopy}
      style={{ whiteSpace: 'nowrap' }}
    >
      {formatDisplay(value, scale, code)}
      {suffix}
    </Text>
  )
}
