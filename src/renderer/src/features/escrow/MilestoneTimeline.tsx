/**
 * The milestones of one escrow as a timeline: each with its title, amount, state, review window
 * (and a live countdown while it runs), what was released and refunded, the rail's handle, and
 * what the operator may do with it — ask for its release, dispute it, or resolve a dispute.
 */
import { Button, Card, Group, Stack, Text, ThemeIcon, Timeline, Title } from '@mantine/core'
import { IconAlertTriangle, IconScale, IconSend } from '@tabler/icons-react'
import { useState } from 'react'
import type { EscrowDetail, EscrowMilestone } from '../../../../shared/escrowApi'
import { formatDisplay, formatTimestamp, shortHash } from '../../lib/format'
import { hasRole, useSession } from '../session/store'
import { requestAction } from './actions'
import { Countdown } from './Countdown'
import { DisputeDialog } from './DisputeDialog'
import { openAmount } from './milestonePlan'
import { ResolveForm } from './ResolveForm'
import { MilestoneStateBadge } from './StateBadge'
import { isHeldMilestone, isOpenAction, MILESTONE_STATE_COLORS } from './states'

const NOT_PREPARER = 'You need the preparer role to ask for a release, a split or a refund.'
const NOT_DISPUTER = 'You need the preparer, approver or admin role to dispute a milestone.'
/** A rail handle longer than this shows its start; the whole of it is in the tooltip. */
const RAIL_REF_CHARS_SHOWN = 18

/** Milestones in order, each with its 1-based number (what action requests and escrow.dispute name). */
export function numbered(detail: EscrowDetail): { n: number; m: EscrowMilestone }[] {
  return [...detail.milestoneList].sort((a, b) => a.index - b.index).map((m, i) => ({ n: i + 1, m }))
}

export function MilestoneTimeline({ detail }: { detail: EscrowDetail }) {
  const [disputing, setDisputing] = useState<number | null>(null)
  const [resolving, setResolving] = useState<number | null>(null)
  const list = numbered(detail)
  const e = detail.escrow
  const disputed = list.find((x) => x.n === disputing)

  return (
    <Card withBorder padding="lg" data-testid="milestones">
      <Stack gap="md">
        <Title order={4}>Milestones</Title>
        <Timeline bulletSize={22} lineWidth={2} active={-1}>
          {list.map(({ n, m }) => (
            <Timeline.Item
              key={n}
              bullet={
                <ThemeIcon color={MILESTONE_STATE_COLORS[m.state]} variant="filled" radius="xl" size={22}>
                  <Text size="xs" fw={700} c="white">
                    {n}
                  </Text>
                </ThemeIcon>
              }
              lineVariant={isHeldMilestone(m.state) ? 'dashed' : 'solid'}
              data-testid="milestone"
              data-milestone={n}
              data-state={m.state}
            >
              <MilestoneItem detail={detail} n={n} m={m} onDispute={() => setDisputing(n)} onResolve={() => setResolving(n)} />
              {resolving === n ? (
                <ResolveForm
                  escrowId={e.id}
                  milestone={n}
                  held={openAmount(m.amount, m.released, m.refunded, e.scale)}
                  scale={e.scale}
                  code={e.assetCode}
                  onDone={() => setResolving(null)}
                />
              ) : null}
            </Timeline.Item>
          ))}
        </Timeline>
      </Stack>
      {disputed ? (
        <DisputeDialog escrowId={e.id} milestone={disputed.n} title={disputed.m.title} rail={e.rail} onClose={() => setDisputing(null)} />
      ) : null}
    </Card>
  )
}

function MilestoneItem({
  detail,
  n,
  m,
  onDispute,
  onResolve,
}: {
  detail: EscrowDetail
  n: number
  m: EscrowMilestone
  onDispute: () => void
  onResolve: () => void
}) {
  const e = detail.escrow
  const amount = (s: string) => `${formatDisplay(s, e.scale, e.assetCode)} ${e.assetCode}`
  const zero = (s: string) => /^0(\.0*)?$/.test(s)
  const pending = detail.actions.some((a) => a.milestone === n && isOpenAction(a.state))
  return (
    <Stack gap={4} pb="xs">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Group gap="sm" wrap="nowrap">
          <Text fw={600} data-testid="milestone-title">
            {m.title}
          </Text>
          <MilestoneStateBadge state={m.state} />
          {m.autoReleased ? (
            <Text size="xs" c="dimmed">
              released automatically
            </Text>
          ) : null}
        </Group>
        <Text ff="monospace" fw={600} data-testid="milestone-amount" style={{ whiteSpace: 'nowrap' }}>
          {amount(m.amount)}
        </Text>
      </Group>
      <Text size="sm" c="dimmed" data-testid="milestone-window">
        Review {formatTimestamp(m.reviewStartsAt)} → {formatTimestamp(m.reviewEndsAt)} ({m.reviewWindowHours} h)
        {isHeldMilestone(m.state) ? ' · ' : ''}
        {isHeldMilestone(m.state) ? <Countdown kind="review_ends" at={m.reviewEndsAt} testId="milestone-countdown" /> : null}
      </Text>
      {!zero(m.released) || !zero(m.refunded) || m.railRef ? (
        <Text size="sm" data-testid="milestone-parts">
          {[
            !zero(m.released) ? <span data-testid="milestone-released">Released to the payee {amount(m.released)}</span> : null,
            !zero(m.refunded) ? <span data-testid="milestone-refunded">Refunded to the payer {amount(m.refunded)}</span> : null,
            m.railRef ? (
              <Text span size="xs" c="dimmed" ff="monospace" title={m.railRef} data-testid="milestone-rail-ref">
                rail ref {shortHash(m.railRef, RAIL_REF_CHARS_SHOWN)}
              </Text>
            ) : null,
          ]
            .filter((part) => part !== null)
            .map((part, i) => (
              <span key={i}>
                {i > 0 ? ' · ' : ''}
                {part}
              </span>
            ))}
        </Text>
      ) : null}
      <MilestoneButtons detail={detail} n={n} m={m} pending={pending} onDispute={onDispute} onResolve={onResolve} />
    </Stack>
  )
}

function MilestoneButtons({
  detail,
  n,
  m,
  pending,
  onDispute,
  onResolve,
}: {
  detail: EscrowDetail
  n: number
  m: EscrowMilestone
  pending: boolean
  onDispute: () => void
  onResolve: () => void
}) {
  const operator = useSession((s) => s.operator)
  const [busy, setBusy] = useState(false)
  const preparer = hasRole(operator, 'preparer')
  const mayDispute = preparer || hasRole(operator, 'approver') || hasRole(operator, 'admin')
  const held = isHeldMilestone(m.state)
  if (!held && m.state !== 'disputed') return null
  if (pending)
    return (
      <Text size="xs" c="dimmed" data-testid="milestone-pending">
        A request for this milestone is open below.
      </Text>
    )
  return (
    <Group gap="xs" mt={4}>
      {held ? (
        <>
          <Button
            size="xs"
            leftSection={<IconSend size={14} />}
            disabled={!preparer}
            title={preparer ? undefined : NOT_PREPARER}
            loading={busy}
            onClick={async () => {
              setBusy(true)
              await requestAction({ id: detail.escrow.id, kind: 'release', milestone: n })
              setBusy(false)
            }}
            data-testid="milestone-request-release"
          >
            Request release
          </Button>
          <Button
            size="xs"
            variant="light"
            color="orange"
            leftSection={<IconAlertTriangle size={14} />}
            onClick={onDispute}
            disabled={!mayDispute}
            title={mayDispute ? undefined : NOT_DISPUTER}
            data-testid="milestone-dispute"
          >
            Dispute…
          </Button>
        </>
      ) : (
        <Button
          size="xs"
          variant="light"
          color="grape"
          leftSection={<IconScale size={14} />}
          disabled={!preparer}
          title={preparer ? undefined : NOT_PREPARER}
          onClick={onResolve}
          data-testid="milestone-resolve"
        >
          Resolve (split)…
        </Button>
      )}
    </Group>
  )
}
