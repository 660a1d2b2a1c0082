/**
 * Beside Execute: what executing will ask of the signer, per rail (the core's count of
 * transactions and device confirmations), and a warning when rows force one transaction each —
 * read before the first prompt, not discovered at the device.
 */
import { Alert, List, Stack, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import type { SigningPlanRail } from '../../../../shared/payoutsApi'
import { formatCount } from '../../lib/format'
import { deviceConfirmationsOf, signingPlanLine, signingPlanWarning } from './executionProgress'

export function SigningPlanNote({ plan }: { plan: readonly SigningPlanRail[] }) {
  if (plan.length === 0) return null
  const total = deviceConfirmationsOf(plan)
  const warnings = plan.map(signingPlanWarning).filter((w): w is string => w !== null)
  return (
    <Stack gap={6} data-testid="signing-plan" data-device-confirmations={total}>
      <Text size="sm" fw={500} data-testid="signing-plan-total">
        {total === 0
          ? 'Executing asks nothing of the Ledger: every payout goes out as a transfer the app sends.'
          : `Executing asks for ${formatCount(total)} ${total === 1 ? 'confirmation' : 'confirmations'} on the Ledger — one per transaction.`}
      </Text>
      <List size="sm" spacing={2}>
        {plan.map((r) => (
          <List.Item key={`${r.rail}:${r.network}`} data-testid="signing-plan-rail" data-rail={`${r.rail}:${r.network}`}>
            {signingPlanLine(r)}
          </List.Item>
        ))}
      </List>
      {warnings.map((w) => (
        <Alert
          key={w}
          color="yellow"
          variant="light"
          icon={<IconAlertTriangle />}
          title="Many confirmations on the Ledger"
          data-testid="signing-plan-warning"
        >
          <Text size="sm">{w}</Text>
        </Alert>
      ))}
    </Stack>
  )
}
