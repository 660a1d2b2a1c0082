/**
 * Adjustments reconciliation proposed — a bank charge, a difference inside a rule's tolerance, a
 * statement line booked from the exceptions queue — waiting for a second person: amount, the
 * account it is booked against, who proposed it and when. Approvers (and admins) approve (the
 * entry is posted to the ledger) or reject; never the person who proposed it.
 */
import { Group, SegmentedControl, Stack, Table, Text } from '@mantine/core'
import { IconCheck, IconX } from '@tabler/icons-react'
import { useState } from 'react'
import type { ReconAdjustment } from '../../../../shared/reconMatchApi'
import { formatCount, formatTimestamp, middleEllipsis } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { Amount } from './Amount'
import { decideAdjustment } from './matchActions'
import { EmptyNote, GuardedButton, Pager, RefusalAlert, UpdatedAt, useOperatorName } from './matchParts'
import { ADJUSTMENTS_PAGE, useReconMatch } from './matchStore'
import { useRecon } from './store'

export const NOT_CHECKER = 'Approving adjustments needs the approver or admin role — ask an approver.'
/** An entry id as the decision column shows it (the whole id in the tooltip). */
const ENTRY_ID_CHARS_SHOWN = 20
const OWN = 'You proposed this adjustment: a second person must approve or reject it.'

const STATE_WORDS: Record<ReconAdjustment['state'], string> = { proposed: 'Waiting', posted: 'Posted', rejected: 'Rejected' }

export function AdjustmentsPanel() {
  const {
    accountId,
    adjustments,
    adjustmentsTotal,
    adjustmentsPage,
    adjustmentState,
    proposedAdjustments,
    setAdjustmentState,
    setAdjustmentsPage,
    adjustmentsSection,
  } = useReconMatch()
  if (!accountId) return <EmptyNote testId="recon-adjustments-none">Choose a statement account above to see its adjustments.</EmptyNote>
  return (
    <Stack gap="md" data-testid="recon-adjustments">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <SegmentedControl
          size="xs"
          value={adjustmentState}
          onChange={(v) => setAdjustmentState(v as ReconAdjustment['state'])}
          data={[
            { value: 'proposed', label: `Waiting · ${formatCount(proposedAdjustments)}` },
            { value: 'posted', label: 'Posted' },
            { value: 'rejected', label: 'Rejected' },
          ]}
          data-testid="recon-adjustments-state"
        />
        <UpdatedAt at={adjustmentsSection.loadedAt} testId="recon-adjustments-updated" />
      </Group>
      <Text size="sm" c="dimmed">
        An adjustment reaches the ledger only when a second person approves it — never the person who proposed it.
      </Text>
      {adjustmentsSection.error ? (
        <RefusalAlert refusal={{ code: null, message: adjustmentsSection.error, items: [] }} testId="recon-adjustments-error" />
      ) : null}
      {adjustments.length === 0 ? (
        <EmptyNote testId="recon-adjustments-empty">
          {adjustmentState === 'proposed'
            ? 'Nothing waits for approval. Adjustments appear here when a match with a difference or a bank charge is confirmed, or a line is booked from the exceptions queue.'
            : adjustmentState === 'posted'
              ? 'No adjustment has been posted for this account yet.'
              : 'No adjustment has been rejected for this account.'}
        </EmptyNote>
      ) : (
        <AdjustmentsTable adjustments={adjustments} />
      )}
      <Pager
        page={adjustmentsPage}
        size={ADJUSTMENTS_PAGE}
        total={adjustmentsTotal}
        onPage={setAdjustmentsPage}
        noun={['adjustment', 'adjustments']}
        testId="recon-adjustments-pager"
      />
    </Stack>
  )
}

function AdjustmentsTable({ adjustments }: { adjustments: ReconAdjustment[] }) {
  const ledgerAccounts = useRecon((s) => s.ledgerAccounts)
  const nameOf = useOperatorName()
  const accountName = (id: string) =>
    ledgerAccounts.find((a) => a.id === id)?.name ?? (id.startsWith('bankfees:') ? 'Bank charges and differences (opened on approval)' : id)
  return (
    <Table layout="fixed" withTableBorder verticalSpacing={8} data-testid="recon-adjustments-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>What · booked against</Table.Th>
          <Table.Th w={140} ta="right">
            Amount
          </Table.Th>
          <Table.Th w={150}>Proposed by</Table.Th>
          <Table.Th w={222}>Decision</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {adjustments.map((a) => (
          <Table.Tr key={a.id} data-testid="recon-adjustment" data-adjustment-id={a.id} data-state={a.state}>
            <Table.Td>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="recon-adjustment-description">
                {a.description}
              </Text>
              <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }} data-testid="recon-adjustment-counter">
                {a.date} · against {accountName(a.counterAccountId)} ({a.counterAccountId})
              </Text>
            </Table.Td>
            <Table.Td ta="right">
              <Amount value={a.amount} currency={a.currency} testId="recon-adjustment-amount" tone="out" />
            </Table.Td>
            <Table.Td>
              <Text size="sm" data-testid="recon-adjustment-proposer">
                {nameOf(a.proposedBy)}
              </Text>
              <Text size="xs" c="dimmed">
                {formatTimestamp(a.proposedAt)}
              </Text>
            </Table.Td>
            <Table.Td>
              <Decision adjustment={a} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  )
}

function Decision({ adjustment: a }: { adjustment: ReconAdjustment }) {
  const me = useSession((s) => s.operator)
  const nameOf = useOperatorName()
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null)
  if (a.state !== 'proposed')
    return (
      <Stack gap={0} data-testid="recon-adjustment-decided">
        <Text size="sm" c={a.state === 'posted' ? 'teal' : 'red'}>
          {STATE_WORDS[a.state]} by {nameOf(a.decidedBy)}
        </Text>
        <Text size="xs" c="dimmed">
          {a.decidedAt ? formatTimestamp(a.decidedAt) : ''}
        </Text>
        {a.entryId ? (
          <Text size="xs" c="dimmed" ff="monospace" title={a.entryId} style={{ whiteSpace: 'nowrap' }} data-testid="recon-adjustment-entry">
            entry {middleEllipsis(a.entryId, ENTRY_ID_CHARS_SHOWN)}
          </Text>
        ) : null}
      </Stack>
    )
  const own = me !== null && a.proposedBy === me.id
  const canCheck = hasRole(me, 'approver') || hasRole(me, 'admin')
  const refused = own ? OWN : canCheck ? null : NOT_CHECKER
  async function decide(decision: 'approve' | 'reject') {
    setBusy(decision)
    await decideAdjustment(a.id, decision)
    setBusy(null)
  }
  return (
    <Stack gap={4}>
      <Group gap={6} wrap="nowrap">
        <GuardedButton
          size="compact-sm"
          leftSection={<IconCheck size={14} />}
          refusedBecause={refused}
          loading={busy === 'approve'}
          onClick={() => void decide('approve')}
          testId="recon-adjustment-approve"
        >
          Approve
        </GuardedButton>
        <GuardedButton
          size="compact-sm"
          variant="light"
          color="red"
          leftSection={<IconX size={14} />}
          refusedBecause={refused}
          loading={busy === 'reject'}
          onClick={() => void decide('reject')}
          testId="recon-adjustment-reject"
        >
          Reject
        </GuardedButton>
      </Group>
      {refused ? (
        <Text size="xs" c="dimmed" data-testid="recon-adjustment-why">
          {own ? 'You proposed it — a second person approves.' : 'Needs an approver.'}
        </Text>
      ) : null}
    </Stack>
  )
}
