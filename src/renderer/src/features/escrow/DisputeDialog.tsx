/**
 * Dispute a milestone: a reason is required, and the dialog says what follows before anything
 * changes — the automatic release stops at once, and the money moves only by a resolve (a split
 * approved like a batch). On chain the lock is a transaction signed on the device.
 */
import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core'
import { useState } from 'react'
import { APPROVAL_COMMENT_CHARS_MAX } from '../../../../shared/limits'
import { disputeMilestone } from './actions'

export function DisputeDialog({
  escrowId,
  milestone,
  title,
  rail,
  onClose,
}: {
  escrowId: string
  milestone: number
  title: string
  rail: string
  onClose: () => void
}) {
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const empty = reason.trim() === ''

  async function confirm() {
    setBusy(true)
    const done = await disputeMilestone(escrowId, milestone, reason)
    setBusy(false)
    if (done) onClose()
  }

  return (
    <Modal opened onClose={onClose} title={`Dispute milestone ${milestone}?`} centered size="lg" data-testid="dispute-dialog">
      <Stack gap="sm">
        <Text size="sm">
          <b>{title}</b> will not be released — automatically or otherwise — until the dispute is resolved with a split between the payee
          and the payer, which is approved like a batch.
          {rail === 'evm' ? ' On chain, the lock is a transaction a signer executes on the device.' : ''}
        </Text>
        <Textarea
          label="Reason"
          required
          description="Required. Kept in the escrow's history and shown to the approvers of the resolution."
          placeholder="The delivered design does not match the agreed scope."
          value={reason}
          maxLength={APPROVAL_COMMENT_CHARS_MAX}
          onChange={(e) => setReason(e.currentTarget.value)}
          autosize
          minRows={3}
          data-testid="dispute-reason"
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose} data-testid="dispute-keep">
            Keep it as it is
          </Button>
          <Button color="orange" loading={busy} disabled={empty} onClick={() => void confirm()} data-testid="dispute-confirm">
            Dispute milestone {milestone}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
