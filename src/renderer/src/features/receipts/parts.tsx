/**
 * Small pieces the receipt screens share: a value with its copy button (hashes and addresses wrap
 * or end in "…", the whole value on hover and on copy), an exact amount, a kind badge, and when
 * the data on screen was loaded.
 */
import { ActionIcon, Badge, CopyButton, Group, Text, Tooltip, type MantineSize } from '@mantine/core'
import { IconCheck, IconCopy } from '@tabler/icons-react'
import type { ReceiptKind } from '../../../../shared/receiptTypes'
import { amountWithCode, isMoneyBack, KIND_LABELS } from './receiptWords'

/** How long "Copied" shows after a copy. */
const COPIED_SHOWN_MS = 1_500

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
      <CopyButton value={value} timeout={COPIED_SHOWN_MS}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : `Copy the ${label}`} withArrow>
            <ActionIcon
              variant="subtle"
              color={copied ? 'teal' : 'gray'}
              size="sm"
              onClick={copy}
              aria-label={`Copy the ${label}`}
              data-testid={testId ? `${testId}-copy` : undefined}
              style={{ flexShrink: 0 }}
            >
              {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  )
}

/** An exact amount with its code, grouped, never cut: money back to the payer in orange. */
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
      data-amount
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
