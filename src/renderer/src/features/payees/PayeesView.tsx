/**
 * Payees: the address book as people and companies. One line per payee — its name, its addresses
 * per rail, what was paid to it per asset (exact), how many payouts — instead of one ledger account
 * per payee and asset. A payee opens in full: its accounts and its payouts, newest first.
 */
import { Alert, Badge, Button, Card, Group, Loader, ScrollArea, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { IconAlertTriangle, IconArrowLeft, IconRefresh, IconSearch } from '@tabler/icons-react'
import { useEffect, useMemo, useState } from 'react'
import type { Payee, PayeeAddress, PayeeTotal } from '../../../../shared/payeesApi'
import { OpenLink } from '../../components/OpenLink'
import { ViewHeader } from '../../components/ViewHeader'
import { onEvent } from '../../lib/api'
import { formatClock, formatCount, formatDisplay, formatExact, formatTimestamp, middleEllipsis, networkName } from '../../lib/format'
import { usePayees } from './store'

/** Characters of an address shown in the list; the whole address is in its title and in the payee's page. */
const ADDRESS_CHARS_SHOWN = 19

const STATE_COLORS: Record<string, string> = {
  pending: 'gray',
  planned: 'gray',
  signed: 'blue',
  broadcast: 'blue',
  confirmed: 'teal',
  failed: 'red',
}

export function PayeesView() {
  const { payees, loaded, loading, error, loadedAt, openKey, refresh } = usePayees()
  useEffect(() => {
    void refresh()
    return onEvent('ledger.changed', () => void refresh())
  }, [refresh])

  return (
    <Stack gap="lg" data-testid="payees-view">
      <ViewHeader
        title="Payees"
        description={
          loadedAt
            ? `The address book: each payee once, with its addresses and what was paid to it · last loaded ${formatClock(loadedAt)}`
            : 'The address book: each payee once, with its addresses and what was paid to it'
        }
        actions={
          <Button
            variant="default"
            size="xs"
            leftSection={<IconRefresh size={14} />}
            onClick={() => void refresh()}
            loading={loading}
            data-testid="payees-refresh"
          >
            Refresh
          </Button>
        }
      />
      {error ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the payees" data-testid="payees-error">
          {error}
        </Alert>
      ) : null}
      {!loaded && !error ? <Loader size="sm" /> : null}
      {loaded && openKey === null ? <PayeeList payees={payees} /> : null}
      {openKey !== null ? <PayeeDetail /> : null}
    </Stack>
  )
}

function matches(p: Payee, q: string): boolean {
  if (q === '') return true
  const needle = q.toLowerCase()
  return p.name.toLowerCase().includes(needle) || p.addresses.some((a) => a.address.toLowerCase().includes(needle))
}

function PayeeList({ payees }: { payees: Payee[] }) {
  const open = usePayees((s) => s.open)
  const [query, setQuery] = useState('')
  const shown = useMemo(() => payees.filter((p) => matches(p, query.trim())), [payees, query])
  const inBook = payees.filter((p) => p.inAddressBook).length
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="nowrap" align="flex-end">
        <Text size="sm" c="dimmed" data-testid="payees-count">
          {formatCount(payees.length)} {payees.length === 1 ? 'payee' : 'payees'} · {formatCount(inBook)} in the address book,{' '}
          {formatCount(payees.length - inBook)} paid without an entry
        </Text>
        <TextInput
          size="xs"
          w={260}
          placeholder="Search a name or an address"
          leftSection={<IconSearch size={14} />}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          aria-label="Search payees"
          data-testid="payees-search"
        />
      </Group>
      <Card withBorder p={0}>
        <ScrollArea.Autosize mah={620} type="auto">
          <Table striped highlightOnHover verticalSpacing="sm" horizontalSpacing="md" stickyHeader data-testid="payees-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Payee</Table.Th>
                <Table.Th>Addresses</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Paid out</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Payouts</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Text size="sm" c="dimmed" py="md" ta="center" data-testid="payees-empty">
                      {payees.length === 0
                        ? 'No payees yet. An admin adds them to the address book (a payee account with its address), and every payee paid appears here.'
                        : 'No payee matches the search.'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : (
                shown.map((p) => (
                  <Table.Tr key={p.key} data-testid={`payee-row-${p.key}`}>
                    <Table.Td style={{ verticalAlign: 'top' }}>
                      <Stack gap={4}>
                        <OpenLink onOpen={() => open(p.key)} testId="payee-open" title={`Open ${p.name}`}>
                          <span style={{ wordBreak: 'break-word' }}>{displayName(p)}</span>
                        </OpenLink>
                        {p.inAddressBook ? null : (
                          <Badge size="xs" variant="light" color="yellow" radius="sm" w="fit-content" tt="none">
                            not in the address book
                          </Badge>
                        )}
                      </Stack>
                    </Table.Td>
                    <Table.Td style={{ verticalAlign: 'top' }}>
                      <Addresses addresses={p.addresses} short />
                    </Table.Td>
                    <Table.Td style={{ verticalAlign: 'top' }}>
                      <Totals totals={p.totals} />
                    </Table.Td>
                    <Table.Td style={{ verticalAlign: 'top', textAlign: 'right' }}>
                      <Text size="sm" ff="monospace" data-testid="payee-payouts">
                        {formatCount(p.payouts)}
                      </Text>
                      {p.lastPaidAt ? (
                        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                          last {formatTimestamp(p.lastPaidAt).slice(0, 10)}
                        </Text>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                ))
              )}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      </Card>
    </Stack>
  )
}

function Addresses({ addresses, short }: { addresses: PayeeAddress[]; short?: boolean }) {
  if (addresses.length === 0)
    return (
      <Text size="sm" c="dimmed">
        no address
      </Text>
    )
  return (
    <Stack gap={4} data-testid="payee-addresses">
      {addresses.map((a) => (
        <Group key={`${a.rail}:${a.network}:${a.address}`} gap={8} wrap={short ? 'nowrap' : 'wrap'}>
          <Badge size="xs" variant="light" color="gray" radius="sm" tt="none" miw={72}>
            {networkName(a.rail, a.network)}
          </Badge>
          {/* Whole on one line where there is room: an address is read and compared in one piece. */}
          <Text size="xs" ff="monospace" title={a.address} style={short ? { whiteSpace: 'nowrap' } : { overflowWrap: 'anywhere' }}>
            {short ? middleEllipsis(a.address, ADDRESS_CHARS_SHOWN) : a.address}
          </Text>
        </Group>
      ))}
    </Stack>
  )
}

function Totals({ totals }: { totals: PayeeTotal[] }) {
  if (totals.length === 0) return null
  // The network is said only where the code alone is ambiguous (USDC on Anvil and on Stellar).
  const codes = totals.map((t) => t.assetCode)
  return (
    <Stack gap={2} align="flex-end" data-testid="payee-totals">
      {totals.map((t) => (
        <Text
          key={t.assetId}
          size="sm"
          ff="monospace"
          ta="right"
          style={{ whiteSpace: 'nowrap' }}
          title={`${t.assetId}: exactly ${formatExact(t.paidOut, t.scale)}`}
        >
          {formatDisplay(t.paidOut, t.scale, t.assetCode)}{' '}
          <Text span size="xs" c="dimmed" ff="inherit">
            {t.assetCode}
            {codes.indexOf(t.assetCode) !== codes.lastIndexOf(t.assetCode) ? ` · ${networkName(t.rail, t.network)}` : ''}
          </Text>
        </Text>
      ))}
    </Stack>
  )
}

/** A payee the engine opened from a bare address has that address as its name: say so instead. */
function displayName(p: Payee): string {
  return p.addresses.some((a) => a.address.toLowerCase() === p.name.toLowerCase()) ? 'Unnamed payee' : p.name
}

function PayeeDetail() {
  const { detail, detailError, close } = usePayees()
  return (
    <Stack gap="md" data-testid="payee-detail">
      <Group>
        <Button variant="subtle" size="xs" leftSection={<IconArrowLeft size={14} />} onClick={close} data-testid="payee-back">
          All payees
        </Button>
      </Group>
      {detailError ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load this payee">
          {detailError}
        </Alert>
      ) : null}
      {detail === null && !detailError ? <Loader size="sm" /> : null}
      {detail ? (
        <>
          <Group gap="sm" align="center">
            <Title order={3} data-testid="payee-name">
              {displayName(detail.payee)}
            </Title>
            {detail.payee.inAddressBook ? (
              <Badge variant="light" color="teal" radius="sm" tt="none">
                in the address book
              </Badge>
            ) : (
              <Badge variant="light" color="yellow" radius="sm" tt="none">
                not in the address book
              </Badge>
            )}
          </Group>
          <Group align="stretch" gap="md" wrap="wrap">
            <Card withBorder p="md" style={{ flex: '2 1 440px' }}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6}>
                Addresses
              </Text>
              <Addresses addresses={detail.payee.addresses} />
            </Card>
            <Card withBorder p="md" style={{ flex: '1 1 240px' }}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6}>
                Paid out, booked
              </Text>
              <Stack gap={4} data-testid="payee-detail-totals">
                {detail.payee.totals.map((t) => (
                  <Group key={t.assetId} justify="space-between" wrap="nowrap" gap="md">
                    <Text size="sm" c="dimmed">
                      {t.assetCode} · {networkName(t.rail, t.network)}
                    </Text>
                    <Text size="sm" ff="monospace" fw={600} title={`Exactly ${formatExact(t.paidOut, t.scale)} ${t.assetCode}`}>
                      {formatDisplay(t.paidOut, t.scale, t.assetCode)}
                      {toZero(t.pending) ? '' : ` (+${formatDisplay(t.pending, t.scale, t.assetCode)} in escrow)`}
                    </Text>
                  </Group>
                ))}
              </Stack>
            </Card>
          </Group>

          <Stack gap={6}>
            <Title order={5}>Payouts</Title>
            <Card withBorder p={0}>
              <ScrollArea type="auto">
                <Table striped verticalSpacing="xs" horizontalSpacing="md" data-testid="payee-payouts-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Payout</Table.Th>
                      <Table.Th>Batch</Table.Th>
                      <Table.Th style={{ textAlign: 'right' }}>Amount</Table.Th>
                      <Table.Th>State</Table.Th>
                      <Table.Th>Updated</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {detail.payouts.length === 0 ? (
                      <Table.Tr>
                        <Table.Td colSpan={5}>
                          <Text size="sm" c="dimmed" ta="center" py="sm">
                            No payouts to this payee yet.
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ) : (
                      detail.payouts.map((p) => (
                        <Table.Tr key={p.payoutId} data-testid={`payee-payout-${p.payoutId}`}>
                          <Table.Td>
                            <Text size="sm" ff="monospace">
                              {p.payoutId}
                            </Text>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm" truncate="end" maw={220} title={p.batchName ?? p.batchId}>
                              {p.batchName ?? p.batchId}
                            </Text>
                          </Table.Td>
                          <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                            <Text size="sm" ff="monospace" span title={`Exactly ${formatExact(p.amount, p.scale)} ${p.assetCode}`}>
                              {formatDisplay(p.amount, p.scale, p.assetCode)}
                            </Text>{' '}
                            <Text size="xs" c="dimmed" span>
                              {p.assetCode}
                            </Text>
                          </Table.Td>
                          <Table.Td>
                            <Badge size="sm" variant="light" radius="sm" color={STATE_COLORS[p.state] ?? 'gray'}>
                              {p.state}
                            </Badge>
                          </Table.Td>
                          <Table.Td>
                            <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                              {formatTimestamp(p.updatedAt)}
                            </Text>
                          </Table.Td>
                        </Table.Tr>
                      ))
                    )}
                  </Table.Tbody>
                </Table>
              </ScrollArea>
            </Card>
            {detail.payouts.length >= detail.payoutsMax ? (
              <Text size="xs" c="dimmed">
                The newest {formatCount(detail.payoutsMax)} payouts; the rest are in Payouts and in the exports.
              </Text>
            ) : null}
          </Stack>

          <Stack gap={6}>
            <Title order={5}>Ledger accounts</Title>
            <Text size="xs" c="dimmed">
              {new Set(detail.accounts.map((a) => a.assetId)).size < detail.accounts.length
                ? 'One account per asset; an account opened automatically before this payee was in the address book keeps what was booked to it.'
                : 'One account per asset.'}
            </Text>
            <Card withBorder p={0}>
              <ScrollArea type="auto">
                <Table verticalSpacing="xs" horizontalSpacing="md" data-testid="payee-accounts-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Account</Table.Th>
                      <Table.Th>Asset</Table.Th>
                      <Table.Th style={{ textAlign: 'right' }}>Balance</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {detail.accounts.map((a) => (
                      <Table.Tr key={a.id} data-testid={`payee-account-${a.id}`}>
                        <Table.Td>
                          <Text size="sm" fw={500}>
                            {a.name}
                          </Text>
                          <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }}>
                            {a.id}
                            {a.auto ? ' · opened automatically' : ''}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{a.assetCode}</Text>
                          <Text size="xs" c="dimmed" ff="monospace">
                            {a.assetId}
                          </Text>
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                          <Text size="sm" ff="monospace" title={`Exactly ${formatExact(a.balance, a.scale)} ${a.assetCode}`}>
                            {formatDisplay(a.balance, a.scale, a.assetCode)}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea>
            </Card>
          </Stack>
        </>
      ) : null}
    </Stack>
  )
}

function toZero(decimal: string): boolean {
  return /^[0.]+$/.test(decimal)
}
