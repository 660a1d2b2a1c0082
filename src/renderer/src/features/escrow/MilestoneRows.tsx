/**
 * The milestones of a new escrow, one row each: title, amount, review window (hours) and when the
 * review ends — by default the previous milestone's end plus this one's window, until typed — and
 * the exact total underneath.
 */
import { ActionIcon, Button, Group, Table, Text, TextInput } from '@mantine/core'
import { IconPlus, IconTrash } from '@tabler/icons-react'
import { ESCROW_MILESTONES_MAX, ESCROW_NAME_CHARS_MAX } from '../../../../shared/limits'
import type { Asset } from '../../../../shared/ledgerApi'
import { parseAmount } from '../../../../shared/money'
import { errorMessage } from '../../lib/api'
import { formatCount, formatDisplayMinor } from '../../lib/format'
import { hoursOf, milestonesTotal, type MilestoneDraft } from './milestonePlan'

/** A new row's review window, in hours: a week. */
export const REVIEW_WINDOW_HOURS_DEFAULT = 168

export function emptyMilestone(): MilestoneDraft {
  return { title: '', amount: '', reviewWindowHours: String(REVIEW_WINDOW_HOURS_DEFAULT), reviewEndsAt: '', endsAtEdited: false }
}

/** The row's amount problem in the asset's own sentence (AMOUNT_PRECISION…), or null. */
export function amountProblem(amount: string, asset: Asset | null): string | null {
  if (!asset || amount.trim() === '') return null
  try {
    parseAmount(amount.trim(), asset.scale, { assetLabel: asset.code })
    return null
  } catch (error) {
    return errorMessage(error)
  }
}

export function MilestoneRows({
  rows,
  asset,
  onChange,
}: {
  rows: MilestoneDraft[]
  asset: Asset | null
  onChange: (rows: MilestoneDraft[]) => void
}) {
  const edit = (i: number, patch: Partial<MilestoneDraft>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  const total = asset ? milestonesTotal(rows, asset.scale) : null

  return (
    <>
      <Table withTableBorder verticalSpacing={6} data-testid="milestone-rows">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>#</Table.Th>
            <Table.Th>Title</Table.Th>
            <Table.Th w={210}>Amount{asset ? ` (${asset.code})` : ''}</Table.Th>
            <Table.Th w={120}>Review window (h)</Table.Th>
            <Table.Th w={230}>Review ends at</Table.Th>
            <Table.Th w={44} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={i} data-testid="milestone-row" style={{ verticalAlign: 'top' }}>
              <Table.Td pt={14}>{i + 1}</Table.Td>
              <Table.Td>
                <TextInput
                  aria-label={`Milestone ${i + 1} title`}
                  placeholder="Design delivered"
                  value={r.title}
                  maxLength={ESCROW_NAME_CHARS_MAX}
                  onChange={(e) => edit(i, { title: e.currentTarget.value })}
                  data-testid="milestone-title"
                />
              </Table.Td>
              <Table.Td>
                <TextInput
                  aria-label={`Milestone ${i + 1} amount`}
                  placeholder="1000.00"
                  value={r.amount}
                  ff="monospace"
                  onChange={(e) => edit(i, { amount: e.currentTarget.value })}
                  error={amountProblem(r.amount, asset)}
                  data-testid="milestone-amount"
                />
              </Table.Td>
              <Table.Td>
                <TextInput
                  aria-label={`Milestone ${i + 1} review window in hours`}
                  value={r.reviewWindowHours}
                  inputMode="numeric"
                  onChange={(e) => edit(i, { reviewWindowHours: e.currentTarget.value })}
                  error={r.reviewWindowHours.trim() !== '' && hoursOf(r.reviewWindowHours) === null ? 'Whole hours' : null}
                  data-testid="milestone-window"
                />
              </Table.Td>
              <Table.Td>
                <TextInput
                  type="datetime-local"
                  aria-label={`Milestone ${i + 1} review ends at`}
                  value={r.reviewEndsAt}
                  onChange={(e) => edit(i, { reviewEndsAt: e.currentTarget.value, endsAtEdited: true })}
                  description={r.endsAtEdited ? 'as typed' : 'previous end + window'}
                  inputWrapperOrder={['input', 'description', 'error']}
                  data-testid="milestone-ends"
                />
              </Table.Td>
              <Table.Td>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  mt={6}
                  disabled={rows.length === 1}
                  onClick={() => onChange(rows.filter((_, j) => j !== i))}
                  aria-label={`Remove milestone ${i + 1}`}
                  data-testid="milestone-remove"
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group justify="space-between">
        <Button
          variant="default"
          size="xs"
          leftSection={<IconPlus size={14} />}
          onClick={() => onChange([...rows, emptyMilestone()])}
          disabled={rows.length >= ESCROW_MILESTONES_MAX}
          data-testid="milestone-add"
        >
          Add milestone
        </Button>
        <Text size="sm" data-testid="escrow-create-total">
          Total of {formatCount(rows.length)} {rows.length === 1 ? 'milestone' : 'milestones'}:{' '}
          <Text span ff="monospace" fw={700}>
            {total !== null && asset ? `${formatDisplayMinor(total, asset.scale, asset.code)} ${asset.code}` : '—'}
          </Text>
        </Text>
      </Group>
    </>
  )
}
