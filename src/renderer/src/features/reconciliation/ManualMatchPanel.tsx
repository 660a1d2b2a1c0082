/**
 * Match by hand: the statement lines and ledger postings a person picked (in the side-by-side
 * panes, or from an exception), their totals and the difference as they are picked — exact, in
 * bigint — a note saying why they belong together, and, when the two sides differ, the ledger
 * account the difference is booked to (proposed as an adjustment a second person approves).
 */
import { Alert, Button, Card, CloseButton, Group, Select, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core'
import { IconArrowsJoin } from '@tabler/icons-react'
import { useMemo, useState } from 'react'
import type { ReconItem } from '../../../../shared/reconMatchApi'
import { formatCount } from '../../lib/format'
import { Amount } from './Amount'
import { matchByHand } from './matchActions'
import { GuardedButton, RefusalAlert, refusalOf, type Refusal } from './matchParts'
import { pickKey, useReconMatch } from './matchStore'
import { isZeroDecimal, scaleOf, signedMoney, subtractDecimals, sumDecimals } from './matchWords'
import { ledgerAccountsFor, useRecon } from './store'

/** The contract's limits of a hand match. */
const NOTE_CHARS_MAX = 500
const ITEMS_PER_SIDE_MAX = 50

export function ManualMatchPanel({ canWork, notWorker }: { canWork: boolean; notWorker: string }) {
  const picked = useReconMatch((s) => s.picked)
  const accountId = useReconMatch((s) => s.accountId)
  const togglePick = useReconMatch((s) => s.togglePick)
  const clearPicks = useReconMatch((s) => s.clearPicks)
  const { accounts, ledgerAccounts, assets } = useRecon()
  const account = accounts.find((a) => a.id === accountId)
  const [note, setNote] = useState('')
  const [adjustmentAccount, setAdjustmentAccount] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [refusal, setRefusal] = useState<Refusal | null>(null)

  const all = Object.values(picked)
  const statement = all.filter((i) => i.side === 'statement')
  const ledger = all.filter((i) => i.side === 'ledger')
  const currency = all[0]?.currency ?? account?.currency ?? ''
  const scale = all[0] ? scaleOf(all[0].amount) : 2
  const statementTotal = sumDecimals(
    statement.map((i) => i.amount),
    scale,
  )
  const ledgerTotal = sumDecimals(
    ledger.map((i) => i.amount),
    scale,
  )
  const difference = subtractDecimals(statementTotal, ledgerTotal, scale)
  const differs = !isZeroDecimal(difference)
  const options = useMemo(
    () =>
      account
        ? ledgerAccountsFor(account.currency, ledgerAccounts, assets)
            .filter((a) => a.id !== account.ledgerAccountId)
            .sort((a, b) => a.name.localeCompare(b.name))
        : [],
    [account, ledgerAccounts, assets],
  )
  if (all.length === 0) return null

  const tooMany = statement.length > ITEMS_PER_SIDE_MAX || ledger.length > ITEMS_PER_SIDE_MAX
  const refused = !canWork
    ? notWorker
    : statement.length === 0
      ? 'Pick at least one statement line.'
      : tooMany
        ? `At most ${ITEMS_PER_SIDE_MAX} items a side in one match.`
        : !note.trim()
          ? 'Write a note: why these belong together.'
          : differs && !adjustmentAccount
            ? 'The sides differ: choose the account to book the difference to.'
            : null

  async function submit() {
    setBusy(true)
    setRefusal(null)
    try {
      await matchByHand({
        statement: statement.map((i) => i.id),
        ledger: ledger.map((i) => i.id),
        note: note.trim(),
        ...(differs && adjustmentAccount ? { adjustmentAccount } : {}),
      })
      setNote('')
      setAdjustmentAccount(null)
    } catch (error) {
      setRefusal(refusalOf(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card withBorder padding="md" data-testid="recon-manual" style={{ borderColor: 'var(--mantine-color-yellow-5)' }}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Title order={5}>Match by hand</Title>
          <Button size="compact-xs" variant="subtle" onClick={clearPicks} data-testid="recon-manual-clear">
            Clear picks
          </Button>
        </Group>
        <SimpleGrid type="container" cols={{ base: 1, '640px': 3 }} spacing="sm">
          <Side
            title={`Statement lines · ${formatCount(statement.length)}`}
            items={statement}
            total={statementTotal}
            currency={currency}
            onRemove={togglePick}
            testId="recon-manual-statement"
          />
          <Side
            title={`Ledger postings · ${formatCount(ledger.length)}`}
            items={ledger}
            total={ledgerTotal}
            currency={currency}
            onRemove={togglePick}
            testId="recon-manual-ledger"
          />
          <Stack gap={2} align="flex-end">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Difference (statement − ledger)
            </Text>
            <Text size="lg" ff="monospace" fw={700} c={differs ? 'orange' : 'teal'} data-testid="recon-manual-difference">
              {signedMoney(difference, currency)}
            </Text>
            <Text size="xs" c="dimmed" ta="right">
              {differs ? 'Booked to the account below, as an adjustment a second person approves.' : 'The two sides agree.'}
            </Text>
          </Stack>
        </SimpleGrid>
        {differs ? (
          <Select
            label="Book the difference to"
            placeholder={options.length === 0 ? `No other ledger account holds ${currency}` : 'Choose a ledger account…'}
            data={options.map((a) => ({ value: a.id, label: `${a.name} — ${a.id}` }))}
            value={adjustmentAccount}
            onChange={setAdjustmentAccount}
            withAsterisk
            searchable
            description={
              options.length === 0
                ? `An admin opens an account in ${currency} for fees or differences first.`
                : `Ledger accounts in ${currency}.`
            }
            data-testid="recon-manual-account"
          />
        ) : null}
        <Textarea
          label="Note"
          withAsterisk
          autosize
          minRows={1}
          maxRows={4}
          maxLength={NOTE_CHARS_MAX}
          placeholder="Checked the invoice: these two payouts were paid as one transfer"
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          description="Why these belong together — kept with the match and in the audit log."
          data-testid="recon-manual-note"
        />
        {refusal ? <RefusalAlert refusal={refusal} testId="recon-manual-error" /> : null}
        {tooMany ? (
          <Alert color="orange" variant="light">
            At most {ITEMS_PER_SIDE_MAX} items on each side can be matched at once.
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <GuardedButton
            leftSection={<IconArrowsJoin size={16} />}
            refusedBecause={refused}
            loading={busy}
            onClick={() => void submit()}
            testId="recon-manual-submit"
          >
            Match {formatCount(all.length)} {all.length === 1 ? 'item' : 'items'}
          </GuardedButton>
        </Group>
      </Stack>
    </Card>
  )
}

function Side({
  title,
  items,
  total,
  currency,
  onRemove,
  testId,
}: {
  title: string
  items: ReconItem[]
  total: string
  currency: string
  onRemove: (item: ReconItem) => void
  testId: string
}) {
  return (
    <Stack gap={2} data-testid={testId} style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {title}
      </Text>
      {items.length === 0 ? (
        <Text size="xs" c="dimmed">
          None picked — tick a row in the pane above.
        </Text>
      ) : (
        items.map((i) => (
          <Group key={pickKey(i)} gap={4} wrap="nowrap" justify="space-between">
            <Text size="xs" truncate="end" title={i.text} style={{ minWidth: 0 }}>
              {i.date ?? '—'} · {i.text || i.id}
            </Text>
            <Group gap={2} wrap="nowrap">
              <Amount value={i.amount} currency={i.currency} testId={`${testId}-amount`} size="xs" tone="out" />
              <CloseButton size="xs" onClick={() => onRemove(i)} aria-label="Remove from the match" />
            </Group>
          </Group>
        ))
      )}
      <Group justify="space-between" wrap="nowrap" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }} pt={2}>
        <Text size="xs" fw={600}>
          Total
        </Text>
        <Amount value={total} currency={currency} testId={`${testId}-total`} size="sm" />
      </Group>
    </Stack>
  )
}
