/**
 * "Cancel transaction N", offered beside Resume signing once the device refused a transaction.
 * The refused one stays planned and holds its nonce, so nothing signed after it could ever be
 * mined; cancelling it (batches.cancelSubmission) gives the nonce to the later ones. A confirm
 * dialog says what follows before anything changes: its payouts will not be paid by it, the later
 * transactions close the gap, and the payouts can be retried once the batch has finished.
 */
import { Button, Group, List, Modal, Stack, Text } from '@mantine/core'
import { IconBan } from '@tabler/icons-react'
import { useState } from 'react'
import type { Submission } from '../../../../shared/payoutsApi'
import { formatCount } from '../../lib/format'
import { cancelSubmission } from './actions'

/** The transaction the device refused: the first planned one in signing order (rail, network, nonce). */
export function refusedSubmission(submissions: readonly Submission[]): Submission | null {
  const planned = submissions.filter((s) => s.state === 'planned')
  const key = (s: Submission) => `${s.rail}:${s.network}`
  const nonce = (s: Submission) => BigInt(s.nonce ?? '0')
  planned.sort((a, b) => key(a).localeCompare(key(b)) || (nonce(a) < nonce(b) ? -1 : nonce(a) > nonce(b) ? 1 : 0))
  return planned[0] ?? null
}

export function CancelRefusedTransaction({
  batchId,
  submission,
  later,
  disabled,
  title,
}: {
  batchId: string
  submission: Submission
  /** Planned transactions after it: they close the gap. */
  later: number
  disabled: boolean
  title: string | undefined
}) {
  const [open, setOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const n = submission.chunkIndex + 1
  const payouts = `${formatCount(submission.payoutCount)} ${submission.payoutCount === 1 ? 'payout' : 'payouts'}`

  async function confirm() {
    setBusy(true)
    const done = await cancelSubmission(batchId, submission.id)
    setBusy(false)
    if (done) setOpen(false)
  }

  return (
    <>
      <Button
        variant="default"
        color="red"
        leftSection={<IconBan size={16} />}
        onClick={() => setOpen(true)}
        disabled={disabled}
        title={title}
        data-testid="submission-cancel"
        data-submission-id={submission.id}
      >
        Cancel transaction {n}
      </Button>
      <Modal
        opened={open}
        onClose={() => setOpen(false)}
        title={`Cancel transaction ${n}?`}
        centered
        data-testid="submission-cancel-dialog"
      >
        <Stack gap="sm">
          <Text size="sm">The device refused transaction {n}; it was never signed. If you cancel it:</Text>
          <List size="sm" spacing={4}>
            <List.Item>
              Its {payouts} will not be paid by it — they are marked failed (cancelled). Once the batch has finished you can retry them as a
              new transaction, or leave them unpaid.
            </List.Item>
            <List.Item>
              {later > 0
                ? `The ${formatCount(later)} later ${later === 1 ? 'transaction takes' : 'transactions take'} over its nonce, so nothing waits behind a gap; Resume signing then signs ${later === 1 ? 'it' : 'them'}.`
                : 'No later transaction waits behind it.'}
            </List.Item>
          </List>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setOpen(false)} data-testid="submission-cancel-keep">
              Keep it
            </Button>
            <Button color="red" loading={busy} onClick={() => void confirm()} data-testid="submission-cancel-confirm">
              Cancel transaction {n}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}
