import { Badge, Card, Divider, Group, Stack, Text } from '@mantine/core'
import type { AssetSummary } from '../../../../shared/ledgerApi'
import { formatCount, formatDisplay, formatExact, networkName } from '../../lib/format'
import classes from './AssetSummaryCard.module.css'

const LINES: readonly {
  key: keyof Pick<AssetSummary, 'treasuryAvailable' | 'escrow' | 'paidOut' | 'fees'>
  label: string
  hint: string
}[] = [
  { key: 'treasuryAvailable', label: 'Available', hint: 'Treasury less what pending holds may take' },
  { key: 'escrow', label: 'In escrow', hint: 'Held in escrow accounts for payouts awaiting release' },
  { key: 'paidOut', label: 'Paid out', hint: 'Booked to payee accounts' },
  { key: 'fees', label: 'Fees', hint: 'Network and processor fees booked' },
]

/** Totals of one asset, exact to the last minor unit. */
export function AssetSummaryCard({ summary: s, payees }: { summary: AssetSummary; payees: number }) {
  return (
    <Card withBorder padding="lg" data-testid={`asset-summary-${s.assetId}`} data-asset-code={s.assetCode}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="xs" wrap="nowrap">
            <Text fw={700} size="lg">
              {s.assetCode}
            </Text>
            <Badge variant="light" color="gray" radius="sm" size="sm" tt="none">
              {networkName(s.rail, s.network)}
            </Badge>
          </Group>
          <Text size="xs" c="dimmed">
            {formatCount(s.accounts - s.payeeAccounts)} {s.accounts - s.payeeAccounts === 1 ? 'account' : 'accounts'}
            {payees > 0 ? ` · ${formatCount(payees)} ${payees === 1 ? 'payee' : 'payees'}` : ''} · {s.scale} decimals
          </Text>
        </Group>

        <Stack gap={2}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} style={{ letterSpacing: '0.04em' }}>
            Treasury
          </Text>
          <Text className={classes.treasury}>
            <span data-testid="summary-treasury" title={`Exactly ${formatExact(s.treasury, s.scale)} ${s.assetCode}`}>
              {formatDisplay(s.treasury, s.scale, s.assetCode)}
            </span>{' '}
            <span className={classes.unit}>{s.assetCode}</span>
          </Text>
        </Stack>

        <Divider />

        <div className={classes.lines}>
          {LINES.map((line) => (
            <div key={line.key} className={classes.line} title={line.hint}>
              <Text size="sm" c="dimmed" className={classes.label}>
                {line.label}
              </Text>
              <Text
                size="sm"
                className={classes.amount}
                data-testid={`summary-${line.key}`}
                title={`Exactly ${formatExact(s[line.key], s.scale)} ${s.assetCode}`}
              >
                {formatDisplay(s[line.key], s.scale, s.assetCode)}
              </Text>
            </div>
          ))}
        </div>
      </Stack>
    </Card>
  )
}
