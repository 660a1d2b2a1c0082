import { Alert, Badge, Button, Card, Code, Group, List, Stack, Table, Text, Title, Tooltip } from '@mantine/core'
import { IconAlertTriangle, IconScale } from '@tabler/icons-react'
import { useMemo } from 'react'
import type { RailBalanceCheck } from '../../../../shared/reconBalancesApi'
import { formatDisplay, formatTimestamp, middleEllipsis } from '../../lib/format'
import { useNav } from '../nav/store'
import classes from './RailBalancesCard.module.css'
import { useRailBalances } from './railBalancesStore'

/** Wide enough for an 18-decimal amount and a "differs by" badge; a narrower card scrolls the table. */
const TABLE_MIN_WIDTH_PX = 560

/** A state badge is never cut to an ellipsis: it takes the width its words need. */
const BADGE_STYLE = { minWidth: 'max-content' } as const

/** Characters of an address shown under the account name (the whole one is its title). */
const ADDRESS_CHARS_MAX = 20

const BASIS_HINT: Record<RailBalanceCheck['basis'], string> = {
  wallet: "The address's balance on the network beside the treasury account's.",
  'stripe-platform': "Stripe's available + pending platform balance beside the treasury plus its Stripe escrow account.",
}

function amount(a: RailBalanceCheck, text: string | null): string {
  return text === null ? '—' : `${formatDisplay(text, a.scale, a.assetCode)} ${a.assetCode}`
}

/** In the table the asset is named under the account: the figure alone. */
function figure(a: RailBalanceCheck, text: string | null): string {
  return text === null ? '—' : formatDisplay(text, a.scale, a.assetCode)
}

/** "−5.000000" with a real minus sign; the sign says who holds more (negative: the rail holds less). */
function signed(a: RailBalanceCheck): string {
  const text = formatDisplay(a.difference ?? '0', a.scale, a.assetCode)
  return text.startsWith('-') ? `−${text.slice(1)}` : `+${text}`
}

export function StateBadge({ check: a }: { check: RailBalanceCheck }) {
  if (a.state === 'matches')
    return (
      <Badge color="teal" variant="light" style={BADGE_STYLE} data-testid="rail-balance-state">
        matches
      </Badge>
    )
  if (a.state === 'differs')
    return (
      <Badge color="orange" variant="filled" tt="none" style={BADGE_STYLE} data-testid="rail-balance-state">
        differs by {signed(a)}
      </Badge>
    )
  if (a.state === 'unavailable')
    return (
      <Badge color="gray" variant="light" style={BADGE_STYLE} data-testid="rail-balance-state">
        unavailable
      </Badge>
    )
  return (
    <Badge color="gray" variant="outline" style={BADGE_STYLE} data-testid="rail-balance-state">
      not checked
    </Badge>
  )
}

/** Per treasury account: the rail's own balance beside the ledger's, and "Check now". */
export function RailBalancesCard() {
  const { accounts, checkedAt, loaded, checking, error, checkNow } = useRailBalances()
  return (
    <Card withBorder padding="lg" data-testid="rail-balances">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={2}>
            <Title order={4}>Rail balances</Title>
            <Text size="sm" c="dimmed" data-testid="rail-balances-checked">
              What each treasury holds on its chain, Horizon or Stripe, beside the ledger ·{' '}
              {checkedAt ? `checked ${formatTimestamp(checkedAt)}` : 'not checked yet'}
            </Text>
          </Stack>
          <Button
            variant="default"
            size="xs"
            leftSection={<IconScale size={14} />}
            style={{ flexShrink: 0 }}
            loading={checking}
            onClick={() => void checkNow()}
            data-testid="rail-balances-check"
          >
            Check now
          </Button>
        </Group>
        {error ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
            {error}
          </Alert>
        ) : null}
        {loaded && accounts.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="rail-balances-empty">
            No treasury account has an address on a rail yet: give a treasury account its address (the wallet, the Stellar account, or
            stripe:platform) and its balance is compared here.
          </Text>
        ) : null}
        {accounts.length > 0 ? (
          <Table.ScrollContainer minWidth={TABLE_MIN_WIDTH_PX} type="native">
            <Table withTableBorder striped verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Account</Table.Th>
                  <Table.Th ta="right">Ledger · on the rail</Table.Th>
                  <Table.Th>State · since</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {accounts.map((a) => (
                  <Table.Tr key={a.ledgerAccountId} data-testid={`rail-balance-${a.ledgerAccountId}`} data-state={a.state ?? 'unchecked'}>
                    <Table.Td>
                      <Tooltip label={BASIS_HINT[a.basis]} multiline w={320} openDelay={300}>
                        <Text size="sm" fw={500}>
                          {a.accountName}
                        </Text>
                      </Tooltip>
                      <Text size="xs" c="dimmed" ff="monospace" title={a.address}>
                        {a.assetId} · {middleEllipsis(a.address, ADDRESS_CHARS_MAX)}
                      </Text>
                      {a.problem ? (
                        <Text size="xs" c={a.state === 'differs' ? 'orange' : 'dimmed'} data-testid="rail-balance-problem">
                          {a.problem}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      {/* One above the other, right-aligned: the digits of the two figures line up. */}
                      <div className={classes.figures}>
                        <Text span size="xs" c="dimmed">
                          Ledger
                        </Text>
                        <Text span size="sm" ff="monospace" className={classes.figure} data-testid="rail-balance-ledger">
                          {figure(a, a.ledgerBalance)}
                        </Text>
                        <Text span size="xs" c="dimmed">
                          Rail
                        </Text>
                        <Text
                          span
                          size="sm"
                          ff="monospace"
                          className={classes.figure}
                          c={a.state === 'differs' ? 'orange.8' : undefined}
                          data-testid="rail-balance-rail"
                        >
                          {figure(a, a.railBalance)}
                        </Text>
                      </div>
                    </Table.Td>
                    <Table.Td>
                      <StateBadge check={a} />
                      <Text size="xs" c="dimmed" mt={4} data-testid="rail-balance-since">
                        {a.since ? `since ${formatTimestamp(a.since)}` : '—'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
      </Stack>
    </Card>
  )
}

/**
 * The dashboard's alert while any treasury differs from its rail: which, by how much, and what
 * to do — in a sandbox the usual cause is its local chain losing or changing state.
 */
export function RailBalancesAlert({ sandbox }: { sandbox: boolean }) {
  const accounts = useRailBalances((s) => s.accounts)
  const differing = useMemo(() => accounts.filter((a) => a.state === 'differs'), [accounts])
  const go = useNav((s) => s.go)
  if (differing.length === 0) return null
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconAlertTriangle />}
      title={differing.length === 1 ? 'A treasury differs from its rail' : `${differing.length} treasuries differ from their rails`}
      data-testid="rail-balances-alert"
    >
      <Stack gap="xs">
        <List size="sm" spacing={2}>
          {differing.map((a) => (
            <List.Item key={a.ledgerAccountId}>
              {`${a.accountName}: the rail holds ${amount(a, a.railBalance)}, the ledger ${amount(a, a.ledgerBalance)} (${signed(a)} ${a.assetCode}).`}
            </List.Item>
          ))}
        </List>
        {sandbox ? (
          <Text size="sm">
            This is a sandbox: its local chain or test server was most likely reset, or changed outside Countersign. Stop it and start a
            fresh sandbox in a new folder with <Code>countersign sandbox up --data-dir NEW-FOLDER</Code>, or investigate as you would in a
            real workspace.
          </Text>
        ) : (
          <Text size="sm">
            Something moved on the rail that the ledger does not have (a transfer made outside Countersign, an unbooked fee), or a booking
            never reached the rail. Pay nothing more from this account until it is explained: import the rail’s statement in Reconciliation,
            match it, and book what is missing.
          </Text>
        )}
        <Group gap="xs">
          <Button size="xs" variant="light" color="orange" onClick={() => go('reconciliation')} data-testid="rail-balances-investigate">
            Investigate in Reconciliation
          </Button>
        </Group>
      </Stack>
    </Alert>
  )
}
