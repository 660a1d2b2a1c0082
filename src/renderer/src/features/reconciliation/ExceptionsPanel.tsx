/**
 * The exceptions queue of a statement account: what no match could take — unmatched, ambiguous,
 * amount differs, duplicate — oldest first, each with how long it has waited, who has it, the
 * notes so far and the engine's reason. A person assigns it, adds notes, matches it by hand (it
 * is picked, and the side-by-side panes open to pick its counterpart), accepts it as it is (a
 * note says why) or books a statement line to a ledger account (an adjustment a second person
 * approves).
 */
import { Badge, Button, Checkbox, Group, Menu, Modal, Paper, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core'
import { IconArrowsJoin, IconCheck, IconChevronDown, IconNote, IconReceipt, IconUser } from '@tabler/icons-react'
import { useMemo, useState } from 'react'
import type { ReconException } from '../../../../shared/reconMatchApi'
import { formatCount, formatTimestamp } from '../../lib/format'
import { useSession } from '../session/store'
import { Amount } from './Amount'
import { addExceptionNote, assignException, resolveException } from './matchActions'
import {
  EmptyNote,
  GuardedButton,
  Pager,
  RefusalAlert,
  refusalOf,
  TextPrompt,
  UpdatedAt,
  useOperatorName,
  type Refusal,
} from './matchParts'
import { EXCEPTIONS_PAGE, pickKey, useReconMatch } from './matchStore'
import { ageText, REASON_HINTS, REASON_LABELS, SIDE_LABELS, type ReasonCode } from './matchWords'
import { ledgerAccountsFor, useRecon } from './store'

const REASON_COLORS: Record<ReasonCode, string> = { unmatched: 'gray', ambiguous: 'yellow', amount_differs: 'orange', duplicate: 'red' }
/** The contract's longest note. */
const NOTE_CHARS_MAX = 1000
const ANY = 'any'

export function ExceptionsPanel({ canWork, notWorker }: { canWork: boolean; notWorker: string }) {
  const {
    accountId,
    exceptions,
    exceptionsTotal,
    exceptionsPage,
    exceptionFilter: f,
    setExceptionFilter,
    setExceptionsPage,
    exceptionsSection,
  } = useReconMatch()
  const me = useSession((s) => s.operator)
  if (!accountId)
    return <EmptyNote testId="recon-exceptions-none">Choose a statement account above to work its exceptions queue.</EmptyNote>
  const filtered = f.reason !== null || f.side !== null || f.assignee !== null

  return (
    <Stack gap="md" data-testid="recon-exceptions">
      <Group justify="space-between" wrap="wrap" gap="sm" align="flex-end">
        <Group gap="sm" wrap="wrap" align="flex-end">
          <Select
            size="xs"
            label="Reason"
            value={f.reason ?? ANY}
            onChange={(v) => setExceptionFilter({ reason: !v || v === ANY ? null : (v as ReasonCode) })}
            data={[{ value: ANY, label: 'Every reason' }, ...Object.entries(REASON_LABELS).map(([value, label]) => ({ value, label }))]}
            allowDeselect={false}
            w={170}
            data-testid="recon-exceptions-reason"
          />
          <SegmentedControl
            size="xs"
            value={f.side ?? ANY}
            onChange={(v) => setExceptionFilter({ side: v === ANY ? null : (v as 'statement' | 'ledger') })}
            data={[
              { value: ANY, label: 'Both sides' },
              { value: 'statement', label: 'Statement' },
              { value: 'ledger', label: 'Ledger' },
            ]}
            data-testid="recon-exceptions-side"
          />
          <SegmentedControl
            size="xs"
            value={f.state}
            onChange={(v) => setExceptionFilter({ state: v as 'open' | 'resolved' })}
            data={[
              { value: 'open', label: 'Open' },
              { value: 'resolved', label: 'Resolved' },
            ]}
            data-testid="recon-exceptions-state"
          />
          <Checkbox
            size="xs"
            label="Assigned to me"
            checked={f.assignee !== null}
            onChange={(e) => setExceptionFilter({ assignee: e.currentTarget.checked && me ? me.name : null })}
            disabled={!me}
            mb={6}
            data-testid="recon-exceptions-mine"
          />
        </Group>
        <UpdatedAt at={exceptionsSection.loadedAt} testId="recon-exceptions-updated" />
      </Group>
      {f.reason ? (
        <Text size="xs" c="dimmed" data-testid="recon-exceptions-hint">
          {REASON_LABELS[f.reason]}: {REASON_HINTS[f.reason]}
        </Text>
      ) : null}
      {exceptionsSection.error ? (
        <RefusalAlert refusal={{ code: null, message: exceptionsSection.error, items: [] }} testId="recon-exceptions-error" />
      ) : null}
      {exceptions.length === 0 ? (
        <EmptyNote testId="recon-exceptions-empty">
          {f.state === 'resolved'
            ? 'No resolved exceptions' + (filtered ? ' fit these filters.' : ' yet.')
            : filtered
              ? 'No open exception fits these filters — choose Every reason and Both sides to see the whole queue.'
              : 'The queue is empty: every item is matched or settled. Import the next statement or run matching when new postings come in.'}
        </EmptyNote>
      ) : (
        <Stack gap="sm">
          {exceptions.map((e) => (
            <ExceptionCard key={e.id} exception={e} canWork={canWork} notWorker={notWorker} />
          ))}
        </Stack>
      )}
      <Pager
        page={exceptionsPage}
        size={EXCEPTIONS_PAGE}
        total={exceptionsTotal}
        onPage={setExceptionsPage}
        noun={[`${f.state} exception`, `${f.state} exceptions`]}
        testId="recon-exceptions-pager"
      />
    </Stack>
  )
}

function ExceptionCard({ exception: e, canWork, notWorker }: { exception: ReconException; canWork: boolean; notWorker: string }) {
  const me = useSession((s) => s.operator)
  const operators = useSession((s) => s.operators)
  const nameOf = useOperatorName()
  const picked = useReconMatch((s) => s.picked[pickKey(e.item)] !== undefined)
  const [prompt, setPrompt] = useState<'note' | 'accept' | 'book' | null>(null)
  const open = e.state === 'open'
  const refused = canWork ? null : notWorker
  const i = e.item

  function matchByHand() {
    const s = useReconMatch.getState()
    if (!picked) s.togglePick(i)
    s.setItemFilter({ state: 'all' })
    s.setTab('sideBySide')
  }

  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      data-testid="recon-exception"
      data-exception-id={e.id}
      data-reason={e.reason}
      data-side={e.side}
      data-state={e.state}
    >
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="flex-start" gap="sm">
          <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
            <Group gap={6} wrap="wrap">
              <Badge color={REASON_COLORS[e.reason]} variant="light" radius="sm" size="sm" data-testid="recon-exception-reason">
                {REASON_LABELS[e.reason]}
              </Badge>
              <Text size="sm" fw={600} data-testid="recon-exception-side">
                {SIDE_LABELS[e.side]}
              </Text>
              <Text size="xs" c={i.ageDays !== null && i.ageDays > 30 ? 'orange' : 'dimmed'} data-testid="recon-exception-age">
                {i.date ?? 'no date'} · waiting {ageText(i.ageDays)}
              </Text>
            </Group>
            <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="recon-exception-text">
              {i.text || '—'}
            </Text>
            <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              {[i.reference ? `Reference ${i.reference}` : null, i.counterparty].filter(Boolean).join(' · ') || 'No reference'}
            </Text>
          </Stack>
          <Stack gap={2} align="flex-end" style={{ flex: '0 0 auto' }}>
            <Amount value={i.amount} currency={i.currency} testId="recon-exception-amount" tone="out" />
            <Text size="xs" c={e.assignee ? undefined : 'dimmed'} data-testid="recon-exception-assignee">
              {e.assignee ? `Assigned to ${e.assignee}` : 'Unassigned'}
            </Text>
          </Stack>
        </Group>
        <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }} data-testid="recon-exception-detail">
          {e.detail}
        </Text>
        {e.related.length > 0 ? (
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            Candidates: {e.related.join(', ')}
          </Text>
        ) : null}
        {e.notes.length > 0 ? (
          <Stack
            gap={2}
            pl="sm"
            style={{ borderLeft: '2px solid var(--mantine-color-default-border)' }}
            data-testid="recon-exception-notes"
          >
            {e.notes.map((n, k) => (
              <Text key={k} size="xs" data-testid="recon-exception-note">
                <b>{nameOf(n.by)}</b>{' '}
                <Text span size="xs" c="dimmed">
                  {formatTimestamp(n.at)}
                </Text>{' '}
                {n.text}
              </Text>
            ))}
          </Stack>
        ) : null}
        {e.resolution ? (
          <Text size="sm" c="teal" style={{ overflowWrap: 'anywhere' }} data-testid="recon-exception-resolution">
            Resolved — {e.resolution}
          </Text>
        ) : null}
        {open ? (
          <Group gap={6} wrap="wrap" justify="space-between">
            <Group gap={6} wrap="wrap">
              {me && e.assignee !== me.name ? (
                <GuardedButton
                  size="compact-xs"
                  variant="default"
                  leftSection={<IconUser size={12} />}
                  refusedBecause={refused}
                  onClick={() => void assignException(e.id, me.name)}
                  testId="recon-exception-assign-me"
                >
                  Assign to me
                </GuardedButton>
              ) : null}
              <Menu position="bottom-start" withinPortal>
                <Menu.Target>
                  <Button
                    size="compact-xs"
                    variant="default"
                    rightSection={<IconChevronDown size={12} />}
                    disabled={!canWork}
                    title={canWork ? undefined : notWorker}
                    data-testid="recon-exception-assign"
                  >
                    Assign to…
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {operators
                    .filter((o) => o.status === 'active' && o.name !== e.assignee)
                    .map((o) => (
                      <Menu.Item key={o.id} onClick={() => void assignException(e.id, o.name)}>
                        {o.name}
                      </Menu.Item>
                    ))}
                  {e.assignee ? (
                    <Menu.Item color="red" onClick={() => void assignException(e.id, null)}>
                      Nobody (unassign)
                    </Menu.Item>
                  ) : null}
                </Menu.Dropdown>
              </Menu>
              <GuardedButton
                size="compact-xs"
                variant="default"
                leftSection={<IconNote size={12} />}
                refusedBecause={refused}
                onClick={() => setPrompt('note')}
                testId="recon-exception-note-add"
              >
                Add a note…
              </GuardedButton>
            </Group>
            <Group gap={6} wrap="wrap">
              <GuardedButton
                size="compact-xs"
                variant="light"
                leftSection={<IconArrowsJoin size={12} />}
                refusedBecause={refused}
                onClick={matchByHand}
                testId="recon-exception-match"
              >
                Match by hand
              </GuardedButton>
              <GuardedButton
                size="compact-xs"
                variant="light"
                leftSection={<IconCheck size={12} />}
                refusedBecause={refused}
                onClick={() => setPrompt('accept')}
                testId="recon-exception-accept"
              >
                Accept as it is…
              </GuardedButton>
              {e.side === 'statement' ? (
                <GuardedButton
                  size="compact-xs"
                  leftSection={<IconReceipt size={12} />}
                  refusedBecause={refused}
                  onClick={() => setPrompt('book')}
                  testId="recon-exception-book"
                >
                  Book to account…
                </GuardedButton>
              ) : null}
            </Group>
          </Group>
        ) : null}
      </Stack>
      <TextPrompt
        opened={prompt === 'note'}
        title="Add a note"
        intro={<>What you found out or asked — the next person working this exception reads it here.</>}
        label="Note"
        placeholder="Asked the bank for the remitter's name"
        submitLabel="Add note"
        charsMax={NOTE_CHARS_MAX}
        onSubmit={(note) => addExceptionNote(e.id, note)}
        onClose={() => setPrompt(null)}
        testId="recon-note-dialog"
      />
      {prompt === 'accept' || prompt === 'book' ? <ResolveDialog exception={e} action={prompt} onClose={() => setPrompt(null)} /> : null}
    </Paper>
  )
}

function ResolveDialog({ exception: e, action, onClose }: { exception: ReconException; action: 'accept' | 'book'; onClose: () => void }) {
  const { accounts, ledgerAccounts, assets } = useRecon()
  const account = accounts.find((a) => a.id === e.item.accountId)
  const options = useMemo(
    () =>
      ledgerAccountsFor(e.item.currency, ledgerAccounts, assets)
        .filter((a) => a.id !== account?.ledgerAccountId)
        .sort((a, b) => a.name.localeCompare(b.name)),
    [e.item.currency, ledgerAccounts, assets, account?.ledgerAccountId],
  )
  const [counter, setCounter] = useState<string | null>(null)
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [refusal, setRefusal] = useState<Refusal | null>(null)
  const ready = note.trim() !== '' && (action === 'accept' || counter !== null)

  async function submit() {
    setBusy(true)
    setRefusal(null)
    try {
      await resolveException({ id: e.id, action, note: note.trim(), ...(action === 'book' && counter ? { counterAccount: counter } : {}) })
      onClose()
    } catch (error) {
      setRefusal(refusalOf(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      opened
      onClose={onClose}
      title={action === 'book' ? 'Book this line to a ledger account' : 'Accept as it is'}
      size="lg"
      centered
      data-testid="recon-resolve-dialog"
    >
      <Stack gap="md">
        <Paper withBorder p="sm" radius="md">
          <Group justify="space-between" wrap="nowrap" gap="sm">
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text size="sm" fw={600} truncate="end">
                {e.item.text || e.item.id}
              </Text>
              <Text size="xs" c="dimmed">
                {SIDE_LABELS[e.side]} · {e.item.date ?? 'no date'} · {REASON_LABELS[e.reason]}
              </Text>
            </Stack>
            <Amount value={e.item.amount} currency={e.item.currency} testId="recon-resolve-amount" tone="out" />
          </Group>
        </Paper>
        <Text size="sm">
          {action === 'book'
            ? `The ledger has no posting for this line. Booking it posts ${e.item.amount.startsWith('-') ? 'the payment out' : 'the money in'} against the account you choose — proposed as an adjustment that a second person (an approver) must approve before it reaches the ledger.`
            : 'The item leaves the queue unchanged — for a timing difference that clears next month, or a posting the bank never shows. Say why: it is kept in the audit log.'}
        </Text>
        {action === 'book' ? (
          <Select
            label={`Ledger account in ${e.item.currency}`}
            placeholder={options.length === 0 ? `No other ledger account holds ${e.item.currency}` : 'Income, fees, suspense…'}
            data={options.map((a) => ({ value: a.id, label: `${a.name} — ${a.id}` }))}
            value={counter}
            onChange={setCounter}
            withAsterisk
            searchable
            description={
              options.length === 0
                ? `An admin opens the account (other income, fees, suspense) in ${e.item.currency} first.`
                : 'The account the other half of the entry goes to.'
            }
            data-testid="recon-resolve-account"
          />
        ) : null}
        <Textarea
          label="Note"
          withAsterisk
          autosize
          minRows={2}
          maxRows={6}
          maxLength={NOTE_CHARS_MAX}
          placeholder={action === 'book' ? 'Refund from a supplier, confirmed by email' : 'In transit: the bank shows it on 2 December'}
          value={note}
          onChange={(ev) => setNote(ev.currentTarget.value)}
          description={`Required. ${formatCount(note.length)} of ${formatCount(NOTE_CHARS_MAX)} characters.`}
          data-testid="recon-resolve-note"
        />
        {refusal ? <RefusalAlert refusal={refusal} testId="recon-resolve-error" /> : null}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void submit()} disabled={!ready} loading={busy} data-testid="recon-resolve-submit">
            {action === 'book' ? 'Propose the booking' : 'Accept as it is'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
