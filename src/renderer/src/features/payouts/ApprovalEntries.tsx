/**
 * The decisions recorded on a batch's current version, each with who, when, the approval key it
 * was signed with, and whether that signature verifies against the batch as it is stored now. A
 * signature that does not verify means the batch or the approval was changed outside Countersign:
 * the entry says so loudly, and what to do.
 */
import { Badge, Group, Stack, Text } from '@mantine/core'
import { IconAlertOctagon, IconAlertTriangle, IconKey, IconShieldCheck } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import type { Approval } from '../../../../shared/payoutsApi'
import { formatTimestamp } from '../../lib/format'

interface SignatureLook {
  color: string
  label: string
  icon: ReactNode
  /** What it means for the person, when it is not the good case. */
  warning: string | null
}

function signatureLook(signature: Approval['signature']): SignatureLook {
  switch (signature) {
    case 'verified':
      return { color: 'teal', label: 'signature verified', icon: <IconShieldCheck size={12} />, warning: null }
    case 'invalid':
      return {
        color: 'red',
        label: 'signature invalid',
        icon: <IconAlertOctagon size={12} />,
        warning:
          'This signature does not match the batch as stored now: the batch or this approval was changed outside Countersign. Do not execute it — run the audit verification and ask an admin.',
      }
    case 'missing':
      return {
        color: 'orange',
        label: 'no signature',
        icon: <IconAlertTriangle size={12} />,
        warning: 'No signature was recorded with this decision, so it cannot count as an approval: it was not made through Countersign.',
      }
    case 'unchecked':
      return { color: 'gray', label: 'signature not checked', icon: <IconKey size={12} />, warning: null }
  }
}

export function ApprovalEntries({ approvals }: { approvals: Approval[] }) {
  return (
    <Stack gap="xs" data-testid="approval-list">
      {approvals.map((a, i) => {
        const look = signatureLook(a.signature)
        return (
          <Stack
            key={i}
            gap={4}
            p="xs"
            style={{
              borderRadius: 'var(--mantine-radius-md)',
              border: `1px solid ${look.warning ? `var(--mantine-color-${look.color}-4)` : 'var(--mantine-color-default-border)'}`,
            }}
            data-testid="approval-entry"
            data-signature={a.signature}
            data-operator-name={a.operatorName}
          >
            <Group justify="space-between" wrap="nowrap" gap="sm">
              <Text size="sm">
                <Text span fw={600}>
                  {a.decision === 'approve' ? 'Approved' : 'Rejected'} by {a.operatorName}
                </Text>{' '}
                <Text span c="dimmed" size="sm">
                  at {formatTimestamp(a.at)}
                </Text>
              </Text>
              <Badge
                color={look.color}
                variant={a.signature === 'invalid' ? 'filled' : 'light'}
                radius="sm"
                leftSection={look.icon}
                style={{ flexShrink: 0 }}
                data-testid="approval-signature"
              >
                {look.label}
              </Badge>
            </Group>
            <Group gap={6} wrap="nowrap">
              <IconKey size={14} opacity={0.6} />
              <Text size="xs" ff="monospace" c={a.keyFingerprint ? undefined : 'dimmed'} data-testid="approval-fingerprint">
                {a.keyFingerprint ?? 'no key recorded'}
              </Text>
            </Group>
            {a.comment ? (
              <Text size="sm" c="dimmed">
                “{a.comment}”
              </Text>
            ) : null}
            {look.warning ? (
              <Text size="sm" c={`${look.color}.8`} fw={500} data-testid="approval-signature-warning">
                {look.warning}
              </Text>
            ) : null}
          </Stack>
        )
      })}
    </Stack>
  )
}
