import { Badge } from '@mantine/core'
import type { EscrowActionState, EscrowMilestoneState, EscrowState } from '../../../../shared/escrowApi'
import {
  ACTION_STATE_COLORS,
  ACTION_STATE_LABELS,
  ESCROW_STATE_COLORS,
  ESCROW_STATE_LABELS,
  MILESTONE_STATE_COLORS,
  MILESTONE_STATE_LABELS,
} from './states'

type Size = 'sm' | 'md' | 'lg'

export function EscrowStateBadge({ state, size = 'sm', testId }: { state: EscrowState; size?: Size; testId?: string }) {
  return (
    <Badge color={ESCROW_STATE_COLORS[state]} variant="light" size={size} radius="sm" data-testid={testId} data-state={state}>
      {ESCROW_STATE_LABELS[state]}
    </Badge>
  )
}

export function MilestoneStateBadge({ state }: { state: EscrowMilestoneState }) {
  return (
    <Badge color={MILESTONE_STATE_COLORS[state]} variant="light" size="sm" radius="sm" data-testid="milestone-state" data-state={state}>
      {MILESTONE_STATE_LABELS[state]}
    </Badge>
  )
}

export function ActionStateBadge({ state }: { state: EscrowActionState }) {
  return (
    <Badge
      color={ACTION_STATE_COLORS[state]}
      variant="light"
      size="sm"
      radius="sm"
      style={{ flexShrink: 0 }}
      data-testid="action-state"
      data-state={state}
    >
      {ACTION_STATE_LABELS[state]}
    </Badge>
  )
}
