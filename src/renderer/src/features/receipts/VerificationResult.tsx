/**
 * What `receipts.verify` found, as a payee or an auditor reads it: one verdict (green: genuine;
 * red: does not verify), the receipt it is about, and every check on its own line — pass in green,
 * fail in red, skipped in grey — with the core's sentence saying what was checked or what is wrong.
 */
import { Alert, Badge, Card, Group, SimpleGrid, Stack, Text, ThemeIcon } from '@mantine/core'
import { IconCheck, IconCircleMinus, IconShieldCheck, IconShieldX, IconX } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import type { ReceiptCheck, ReceiptVerificationResult } from '../../../../shared/receiptsApi'
import { formatTimestamp } from '../../lib/format'
import { CopyValue } from './parts'
import { amountWithCode, exactAmountWithCode, CHECK_LABELS, STATUS_COLORS, STATUS_LABELS, verdictSentence } from './receiptWords'

const STATUS_ICONS = { pass: IconCheck, fail: IconX, skipped: IconCircleMinus } as const

function CheckLine({ check }: { check: ReceiptCheck }) {
  const Icon = STATUS_ICONS[check.status]
  const color = STATUS_COLORS[check.status]
  return (
    <Group gap="sm" wrap="nowrap" align="flex-start" data-testid="verify-check" data-check={check.name} data-status={check.status}>
      <ThemeIcon size={24} radius="xl" variant={check.status === 'skipped' ? 'light' : 'filled'} color={color} style={{ flexShrink: 0 }}>
        <Icon size={15} stroke={2.4} />
      </ThemeIcon>
      <Stack gap={0} style={{ minWidth: 0, flex: 1 }}>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" fw={600}>
            {CHECK_LABELS[check.name]}
          </Text>
          <Badge size="xs" variant="light" color={color} radius="sm" data-testid="verify-check-status">
            {STATUS_LABELS[check.status]}
          </Badge>
        </Group>
        <Text
          size="sm"
          c={check.status === 'fail' ? 'red.8' : 'dimmed'}
          style={{ overflowWrap: 'anywhere' }}
          data-testid="verify-check-detail"
        >
          {check.detail}
        </Text>
      </Stack>
    </Group>
  )
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0} style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      {children}
    </Stack>
  )
}

export function VerificationResult({
  result,
  fileName,
  testId,
  withSummary = true,
}: {
  result: ReceiptVerificationResult
  fileName?: string
  testId: string
  /** The receipt the file is about (off where the receipt is on screen already: its own pane). */
  withSummary?: boolean
}) {
  const r = result.receipt
  return (
    <Stack gap="md" data-testid={testId} data-ok={result.ok}>
      <Alert
        color={result.ok ? 'teal' : 'red'}
        variant="filled"
        icon={result.ok ? <IconShieldCheck /> : <IconShieldX />}
        title={result.ok ? 'This receipt is genuine' : 'This receipt does not verify'}
        data-testid={`${testId}-verdict`}
      >
        <Text size="sm" c="inherit">
          {verdictSentence(result.ok, result.checks)}
        </Text>
        {fileName ? (
          <Text size="xs" c="inherit" opacity={0.85} style={{ overflowWrap: 'anywhere' }}>
            File: {fileName}
          </Text>
        ) : null}
      </Alert>
      {r && withSummary ? (
        <Card
          withBorder
          padding="md"
          data-testid={`${testId}-receipt`}
          style={result.ok ? undefined : { borderColor: 'var(--mantine-color-red-4)' }}
        >
          {result.ok ? null : (
            <Text size="xs" fw={700} c="red.8" tt="uppercase" mb="xs" data-testid={`${testId}-untrusted`}>
              What the file claims — not verified
            </Text>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" verticalSpacing="sm">
            <Fact label="Receipt">
              <Text size="sm" fw={600}>
                {r.displayNumber}
              </Text>
            </Fact>
            <Fact label="Amount">
              <Text
                size="sm"
                fw={700}
                ff="monospace"
                data-amount
                data-testid={`${testId}-amount`}
                title={`Exactly ${exactAmountWithCode(r.amount, r.code)}`}
              >
                {amountWithCode(r.amount, r.code)}
              </Text>
            </Fact>
            <Fact label="Paid to">
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {r.payeeName || '(no name given)'}
              </Text>
              <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                {r.recipient}
              </Text>
            </Fact>
            <Fact label="Paid at">
              <Text size="sm">{formatTimestamp(r.paidAt)}</Text>
            </Fact>
            <Fact label="SHA-256 stated">
              <CopyValue value={r.sha256} label="SHA-256" size="xs" />
            </Fact>
            <Fact label="Signing key">
              <Text size="sm" ff="monospace">
                {r.keyId}
              </Text>
            </Fact>
          </SimpleGrid>
        </Card>
      ) : null}
      <Card withBorder padding="md">
        <Stack gap="sm">
          {result.checks.map((c) => (
            <CheckLine key={c.name} check={c} />
          ))}
        </Stack>
      </Card>
    </Stack>
  )
}
