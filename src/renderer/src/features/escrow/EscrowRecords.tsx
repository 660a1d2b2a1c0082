/** An escrow's rail transactions (explorer links, or their ids) and its history, in the order it happened (the latest shown first-hand). */
import { Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core'
import { useState } from 'react'
import type { EscrowDetail } from '../../../../shared/escrowApi'
import { formatCount, formatTimestamp } from '../../lib/format'
import { DisplayAmount } from '../../components/DisplayAmount'
import { RailReference } from '../../components/RailReference'
import { SubmissionStateBadge } from '../payouts/StateBadge'
import { useSession } from '../session/store'

export function EscrowTxs({ detail }: { detail: EscrowDetail }) {
  const kindOf = new Map(detail.actions.map((a) => [a.id, a]))
  return (
    <Card withBorder padding="lg" data-testid="escrow-txs">
      <Stack gap="sm">
        <Title order={4}>Rail transactions</Title>
        {detail.txs.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing sent to the rail yet.
          </Text>
        ) : (
          <Table striped withTableBorder verticalSpacing={6} data-testid="escrow-tx-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>What</Table.Th>
                <Table.Th>For</Table.Th>
                {/* Wide enough for the longest state badge ("confirmed", "broadcast") not to be clipped. */}
                <Table.Th miw={112}>State</Table.Th>
                <Table.Th>Transaction</Table.Th>
                <Table.Th ta="right">Fee</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {detail.txs.map((t) => {
                const a = t.actionId ? kindOf.get(t.actionId) : undefined
                return (
                  <Table.Tr key={t.id} data-testid="escrow-tx" data-state={t.state}>
                    <Table.Td ff="monospace">{t.kind}</Table.Td>
                    <Table.Td>{a ? `${a.kind}${a.milestone !== null ? ` · milestone ${a.milestone}` : ''}` : '—'}</Table.Td>
                    <Table.Td>
                      <SubmissionStateBadge state={t.state} />
                    </Table.Td>
                    <Table.Td>
                      {t.railRef ? (
                        <RailReference rail={detail.escrow.rail} reference={t.railRef} url={t.explorerUrl} />
                      ) : (
                        <Text span size="sm" ff="monospace" c="dimmed" title={t.id}>
                          {t.id}
                        </Text>
                      )}
                      {t.failureMessage ? (
                        <Text size="xs" c="red" data-testid="escrow-tx-failure">
                          {t.failureMessage}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td ta="right">
                      {t.feePaid === null || t.feeAssetCode === null || t.feeAssetScale === null ? (
                        '—'
                      ) : (
                        <DisplayAmount value={t.feePaid} scale={t.feeAssetScale} code={t.feeAssetCode} testId="escrow-tx-fee" />
                      )}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTimestamp(t.updatedAt)}</Table.Td>
                  </Table.Tr>
                )
              })}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  )
}

/** History lines shown before "Show all": the latest ones, the rest one click away. */
const HISTORY_ROWS_SHOWN = 12

export function EscrowHistory({ detail }: { detail: EscrowDetail }) {
  const operators = useSession((s) => s.operators)
  const [all, setAll] = useState(false)
  const name = (id: string) => operators.find((o) => o.id === id)?.name ?? id
  const hidden = all ? 0 : Math.max(0, detail.history.length - HISTORY_ROWS_SHOWN)
  const rows = detail.history.slice(hidden)
  return (
    <Card withBorder padding="lg" data-testid="escrow-history">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>History</Title>
          {hidden > 0 || all ? (
            <Button variant="subtle" size="compact-xs" onClick={() => setAll(!all)} data-testid="escrow-history-toggle">
              {all
                ? `Show the latest ${HISTORY_ROWS_SHOWN}`
                : `Show all ${formatCount(detail.history.length)} (${formatCount(hidden)} earlier)`}
            </Button>
          ) : null}
        </Group>
        {detail.history.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing recorded yet.
          </Text>
        ) : (
          <Table withTableBorder verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={180}>When</Table.Th>
                <Table.Th w={180}>Who</Table.Th>
                <Table.Th>What</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((h, i) => (
                <Table.Tr key={hidden + i} data-testid="escrow-history-row" data-action={h.action}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTimestamp(h.at)}</Table.Td>
                  <Table.Td>{name(h.actor)}</Table.Td>
                  <Table.Td>{h.text}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  )
}
