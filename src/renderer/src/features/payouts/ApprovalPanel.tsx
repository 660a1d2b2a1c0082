/**
 * The approval of one batch, with what an approver needs to decide: the policy applied to it (how
 * many approvers and why), today's daily limits with this batch on top, the warnings the batch
 * keeps (new payees, look-alike addresses…) — and a dialog that repeats the totals before the
 * decision is signed. Each sentence once: the caller's own ("you created this batch…") is shown
 * where the buttons are, not again in the policy's list.
 */
import { Button, Card, Checkbox, Group, Modal, Progress, SimpleGrid, Stack, Table, Text, Textarea, Title, Tooltip } from '@mantine/core'
import { IconAlertOctagon, IconAlertTriangle, IconCheck, IconShieldCheck, IconX } from '@tabler/icons-react'
import { useMemo, useState } from 'react'
import type { BatchWarningGroup } from '../../../../shared/batchWarningGroups'
import type { Asset } from '../../../../shared/ledgerApi'
import { APPROVAL_COMMENT_CHARS_MAX } from '../../../../shared/limits'
import { formatAmountGrouped } from '../../../../shared/money'
import type { BatchDetail, DailyLimitUsage } from '../../../../shared/payoutsApi'
import { DisplayAmount } from '../../components/DisplayAmount'
import {
  formatCount,
  formatDisplay,
  formatDisplayMinor,
  formatExact,
  middleEllipsis,
  networkLabel,
  networkName,
  toMinor,
} from '../../lib/format'
import { useSession } from '../session/store'
import { approveBatch, rejectBatch } from './actions'
import { ApprovalEntries } from './ApprovalEntries'
import { usePayouts } from './store'

export function ApprovalPanel({ detail, groups }: { detail: BatchDetail; groups: BatchWarningGroup[] }) {
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState<'reject' | null>(null)
  const [confirming, setConfirming] = useState(false)
  const b = detail.batch
  const s = detail.approvalStatus
  const deciding = b.state === 'awaiting_approval'
  // The limits are drawn below; the caller's sentences stand by the buttons.
  const own = new Set([...s.callerSentences, ...s.limitSentences])
  // The policy and the state, without the caller's own sentences (they stand beside the buttons).
  const policy = s.sentences.filter((sentence) => !own.has(sentence))
  const reason = s.canApprove ? null : s.callerSentences.join(' ') || null

  async function reject() {
    setBusy('reject')
    const ok = await rejectBatch(b.id, b.version, comment)
    setBusy(null)
    if (ok) setComment('')
  }

  const withReason = (btn: React.ReactElement) =>
    reason ? (
      <Tooltip label={reason} multiline w={320}>
        <span>{btn}</span>
      </Tooltip>
    ) : (
      btn
    )

  // A draft waits for its preparer, not for an approver: one line of what approval it will need
  // (the rest on demand), so the payouts table is in reach on a 1024×700 laptop.
  if (b.state === 'draft') return <DraftApprovalLine sentences={policy} limits={s.dailyLimits} required={s.required} />

  if (deciding) {
    return (
      <>
        <DecisionPanel
          detail={detail}
          groups={groups}
          policy={policy}
          comment={comment}
          onComment={setComment}
          reason={reason}
          busy={busy}
          onApprove={() => setConfirming(true)}
          onReject={() => void reject()}
          withReason={withReason}
        />
        {confirming ? (
          <ApproveDialog
            detail={detail}
            groups={groups}
            comment={comment}
            onClose={(approved) => {
              setConfirming(false)
              if (approved) setComment('')
            }}
          />
        ) : null}
      </>
    )
  }

  return (
    <Card withBorder padding="lg" data-testid="approval-panel">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>Approval</Title>
          <Text size="sm" c="dimmed" data-testid="approval-count">
            {formatCount(s.approvals)} of {formatCount(s.required)} {s.required === 1 ? 'approval' : 'approvals'}
          </Text>
        </Group>
        <Stack gap={4} data-testid="approval-sentences">
          {policy.map((sentence, i) => (
            <Text key={i} size="sm" data-testid="approval-sentence">
              {sentence}
            </Text>
          ))}
        </Stack>
        {s.dailyLimits.length > 0 ? <DailyLimits limits={s.dailyLimits} /> : null}
        {detail.approvals.length > 0 ? <ApprovalEntries approvals={detail.approvals} /> : null}
      </Stack>
    </Card>
  )
}

/** How many new payees the decision panel names before "and N more". */
const NEW_PAYEES_NAMED_MAX = 4

/**
 * The decision on a batch awaiting approval, compact enough that the approve button is on the
 * first screen of a 1024×700 laptop: the totals against today's limits, the policy in a line, the
 * stored warnings one line per kind, the new payees by name, then the comment and the buttons.
 * Row-by-row detail stays in the warnings block and the table below.
 */
function DecisionPanel({
  detail,
  groups,
  policy,
  comment,
  onComment,
  reason,
  busy,
  onApprove,
  onReject,
  withReason,
}: {
  detail: BatchDetail
  groups: BatchWarningGroup[]
  policy: string[]
  comment: string
  onComment: (text: string) => void
  reason: string | null
  busy: 'reject' | null
  onApprove: () => void
  onReject: () => void
  withReason: (btn: React.ReactElement) => React.ReactNode
}) {
  const b = detail.batch
  const s = detail.approvalStatus
  const assets = usePayouts((state) => state.assets)
  const newPayees = useMemo(() => newPayeesOf(detail, groups), [detail, groups])
  return (
    <Card withBorder padding="md" data-testid="approval-panel" data-compact="decision">
      <Stack gap="sm">
        <Group gap="xs" wrap="nowrap" align="baseline">
          <Title order={4} style={{ flexShrink: 0 }}>
            Approval
          </Title>
          <Text size="sm" c="dimmed" data-testid="approval-count" style={{ flexShrink: 0 }}>
            {formatCount(s.approvals)} of {formatCount(s.required)} {s.required === 1 ? 'approval' : 'approvals'}
          </Text>
        </Group>
        <Text size="xs" c="dimmed" data-testid="approval-sentences" mt={-6}>
          {policy.map((sentence, i) => (
            <span key={i} data-testid="approval-sentence">
              {i > 0 ? ' ' : ''}
              {sentence}
            </span>
          ))}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg" verticalSpacing="sm">
          <Stack gap={8} data-testid="approval-totals">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              This batch against today’s limits
            </Text>
            {detail.totalsByRail.map((t) => {
              const usage = s.dailyLimits.find((d) => d.assetId === t.assetId)
              return (
                <Stack key={t.assetId} gap={2} data-testid="approval-total">
                  <Group justify="space-between" gap="xs" wrap="nowrap">
                    <Text size="sm" title={networkLabel(t.rail, t.network)}>
                      {t.assetCode} on {networkName(t.rail, t.network)} · {formatCount(t.payouts)} {t.payouts === 1 ? 'payout' : 'payouts'}
                    </Text>
                    <DisplayAmount value={t.total} scale={t.scale} code={t.assetCode} fw={700} testId="approval-total-amount" />
                  </Group>
                  {usage ? (
                    <DailyLimitLine usage={usage} asset={assets.find((a) => a.id === usage.assetId)} compact />
                  ) : (
                    <Text size="xs" c="dimmed" data-testid="approval-no-limit">
                      No daily limit on {t.assetCode} on {networkName(t.rail, t.network)}.
                    </Text>
                  )}
                </Stack>
              )
            })}
          </Stack>
          <Stack gap={8}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              Flagged on this batch
            </Text>
            {groups.length > 0 ? (
              <Stack gap={2} data-testid="approval-warnings">
                {groups.map((g) => (
                  <Group key={g.code} gap={6} wrap="nowrap" align="flex-start">
                    {g.danger ? (
                      <IconAlertOctagon size={16} color="var(--mantine-color-red-7)" style={{ flexShrink: 0, marginTop: 2 }} />
                    ) : (
                      <IconAlertTriangle size={16} color="var(--mantine-color-yellow-8)" style={{ flexShrink: 0, marginTop: 2 }} />
                    )}
                    <Text size="sm" fw={g.danger ? 700 : 400} c={g.danger ? 'red.8' : undefined} data-testid="approval-warning">
                      {g.title}
                    </Text>
                  </Group>
                ))}
              </Stack>
            ) : (
              <Text size="sm" c="dimmed" data-testid="approval-no-warnings">
                Nothing: every payee was paid before, no look-alike or repeated payments.
              </Text>
            )}
            {newPayees.shown.length > 0 ? (
              <Text size="sm" data-testid="approval-new-payees">
                <Text span size="sm" fw={600}>
                  New {newPayees.total === 1 ? 'payee' : 'payees'}:
                </Text>{' '}
                {newPayees.shown.map((p, i) => (
                  <span key={p.recipient} title={p.recipient} data-testid="approval-new-payee">
                    {i > 0 ? ', ' : ''}
                    {p.name ?? ''}{' '}
                    <span style={{ fontFamily: 'var(--mantine-font-family-monospace)', fontSize: '0.9em' }}>
                      {middleEllipsis(p.recipient, 13)}
                    </span>
                  </span>
                ))}
                {newPayees.total > newPayees.shown.length ? ` and ${formatCount(newPayees.total - newPayees.shown.length)} more` : ''}
              </Text>
            ) : null}
          </Stack>
        </SimpleGrid>
        <Group gap="xs" align="flex-end" wrap="wrap">
          <Textarea
            aria-label="Comment"
            placeholder="Comment — why you approve or reject (the preparer reads it when you reject)"
            value={comment}
            maxLength={APPROVAL_COMMENT_CHARS_MAX}
            onChange={(e) => onComment(e.currentTarget.value)}
            disabled={!s.canApprove}
            autosize
            minRows={1}
            maxRows={4}
            style={{ flex: '1 1 260px' }}
            data-testid="approval-comment"
          />
          {withReason(
            <Button
              color="teal"
              leftSection={<IconCheck size={16} />}
              disabled={!s.canApprove}
              onClick={onApprove}
              data-testid="batch-approve"
            >
              Review and approve version {b.version}…
            </Button>,
          )}
          {withReason(
            <Button
              color="red"
              variant="light"
              leftSection={<IconX size={16} />}
              disabled={!s.canApprove}
              loading={busy === 'reject'}
              onClick={onReject}
              data-testid="batch-reject"
            >
              Reject
            </Button>,
          )}
        </Group>
        {reason ? (
          <Text size="sm" c="orange.8" fw={500} data-testid="approval-disabled-reason">
            {reason}
          </Text>
        ) : s.callerSentences.length > 0 ? (
          <Text size="sm" c="teal.8" fw={500} data-testid="approval-caller">
            {s.callerSentences.join(' ')}
          </Text>
        ) : null}
        {detail.approvals.length > 0 ? <ApprovalEntries approvals={detail.approvals} /> : null}
      </Stack>
    </Card>
  )
}

/** The payees of the "never paid before" rows, once each (by recipient), in row order. */
function newPayeesOf(
  detail: BatchDetail,
  groups: BatchWarningGroup[],
): { shown: { name: string | null; recipient: string }[]; total: number } {
  const ids = new Set(groups.find((g) => g.code === 'PAYEE_NEW')?.payoutIds ?? [])
  const seen = new Map<string, { name: string | null; recipient: string }>()
  for (const p of detail.payouts) {
    if (!ids.has(p.id) || seen.has(p.recipient)) continue
    seen.set(p.recipient, { name: p.name, recipient: p.recipient })
  }
  const all = [...seen.values()]
  return { shown: all.slice(0, NEW_PAYEES_NAMED_MAX), total: all.length }
}

/** Today's limits with this batch on top: a bar per limit, exact amounts beside it. */
function DailyLimits({ limits }: { limits: DailyLimitUsage[] }) {
  const assets = usePayouts((s) => s.assets)
  return (
    <Stack gap="xs" data-testid="approval-daily-limits">
      <Text size="sm" fw={600}>
        Daily limits (UTC day)
      </Text>
      {limits.map((d) => (
        <DailyLimitLine key={`${d.rail}-${d.assetId}`} usage={d} asset={assets.find((a) => a.id === d.assetId)} />
      ))}
    </Stack>
  )
}

/** Percent of `part` in `whole` for a bar (display only: the exact amounts are printed beside it). */
function percentOf(part: bigint, whole: bigint): number {
  if (whole <= 0n) return part > 0n ? 100 : 0
  const basisPoints = (part * 10_000n) / whole
  return Number(basisPoints > 10_000n ? 10_000n : basisPoints) / 100
}

/** One limit: the asset, this batch on top of today's other batches, a bar. `compact` drops the asset line (the caller names it). */
export function DailyLimitLine({ usage, asset, compact = false }: { usage: DailyLimitUsage; asset: Asset | undefined; compact?: boolean }) {
  const scale = asset?.scale ?? 0
  const code = asset?.code ?? usage.assetId
  // The one display form (trailing zeros trimmed, never rounded); exact on hover of the line.
  const fmt = (decimal: string) => (asset ? `${formatDisplay(decimal, scale, code)} ${code}` : `${decimal} ${code}`)
  const limit = toMinor(usage.limit, scale) ?? 0n
  const used = toMinor(usage.usedToday, scale) ?? 0n
  const mine = toMinor(usage.thisBatch, scale) ?? 0n
  const after = used + mine
  const usedPct = percentOf(used, limit)
  const minePct = Math.min(100 - usedPct, percentOf(mine, limit))
  const where = asset ? networkName(asset.rail, asset.network) : usage.rail
  return (
    <Stack gap={compact ? 2 : 4} data-testid="daily-limit" data-ok={usage.ok}>
      <Group justify="space-between" gap="xs">
        <Text size={compact ? 'xs' : 'sm'} c={compact ? 'dimmed' : undefined}>
          {compact ? 'Daily limit, with this batch' : `${code} on ${where}`}
        </Text>
        <Text
          size={compact ? 'xs' : 'sm'}
          ff="monospace"
          c={usage.ok ? undefined : 'red'}
          fw={usage.ok ? 400 : 700}
          title={asset ? `Exactly ${formatAmountGrouped(after, scale)} of ${formatExact(usage.limit, scale)} ${code}` : undefined}
          data-testid="daily-limit-after"
        >
          {asset ? formatDisplayMinor(after, scale, code) : '…'} of {fmt(usage.limit)}
          {usage.ok ? '' : ' — over the limit'}
        </Text>
      </Group>
      <Progress.Root size={compact ? 'sm' : 'md'}>
        <Progress.Section value={usedPct} color="gray" title={`Used today by other batches: ${fmt(usage.usedToday)}`} />
        <Progress.Section
          value={minePct}
          color={usage.ok ? 'teal' : 'red'}
          title={`This batch: ${fmt(usage.thisBatch)}`}
          striped={!usage.ok}
        />
      </Progress.Root>
      <Text size="xs" c="dimmed">
        Other batches today {fmt(usage.usedToday)}
        {compact ? '' : ` · this batch ${fmt(usage.thisBatch)}`}
        {usage.ok && limit >= after ? ` · left after it ${formatDisplayMinor(limit - after, scale, code)} ${code}` : ''}
      </Text>
    </Stack>
  )
}

/** The decision, once more with the totals: what is approved is what is paid. */
function ApproveDialog({
  detail,
  groups,
  comment,
  onClose,
}: {
  detail: BatchDetail
  groups: BatchWarningGroup[]
  comment: string
  onClose: (approved: boolean) => void
}) {
  const b = detail.batch
  const s = detail.approvalStatus
  const key = useSession((state) => state.operator?.approvalKey ?? null)
  const [busy, setBusy] = useState(false)
  const lookalikes = groups.some((g) => g.danger)
  const [checked, setChecked] = useState(false)
  const after = s.remaining - 1

  async function approve() {
    setBusy(true)
    const ok = await approveBatch(b.id, b.version, comment)
    setBusy(false)
    if (ok) onClose(true)
  }

  return (
    <Modal
      opened
      onClose={() => onClose(false)}
      title={<Text fw={700}>{`Approve version ${b.version} of “${b.name}”?`}</Text>}
      size="lg"
      data-testid="approve-dialog"
    >
      <Stack gap="md">
        <Table withTableBorder verticalSpacing={6} data-testid="approve-dialog-totals">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Asset</Table.Th>
              <Table.Th>Network</Table.Th>
              <Table.Th ta="right">Payouts</Table.Th>
              <Table.Th ta="right">Total</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {detail.totalsByRail.map((t) => (
              <Table.Tr key={t.assetId} data-testid="approve-dialog-total">
                <Table.Td>{t.assetCode}</Table.Td>
                <Table.Td title={networkLabel(t.rail, t.network)}>{networkName(t.rail, t.network)}</Table.Td>
                <Table.Td ta="right">{formatCount(t.payouts)}</Table.Td>
                <Table.Td ta="right" ff="monospace" fw={700} title={`Exactly ${formatExact(t.total, t.scale)} ${t.assetCode}`}>
                  {formatDisplay(t.total, t.scale, t.assetCode)} {t.assetCode}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>

        <Text size="sm" data-testid="approve-dialog-policy">
          {`Yours is approval ${formatCount(s.approvals + 1)} of the ${formatCount(s.required)} this batch needs`}
          {after > 0 ? ` — it then waits for ${after} more ${after === 1 ? 'approver' : 'approvers'}.` : ' — it is then ready to execute.'}
        </Text>

        {s.dailyLimits.length > 0 ? <DailyLimits limits={s.dailyLimits} /> : null}

        {groups.length > 0 ? (
          <Stack gap={4} data-testid="approve-dialog-warnings">
            <Text size="sm" fw={600}>
              Flagged on this batch
            </Text>
            {groups.map((g) => (
              <Text key={g.code} size="sm" c={g.danger ? 'red.8' : undefined} fw={g.danger ? 700 : 400}>
                • {g.title}
              </Text>
            ))}
          </Stack>
        ) : (
          <Text size="sm" c="dimmed" data-testid="approve-dialog-no-warnings">
            Nothing was flagged on this batch: every payee was paid before, no look-alike or repeated payments.
          </Text>
        )}

        {comment.trim() ? (
          <Text size="sm" data-testid="approve-dialog-comment">
            Your comment: “{comment.trim()}”
          </Text>
        ) : null}

        {lookalikes ? (
          <Checkbox
            color="red"
            checked={checked}
            onChange={(e) => setChecked(e.currentTarget.checked)}
            label="I checked the look-alike addresses against the payees' own records."
            data-testid="approve-dialog-ack"
          />
        ) : null}

        {key ? (
          <Group gap={6} wrap="nowrap">
            <IconShieldCheck size={16} opacity={0.7} />
            <Text size="xs" c="dimmed" data-testid="approval-signing-note">
              Your decision is signed with your approval key {key.fingerprint}
              {key.kind === 'ledger-evm' ? ' — confirm it on your Ledger when asked.' : '.'}
            </Text>
          </Group>
        ) : null}

        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={() => onClose(false)} data-testid="approve-dialog-cancel">
            Go back
          </Button>
          <Button
            color="teal"
            leftSection={<IconCheck size={16} />}
            loading={busy}
            disabled={lookalikes && !checked}
            onClick={() => void approve()}
            data-testid="approve-dialog-confirm"
          >
            Approve version {b.version}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}

/** The approval a draft will need, in one line; the policy's sentences and today's limits on demand. */
function DraftApprovalLine({ sentences, limits, required }: { sentences: string[]; limits: DailyLimitUsage[]; required: number }) {
  const [open, setOpen] = useState(false)
  // "It is a draft…" repeats the state badge and the Submit button beside it.
  const shown = sentences.filter((sentence) => !sentence.startsWith('It is a draft'))
  return (
    <Card withBorder padding="sm" data-testid="approval-panel" data-compact="true">
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <IconShieldCheck size={18} style={{ flexShrink: 0 }} />
            <Text size="sm" fw={600} style={{ flexShrink: 0 }}>
              Approval
            </Text>
            <Text size="sm" c="dimmed" truncate="end" title={shown.join(' ')} data-testid="approval-summary">
              {shown[0] ?? `Needs ${formatCount(required)} ${required === 1 ? 'approval' : 'approvals'} once submitted.`}
            </Text>
          </Group>
          {shown.length > 1 || limits.length > 0 ? (
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={() => setOpen((o) => !o)}
              aria-expanded={open}
              data-testid="approval-details-toggle"
            >
              {open ? 'Hide the policy' : 'The policy and today’s limits'}
            </Button>
          ) : null}
        </Group>
        {open ? (
          <Stack gap={4} data-testid="approval-sentences">
            {shown.map((sentence, i) => (
              <Text key={i} size="sm" data-testid="approval-sentence">
                {sentence}
              </Text>
            ))}
            {limits.length > 0 ? <DailyLimits limits={limits} /> : null}
          </Stack>
        ) : null}
      </Stack>
    </Card>
  )
}
