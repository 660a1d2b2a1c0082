/**
 * One payee's whole history: every name and recipient they were paid under (so two spellings of
 * one payee show), their totals per asset and per month, and every receipt (payouts, escrow
 * releases and refunds, reversals), newest first. "Remittance advice" lists all their payments on
 * one PDF.
 */
import { Alert, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle, IconArrowLeft, IconListDetails } from '@tabler/icons-react'
import { useState } from 'react'
import { formatCount } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { downloadRemittance } from './downloads'
import { usePayee } from './payeeStore'
import { UpdatedAt } from '../../components/UpdatedAt'
import { CopyValue } from './parts'
import { ReceiptTable } from './ReceiptTable'
import { useReceipts } from './store'
import { TotalsTable } from './TotalsTable'

const TABLE_HEIGHT = 'max(300px, calc(100vh - 420px))'

export function PayeeHistory() {
  const { payee, names, recipients, totals, months, items, loading, error, loadedAt, closePayee, loadMore } = usePayee()
  const open = useReceipts((s) => s.open)
  const [busy, setBusy] = useState(false)
  if (payee === null) return null
  const title = names[0] ?? payee
  const count = totals.reduce((n, t) => n + t.count, 0)

  async function remittance() {
    setBusy(true)
    try {
      const name = await downloadRemittance(payee!)
      notifySuccess('Downloaded', `${name} — every payment to ${title}, each receipt attached.`)
    } catch (e) {
      notifyError(`Could not make the remittance advice for ${title}`, e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Stack gap="md" data-testid="payee-history" data-payee={payee}>
      <Button
        variant="subtle"
        size="xs"
        leftSection={<IconArrowLeft size={14} />}
        onClick={closePayee}
        w="fit-content"
        data-testid="payee-back"
      >
        All receipts
      </Button>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Title order={3} style={{ overflowWrap: 'anywhere' }} data-testid="payee-title">
            {title}
          </Title>
          <Group gap="xs">
            <Text size="sm" c="dimmed" data-testid="payee-count">
              {loadedAt ? `${formatCount(count)} ${count === 1 ? 'receipt' : 'receipts'}` : ''}
            </Text>
            <UpdatedAt at={loadedAt} testId="payee-updated" />
          </Group>
        </Stack>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconListDetails size={14} />}
          loading={busy}
          onClick={() => void remittance()}
          disabled={count === 0}
          data-testid="payee-remittance"
        >
          Remittance advice
        </Button>
      </Group>

      {error ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="Could not load the payee's history">
          {error}
        </Alert>
      ) : null}

      <Card withBorder padding="md">
        <Group gap="xl" align="flex-start" wrap="wrap">
          <Stack gap={6} style={{ flex: '0 1 auto', minWidth: 0 }}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {names.length > 1 ? `Paid under ${names.length} names` : 'Name'}
            </Text>
            <Group gap={6} data-testid="payee-names">
              {names.length === 0 ? (
                <Text size="sm">(no name given)</Text>
              ) : (
                names.map((n) => (
                  <Badge key={n} variant="light" color="gray" tt="none" radius="sm" size="lg" style={{ maxWidth: '100%' }}>
                    {n}
                  </Badge>
                ))
              )}
            </Group>
          </Stack>
          <Stack gap={6} style={{ flex: '1 1 320px', minWidth: 0 }}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {recipients.length === 1 ? 'Recipient' : `${recipients.length} recipients`}
            </Text>
            <Stack gap={2} data-testid="payee-recipients">
              {recipients.map((r) => (
                <CopyValue key={r} value={r} label="recipient" size="sm" />
              ))}
            </Stack>
          </Stack>
        </Group>
      </Card>

      <Card withBorder padding="md">
        <Stack gap="xs">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Totals per asset
          </Text>
          <TotalsTable totals={totals} testId="payee-totals" />
        </Stack>
      </Card>

      <Stack gap="xs">
        <Title order={5}>Receipts</Title>
        <ReceiptTable
          items={items}
          onOpen={open}
          onEndReached={() => void loadMore()}
          resetKey={payee}
          testId="payee-receipts"
          maxHeight={TABLE_HEIGHT}
          emptyText={loading ? 'Loading…' : 'No receipts for this payee.'}
        />
      </Stack>

      {months.length > 0 ? (
        <Card withBorder padding="md">
          <Stack gap="xs">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Per month (UTC)
            </Text>
            <TotalsTable totals={months} testId="payee-months" byMonth />
          </Stack>
        </Card>
      ) : null}
    </Stack>
  )
}
