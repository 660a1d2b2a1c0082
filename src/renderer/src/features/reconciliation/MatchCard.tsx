/**
 * One match as a person reviews it: what kind, by which rule and why (the engine's sentence, the
 * keys, how many days apart), the statement lines beside the ledger postings with their totals,
 * the difference and what happens to it, who made and who decided it — and what can be done:
 * Confirm or Reject a suggestion, Unmatch a confirmed one (never inside a closed period).
 */
import { Badge, Checkbox, Code, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core'
import { IconArrowBackUp, IconCheck, IconX } from '@tabler/icons-react'
import { useState } from 'react'
import type { ReconItem, ReconMatch } from '../../../../shared/reconMatchApi'
import { formatCount, formatTimestamp } from '../../lib/format'
import { Amount } from './Amount'
import { confirmMatches, rejectMatch, unmatch } from './matchActions'
import { GuardedButton, TextPrompt, useOperatorName } from './matchParts'
import { isZeroDecimal, MATCH_KIND_LABELS, MATCH_STATE_LABELS, money, periodLabel, signedMoney } from './matchWords'

/** Longest reason a reject or unmatch takes (the contract's). */
const REASON_CHARS_MAX = 500

export function dayDifferenceText(days: number): string {
  return days === 0 ? 'same day' : `${formatCount(days)} ${days === 1 ? 'day' : 'days'} apart`
}

export function MatchCard({
  match: m,
  canWork,
  notWorker,
  checked,
  onCheck,
  testId = 'recon-match',
}: {
  match: ReconMatch
  canWork: boolean
  notWorker: string
  /** Given: the card has a checkbox (bulk confirm). */
  checked?: boolean
  onCheck?: (checked: boolean) => void
  testId?: string
}) {
  const nameOf = useOperatorName()
  const [prompt, setPrompt] = useState<'reject' | 'unmatch' | null>(null)
  const [busy, setBusy] = useState(false)
  const varies = !isZeroDecimal(m.variance)
  const locked =
    m.period !== null ? `${periodLabel(m.period)} is closed: its matches are locked — correct it in the current period instead.` : null

  async function confirmOne() {
    setBusy(true)
    await confirmMatches([m.id])
    setBusy(false)
  }

  return (
    <Paper withBorder radius="md" p="sm" data-testid={testId} data-match-id={m.id} data-kind={m.kind} data-state={m.state}>
      <Group wrap="nowrap" align="flex-start" gap="sm">
        {onCheck ? (
          <Checkbox
            mt={2}
            checked={checked ?? false}
            onChange={(e) => onCheck(e.currentTarget.checked)}
            aria-label={`Select ${m.summary}`}
            disabled={!canWork}
            data-testid={`${testId}-check`}
          />
        ) : null}
        <Stack gap={6} style={{ flex: 1, minWidth: 0 }}>
          <Group gap={6} wrap="wrap">
            <Badge
              variant="light"
              color={m.kind === 'fee' ? 'grape' : m.kind === 'key' ? 'teal' : 'indigo'}
              radius="sm"
              size="sm"
              data-testid={`${testId}-kind`}
            >
              {MATCH_KIND_LABELS[m.kind]}
            </Badge>
            <Text size="sm" fw={600} data-testid={`${testId}-rule`}>
              {m.ruleName}
            </Text>
            <Text size="xs" c="dimmed" data-testid={`${testId}-days`}>
              {m.date} · {dayDifferenceText(m.dayDifference)}
            </Text>
            {m.state !== 'suggested' ? (
              <Badge variant="outline" radius="sm" size="sm" color={m.state === 'confirmed' ? 'teal' : 'gray'}>
                {MATCH_STATE_LABELS[m.state]}
                {m.period ? ` · ${m.period} closed` : ''}
              </Badge>
            ) : null}
          </Group>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid={`${testId}-summary`}>
            {m.summary}
          </Text>
          {m.keys.length > 0 ? (
            <Group gap={4} wrap="wrap" data-testid={`${testId}-keys`}>
              <Text size="xs" c="dimmed">
                {m.keys.length === 1 ? 'Key' : 'Keys'}:
              </Text>
              {m.keys.map((k) => (
                <Code key={k} fz="xs">
                  {k}
                </Code>
              ))}
            </Group>
          ) : null}
          <SimpleGrid type="container" cols={{ base: 1, '560px': 2 }} spacing="xs" verticalSpacing="xs">
            <ItemList
              title="Statement"
              items={m.statement}
              total={m.statementTotal}
              currency={m.currency}
              none="No statement line."
              testId={`${testId}-statement`}
            />
            <ItemList
              title="Ledger"
              items={m.ledger}
              total={m.ledgerTotal}
              currency={m.currency}
              none={m.kind === 'fee' ? 'Not in the ledger yet — confirming proposes it as a bank charge.' : 'No ledger posting.'}
              testId={`${testId}-ledger`}
            />
          </SimpleGrid>
          <Text size="xs" c="dimmed" data-testid={`${testId}-who`}>
            {m.kind === 'manual' ? `Matched by hand by ${nameOf(m.createdBy)}` : `Found by a run ${nameOf(m.createdBy)} started`} on{' '}
            {formatTimestamp(m.createdAt)}
            {m.decidedAt
              ? ` · ${MATCH_STATE_LABELS[m.state].toLowerCase()} by ${nameOf(m.decidedBy)} on ${formatTimestamp(m.decidedAt)}`
              : ''}
          </Text>
        </Stack>
        <Stack gap={4} align="flex-end" style={{ flex: '0 0 168px' }}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Difference
          </Text>
          <Text
            size="sm"
            ff="monospace"
            fw={600}
            c={varies ? 'orange' : 'dimmed'}
            style={{ whiteSpace: 'nowrap' }}
            data-testid={`${testId}-variance`}
          >
            {varies ? signedMoney(m.variance, m.currency) : 'none'}
          </Text>
          <Text size="xs" c="dimmed" ta="right">
            {!varies
              ? 'The two sides agree.'
              : m.adjustmentId
                ? 'Adjustment proposed — see Adjustments.'
                : m.state === 'suggested'
                  ? 'Confirming proposes it as an adjustment.'
                  : 'No adjustment.'}
          </Text>
          {m.state === 'suggested' ? (
            <Group gap={6} wrap="nowrap" mt={4}>
              <GuardedButton
                size="compact-sm"
                variant="light"
                color="red"
                leftSection={<IconX size={14} />}
                refusedBecause={canWork ? null : notWorker}
                onClick={() => setPrompt('reject')}
                testId={`${testId}-reject`}
              >
                Reject
              </GuardedButton>
              <GuardedButton
                size="compact-sm"
                leftSection={<IconCheck size={14} />}
                refusedBecause={canWork ? null : notWorker}
                loading={busy}
                onClick={() => void confirmOne()}
                testId={`${testId}-confirm`}
              >
                Confirm
              </GuardedButton>
            </Group>
          ) : m.state === 'confirmed' ? (
            <Stack gap={2} align="flex-end" mt={4}>
              <GuardedButton
                size="compact-sm"
                variant="default"
                leftSection={<IconArrowBackUp size={14} />}
                refusedBecause={locked ?? (canWork ? null : notWorker)}
                onClick={() => setPrompt('unmatch')}
                testId={`${testId}-unmatch`}
              >
                Unmatch
              </GuardedButton>
              {locked ? (
                <Text size="xs" c="dimmed" ta="right" data-testid={`${testId}-locked`}>
                  Locked: {m.period} is closed.
                </Text>
              ) : null}
            </Stack>
          ) : null}
        </Stack>
      </Group>
      <TextPrompt
        opened={prompt === 'reject'}
        title="Reject this suggestion"
        intro={
          <>
            Its items go back to the exceptions queue and later runs will not suggest <b>this</b> pairing again. Say why, for whoever looks
            at these items next.
          </>
        }
        label="Why is it wrong?"
        placeholder="That was a different supplier's invoice"
        submitLabel="Reject suggestion"
        submitColor="red"
        charsMax={REASON_CHARS_MAX}
        onSubmit={(reason) => rejectMatch(m.id, reason)}
        onClose={() => setPrompt(null)}
        testId="recon-reject-dialog"
      />
      <TextPrompt
        opened={prompt === 'unmatch'}
        title="Undo this match"
        intro={
          <>
            The {formatCount(m.statement.length + m.ledger.length)} items of this match become open again (
            {money(m.statementTotal, m.currency)} on the statement). A proposed adjustment of it is withdrawn; a posted one must be reversed
            in the ledger first.
          </>
        }
        label="Why undo it?"
        placeholder="Matched to the wrong payout"
        submitLabel="Unmatch"
        submitColor="red"
        charsMax={REASON_CHARS_MAX}
        onSubmit={(reason) => unmatch(m.id, reason)}
        onClose={() => setPrompt(null)}
        testId="recon-unmatch-dialog"
      />
    </Paper>
  )
}

/** One side of a match: each item (text, date · reference, amount) and, for several, their total. */
function ItemList({
  title,
  items,
  total,
  currency,
  none,
  testId,
}: {
  title: string
  items: ReconItem[]
  total: string
  currency: string
  none: string
  testId: string
}) {
  return (
    <Stack gap={2} data-testid={testId} style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {title}
      </Text>
      {items.length === 0 ? (
        <Text size="xs" c="dimmed">
          {none}
        </Text>
      ) : (
        items.map((i) => (
          <Group key={i.id} justify="space-between" wrap="nowrap" gap="xs" data-testid={`${testId}-item`}>
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text size="sm" truncate="end" title={i.text}>
                {i.text || '—'}
              </Text>
              <Text size="xs" c="dimmed" truncate="end" title={[i.date, i.reference, i.counterparty].filter(Boolean).join(' · ')}>
                {[i.date ?? 'no date', i.reference, i.counterparty].filter(Boolean).join(' · ')}
              </Text>
            </Stack>
            <Amount value={i.amount} currency={i.currency} testId={`${testId}-amount`} tone="out" />
          </Group>
        ))
      )}
      {items.length > 1 ? (
        <Group justify="space-between" wrap="nowrap" gap="xs" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }} pt={2}>
          <Text size="xs" c="dimmed">
            Total of {formatCount(items.length)}
          </Text>
          <Amount value={total} currency={currency} testId={`${testId}-total`} size="xs" />
        </Group>
      ) : null}
    </Stack>
  )
}
