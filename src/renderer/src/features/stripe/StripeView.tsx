/**
 * Stripe: the connection (key's last 4 characters only), the Events sync with its last outcome
 * and a "Sync now", the platform balance beside the ledger, payouts to the platform's bank (with
 * a form for admins) and the events the sync applied. Reloads on `stripe.changed` (the poller's
 * sync found something) and `ledger.changed`, so a payout turning paid → failed shows by itself.
 */
import { useOffline } from '../offline/store'
import { Alert, Badge, Button, Card, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { StripeBalanceTxn, StripeBankPayout, StripeEventRow, StripeStatus } from '../../../../shared/stripeApi'
import { ViewHeader } from '../../components/ViewHeader'
import { invoke, loadErrorMessage, onEvent } from '../../lib/api'
import { RailReference } from '../../components/RailReference'
import { DisplayAmount } from '../../components/DisplayAmount'
import { formatCount, formatDisplay, formatTimestamp } from '../../lib/format'
import { useNav } from '../nav/store'
import { notifyError, notifySuccess } from '../notify/store'
import { hasRole, useSession } from '../session/store'

const STATUS_COLORS: Record<string, string> = {
  requested: 'yellow',
  pending: 'blue',
  in_transit: 'cyan',
  paid: 'teal',
  failed: 'red',
  canceled: 'gray',
  refused: 'red',
}

const BOOKED_LABELS: Record<string, string> = {
  sent: 'in transit',
  paid: 'in the bank',
  returned: 'back in the balance',
}

/**
 * What one sync did: "no new events", "3 new events, 2 entries booked". The counts are of that
 * sync only — the events table below holds everything synced so far.
 */
export function syncResultText(r: { events: number; entries: number }): string {
  const events = r.events === 0 ? 'no new events' : `${formatCount(r.events)} new ${r.events === 1 ? 'event' : 'events'}`
  const entries = r.entries === 0 ? '' : `, ${formatCount(r.entries)} ${r.entries === 1 ? 'entry' : 'entries'} booked`
  return `${events}${entries}`
}

/** The currency code of a Stripe asset id: "USD@stripe" → "USD". */
function codeOf(assetId: string): string {
  return assetId.split('@')[0] ?? assetId
}

/** Decimals written in a Stripe decimal ("1250.50" → 2): its exact scale, as Stripe sends it. */
function scaleOf(decimal: string): number {
  const dot = decimal.indexOf('.')
  return dot < 0 ? 0 : decimal.length - dot - 1
}

/** An amount as every view shows it (trailing zeros trimmed, never rounded), exact on hover and copy. */
function StripeAmount({
  amount,
  assetId,
  withCode = true,
  testId,
}: {
  amount: string
  assetId: string
  withCode?: boolean
  testId?: string
}) {
  return (
    <DisplayAmount
      value={amount}
      scale={scaleOf(amount)}
      code={codeOf(assetId)}
      withCode={withCode}
      c={amount.startsWith('-') ? 'red' : undefined}
      testId={testId}
    />
  )
}

/** The same as text, for a notification: "1,250.50 USD". */
function money(amount: string, assetId: string): string {
  return `${formatDisplay(amount, scaleOf(amount), codeOf(assetId))} ${codeOf(assetId)}`
}

export function StripeView() {
  const [status, setStatus] = useState<StripeStatus | null>(null)
  const [payouts, setPayouts] = useState<StripeBankPayout[]>([])
  const [events, setEvents] = useState<StripeEventRow[]>([])
  const [txns, setTxns] = useState<StripeBalanceTxn[]>([])
  const [loadError, setLoadError] = useState<string | null>(null)
  const [syncing, setSyncing] = useState(false)

  const load = useCallback(async () => {
    try {
      const [s, p, e, t] = await Promise.all([
        invoke('stripe.status', {}),
        invoke('stripe.bankPayouts.list', {}),
        invoke('stripe.events.list', { limit: 50 }),
        invoke('stripe.balanceTransactions.list', { limit: 50 }),
      ])
      setStatus(s)
      setPayouts(p)
      setEvents(e)
      setTxns(t)
      setLoadError(null)
    } catch (error) {
      setLoadError(loadErrorMessage(error))
    }
  }, [])

  const reconnects = useOffline((s) => s.reconnects)
  useEffect(() => {
    void load()
    const offs = [onEvent('stripe.changed', () => void load()), onEvent('ledger.changed', () => void load())]
    return () => offs.forEach((off) => off())
  }, [load, reconnects])

  async function syncNow() {
    setSyncing(true)
    try {
      const r = await invoke('stripe.sync', {})
      notifySuccess('Stripe synced', `${syncResultText(r)}.`)
    } catch (error) {
      notifyError('Stripe sync failed', error)
    } finally {
      setSyncing(false)
      void load()
    }
  }

  const settings = status?.settings
  return (
    <Stack gap="xl" data-testid="stripe">
      <ViewHeader
        title="Stripe"
        description="Connect transfers pay out from the platform balance; the Events API sync books reversals and payouts to the bank."
      />
      {loadError ? (
        <Alert color="red" icon={<IconAlertTriangle size={16} />} data-testid="stripe-load-error">
          {loadError}
        </Alert>
      ) : null}

      <Card withBorder padding="lg" data-testid="stripe-connection">
        <Group justify="space-between" align="flex-start">
          <Stack gap={4}>
            <Title order={4}>Connection</Title>
            {settings ? (
              <>
                <Text size="sm">
                  API: <b>{settings.configured ? settings.apiUrl : 'not configured'}</b>
                </Text>
                <Text size="sm" data-testid="stripe-key">
                  Secret key:{' '}
                  {settings.key.present ? (
                    <>
                      <b>…{settings.key.last4}</b> ({settings.key.mode} mode)
                    </>
                  ) : (
                    <b>none</b>
                  )}{' '}
                  <Button variant="subtle" size="compact-xs" onClick={() => useNav.getState().go('settings')}>
                    Settings → Stripe
                  </Button>
                </Text>
                <Text size="sm" c="dimmed" data-testid="stripe-sync-status">
                  {status.sync.lastOkAt
                    ? `Last synced ${formatTimestamp(status.sync.lastOkAt)}${status.sync.lastResult ? ` — ${syncResultText(status.sync.lastResult)}` : ''}.`
                    : 'Not synced yet in this session.'}
                </Text>
              </>
            ) : (
              <Text size="sm">Loading…</Text>
            )}
          </Stack>
          <Button
            leftSection={<IconRefresh size={16} />}
            variant="light"
            loading={syncing}
            disabled={!settings?.configured || !settings.key.present}
            onClick={() => void syncNow()}
            data-testid="stripe-sync"
          >
            Sync now
          </Button>
        </Group>
        {status?.sync.lastError ? (
          <Alert
            mt="md"
            color="red"
            icon={<IconAlertTriangle size={16} />}
            title={status.sync.lastError.code}
            data-testid="stripe-sync-error"
          >
            {status.sync.lastError.message}
          </Alert>
        ) : null}
      </Card>

      <BalanceCard status={status} />
      <BankPayoutsCard payouts={payouts} status={status} onCreated={() => void load()} />
      <EventsCard events={events} />
      <BalanceTxnsCard txns={txns} />
    </Stack>
  )
}

function BalanceCard({ status }: { status: StripeStatus | null }) {
  return (
    <Card withBorder padding="lg" data-testid="stripe-balance">
      <Stack gap="sm">
        <Title order={4}>Platform balance</Title>
        {status?.balanceProblem ? (
          <Alert color="orange" icon={<IconAlertTriangle size={16} />}>
            {status.balanceProblem.message}
          </Alert>
        ) : null}
        {status?.balances && status.balances.length > 0 ? (
          <Table withTableBorder striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Asset</Table.Th>
                <Table.Th ta="right">Stripe available</Table.Th>
                <Table.Th ta="right">Stripe pending</Table.Th>
                <Table.Th ta="right">Ledger treasury</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {status.balances.map((b) => {
                const match = b.ledger === b.stripeAvailable
                return (
                  <Table.Tr key={b.assetId} data-testid={`stripe-balance-${b.assetId}`}>
                    <Table.Td title={b.assetId}>{codeOf(b.assetId)}</Table.Td>
                    <Table.Td ta="right">
                      <StripeAmount amount={b.stripeAvailable} assetId={b.assetId} withCode={false} testId="stripe-balance-available" />
                    </Table.Td>
                    <Table.Td ta="right">
                      <StripeAmount amount={b.stripePending} assetId={b.assetId} withCode={false} testId="stripe-balance-pending" />
                    </Table.Td>
                    <Table.Td ta="right">
                      {b.ledger === null ? (
                        '—'
                      ) : (
                        <StripeAmount amount={b.ledger} assetId={b.assetId} withCode={false} testId="stripe-balance-ledger" />
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge color={match ? 'teal' : 'orange'} variant="light">
                        {match ? 'matches' : 'differs'}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                )
              })}
            </Table.Tbody>
          </Table>
        ) : (
          <Text size="sm" c="dimmed">
            {status?.settings.key.present ? 'No balance read yet.' : 'Set the secret key to read the balance.'}
          </Text>
        )}
      </Stack>
    </Card>
  )
}

function BankPayoutsCard({
  payouts,
  status,
  onCreated,
}: {
  payouts: StripeBankPayout[]
  status: StripeStatus | null
  onCreated: () => void
}) {
  const operator = useSession((s) => s.operator)
  const isAdmin = hasRole(operator, 'admin')
  const assets = status?.balances?.map((b) => b.assetId) ?? []
  const [assetId, setAssetId] = useState<string>('')
  const [amount, setAmount] = useState('')
  const [description, setDescription] = useState('')
  const [busy, setBusy] = useState(false)
  const chosen = assetId || assets[0] || 'USD@stripe'

  async function create() {
    setBusy(true)
    try {
      const row = await invoke('stripe.bankPayouts.create', {
        assetId: chosen,
        amount: amount.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
      })
      notifySuccess('Payout to the bank created', `${money(row.amount, row.assetId)}: ${row.status}.`)
      setAmount('')
      setDescription('')
      onCreated()
    } catch (error) {
      notifyError('Payout to the bank not created', error)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card withBorder padding="lg" data-testid="stripe-bank-payouts">
      <Stack gap="sm">
        <Title order={4}>Payouts to the bank</Title>
        {isAdmin && status?.settings.key.present ? (
          <Group align="flex-end" gap="sm">
            <NativeSelect
              label="Asset"
              data={assets.length > 0 ? assets : ['USD@stripe']}
              value={chosen}
              onChange={(e) => setAssetId(e.currentTarget.value)}
            />
            <TextInput
              label="Amount"
              placeholder="250.00"
              value={amount}
              onChange={(e) => setAmount(e.currentTarget.value)}
              data-testid="stripe-payout-amount"
            />
            <TextInput
              label="Description"
              placeholder="optional"
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
            />
            <Button onClick={() => void create()} loading={busy} disabled={amount.trim() === ''} data-testid="stripe-payout-create">
              Pay out to bank
            </Button>
          </Group>
        ) : null}
        {payouts.length === 0 ? (
          <Text size="sm" c="dimmed">
            No payouts to the bank yet.
          </Text>
        ) : (
          <Table withTableBorder striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Payout</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Booked</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {payouts.map((p) => (
                <Table.Tr key={p.key} data-testid={`stripe-payout-${p.stripeId ?? p.key}`}>
                  <Table.Td>
                    {p.stripeId ? (
                      <RailReference rail="stripe" reference={p.stripeId} url={null} testId="stripe-payout-id" />
                    ) : (
                      <Text span size="sm" ff="monospace" c="dimmed" title="Not yet created at Stripe: our request key">
                        {p.key}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">
                    <StripeAmount amount={p.amount} assetId={p.assetId} testId="stripe-payout-amount-shown" />
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLORS[p.status] ?? 'gray'} variant="light" data-testid="stripe-payout-status">
                      {p.status.replace('_', ' ')}
                    </Badge>
                    {p.failureMessage ? (
                      <Text size="xs" c="red" mt={2}>
                        {p.failureMessage}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td data-testid="stripe-payout-booked">{p.booked ? (BOOKED_LABELS[p.booked] ?? p.booked) : '—'}</Table.Td>
                  <Table.Td>{formatTimestamp(p.updatedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  )
}

function EventsCard({ events }: { events: StripeEventRow[] }) {
  return (
    <Card withBorder padding="lg" data-testid="stripe-events">
      <Stack gap="sm">
        <Title order={4} data-testid="stripe-events-title">
          Synced events{events.length > 0 ? ` · ${formatCount(events.length)} ${events.length === 1 ? 'event' : 'events'} shown` : ''}
        </Title>
        {events.length === 0 ? (
          <Text size="sm" c="dimmed">
            No events synced yet.
          </Text>
        ) : (
          <Table withTableBorder striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Event</Table.Th>
                <Table.Th>What it means for the books</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTimestamp(e.created)}</Table.Td>
                  <Table.Td ff="monospace">{e.type}</Table.Td>
                  <Table.Td>
                    {e.summary}
                    {e.bookedEntryId ? (
                      <Badge ml="xs" size="xs" variant="light" color="indigo">
                        booked
                      </Badge>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  )
}

function BalanceTxnsCard({ txns }: { txns: StripeBalanceTxn[] }) {
  return (
    <Card withBorder padding="lg" data-testid="stripe-balance-txns">
      <Stack gap="sm">
        <Stack gap={2}>
          <Title order={4}>Balance transactions</Title>
          <Text size="sm" c="dimmed">
            Every movement of the platform balance as Stripe records it, kept for reconciliation.
          </Text>
        </Stack>
        {txns.length === 0 ? (
          <Text size="sm" c="dimmed">
            None synced yet.
          </Text>
        ) : (
          <Table withTableBorder striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
                <Table.Th ta="right">Fee</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {txns.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTimestamp(t.created)}</Table.Td>
                  <Table.Td ff="monospace">{t.type}</Table.Td>
                  <Table.Td>
                    {t.source ? <RailReference rail="stripe" reference={t.source} url={null} testId="stripe-source" /> : '—'}
                  </Table.Td>
                  <Table.Td ta="right">
                    <StripeAmount amount={t.amount} assetId={t.assetId} testId="stripe-txn-amount" />
                  </Table.Td>
                  <Table.Td ta="right">
                    <StripeAmount amount={t.fee} assetId={t.assetId} withCode={false} testId="stripe-txn-fee" />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  )
}
