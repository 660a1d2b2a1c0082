/**
 * Small pieces the receipt screens share: a value with its copy button (hashes and addresses wrap
 * or end in "…", the whole value on hover and on copy), an exact amount, a kind badge, and when
 * the data on screen was loaded.
 */
import { CopyIcon } from '../../components/CopyIcon'
import { Badge, Group, Text, type MantineSize } from '@mantine/core'
import type { ReceiptKind } from '../../../../shared/receiptTypes'
import type { ClipboardEvent } from 'react'
import { amountWithCode, exactAmountWithCode, isMoneyBack, KIND_LABELS } from './receiptWords'

/** How long "Copied" shows after a copy. */

export function CopyValue({
  value,
  label,
  mono = true,
  oneLine = false,
  size = 'sm',
  testId,
}: {
  value: string
  /** What is copied, for the button's name: "transaction hash". */
  label: string
  mono?: boolean
  /** One line ending in "…" (tables); else the value wraps anywhere (detail pane). */
  oneLine?: boolean
  size?: MantineSize
  testId?: string
}) {
  return (
    <Group gap={4} wrap="nowrap" align="flex-start" style={{ minWidth: 0 }}>
      <Text
        size={size}
        ff={mono ? 'monospace' : undefined}
        title={value}
        truncate={oneLine ? 'end' : undefined}
        style={oneLine ? { minWidth: 0 } : { overflowWrap: 'anywhere', minWidth: 0 }}
        data-testid={testId}
      >
        {value}
      </Text>
      <CopyIcon value={value} label={label} testId={testId ? `${testId}-copy` : undefined} />
    </Group>
  )
}

/**
 * An amount with its code in the one display form (trailing zeros trimmed, never rounded), the
 * exact value on hover and on copy, never cut: money back to the payer in orange.
 */
export function AmountText({
  value,
  code,
  kind,
  size = 'sm',
  fw,
  testId,
}: {
  value: string
  code: string
  kind?: ReceiptKind
  size?: MantineSize
  fw?: number
  testId?: string
}) {
  return (
    <Text
      span
      size={size}
      fw={fw}
      ff="monospace"
      c={kind !== undefined && isMoneyBack(kind) ? 'orange.8' : undefined}
      style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}
      title={`Exactly ${exactAmountWithCode(value, code)}`}
      onCopy={(e: ClipboardEvent<HTMLSpanElement>) => {
        e.clipboardData.setData('text/plain', exactAmountWithCode(value, code))
        e.preventDefault()
      }}
      data-amount
      data-exact={value}
      data-testid={testId}
    >
      {amountWithCode(value, code)}
    </Text>
  )
}

const KIND_COLORS: Record<ReceiptKind, string> = { payout: 'indigo', escrow_release: 'grape', escrow_refund: 'orange', reversal: 'orange' }

export function KindBadge({ kind, size = 'sm' }: { kind: ReceiptKind; size?: MantineSize }) {
  return (
    <Badge variant="light" color={KIND_COLORS[kind]} size={size} radius="sm" tt="none" data-testid="receipt-kind">
      {KIND_LABELS[kind]}
    </Badge>
  )
}
