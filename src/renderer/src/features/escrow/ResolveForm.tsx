/**
 * Resolve a disputed milestone: what goes to the payee and what goes back to the payer. The two
 * parts must add up to what the milestone still holds, exactly (bigint, at the asset's scale):
 * the form says live whether they do, by how much they miss, and will not submit otherwise.
 */
import { Button, Card, Group, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core'
import { IconCheck, IconX } from '@tabler/icons-react'
import { useState } from 'react'
import { APPROVAL_COMMENT_CHARS_MAX } from '../../../../shared/limits'
import { requestAction } from './actions'
import { checkSplit } from './milestonePlan'

export function ResolveForm({
  escrowId,
  milestone,
  held,
  scale,
  code,
  onDone,
}: {
  escrowId: string
  milestone: number
  /** What the milestone still holds, exact decimal. */
  held: string
  scale: number
  code: string
  onDone: () => void
}) {
  const [toPayee, setToPayee] = useState('')
  const [toPayer, setToPayer] = useState('')
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const split = checkSplit(toPayee, toPayer, held, scale, code)

  async function submit() {
    if (!split.ok) return
    setBusy(true)
    const done = await requestAction({
      id: escrowId,
      kind: 'resolve',
      milestone,
      toPayee: toPayee.trim() || '0',
      toPayer: toPayer.trim() || '0',
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    })
    setBusy(false)
    if (done) onDone()
  }

  return (
    <Card withBorder padding="md" data-testid="resolve-form">
      <Stack gap="sm">
        <Title order={5}>Resolve milestone {milestone}: split what it holds</Title>
        <SimpleGrid cols={2} spacing="md">
          <TextInput
            label={`To the payee (${code})`}
            placeholder="0.00"
            ff="monospace"
            value={toPayee}
            onChange={(e) => setToPayee(e.currentTarget.value)}
            data-testid="resolve-to-payee"
          />
          <TextInput
            label={`Back to the payer (${code})`}
            placeholder="0.00"
            ff="monospace"
            value={toPayer}
            onChange={(e) => setToPayer(e.currentTarget.value)}
            data-testid="resolve-to-payer"
          />
        </SimpleGrid>
        <Group gap={6} data-testid="resolve-check" data-ok={split.ok || undefined}>
          {split.ok ? <IconCheck size={16} color="var(--mantine-color-teal-7)" /> : <IconX size={16} color="var(--mantine-color-red-7)" />}
          <Text
            size="sm"
            c={split.ok ? 'teal.8' : 'red.8'}
            fw={500}
            title={
              split.exact.sum === null
                ? undefined
                : `Exactly ${split.exact.sum} of ${split.exact.target} ${code}` +
                  (split.ok ? '' : ` — ${split.exact.difference} ${code} ${split.over ? 'too much' : 'short'}`)
            }
            data-testid="resolve-check-text"
          >
            {split.sum === null
              ? `A part is not an amount with at most ${scale} decimals.`
              : split.ok
                ? `${split.sum} ${code} — exactly what milestone ${milestone} holds.`
                : `${split.sum} of ${split.target} ${code}: ${split.difference} ${code} ${split.over ? 'too much' : 'short'}.`}
          </Text>
        </Group>
        <Textarea
          label="Why this split"
          placeholder="Agreed with both parties on the call of 3 March."
          value={reason}
          maxLength={APPROVAL_COMMENT_CHARS_MAX}
          onChange={(e) => setReason(e.currentTarget.value)}
          autosize
          minRows={2}
          data-testid="resolve-reason"
        />
        <Group gap="xs">
          <Button onClick={() => void submit()} disabled={!split.ok} loading={busy} data-testid="resolve-submit">
            Ask for this split
          </Button>
          <Button variant="default" onClick={onDone} data-testid="resolve-cancel">
            Cancel
          </Button>
        </Group>
      </Stack>
    </Card>
  )
}
