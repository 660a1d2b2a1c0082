/**
 * Small pieces the matching screens share: an item's state badge, a person's name for an
 * operator id, a refusal shown with its code's sentence, a pager that says which rows are shown,
 * a "why" prompt (reject, unmatch, a note) that keeps what was typed when the core refuses, and a
 * button whose reason for being disabled is both a tooltip and a line a person can read.
 */
import { Alert, Badge, Button, Group, List, Modal, Pagination, Stack, Text, Textarea, Tooltip, type ButtonProps } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import { errorCode, errorItems, errorMessage } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { useSession } from '../session/store'
import { ITEM_STATE_COLORS, ITEM_STATE_LABELS, type ItemState } from './matchWords'

export function ItemStateBadge({ state, testId = 'recon-item-state' }: { state: ItemState; testId?: string }) {
  return (
    <Badge color={ITEM_STATE_COLORS[state]} variant="light" size="sm" radius="sm" data-testid={testId} data-state={state}>
      {ITEM_STATE_LABELS[state]}
    </Badge>
  )
}

/** The name of an operator id ("system" and unknown ids as they are). */
export function useOperatorName(): (id: string | null) => string {
  const operators = useSession((s) => s.operators)
  return (id) => (id === null ? '—' : (operators.find((o) => o.id === id)?.name ?? id))
}

export interface Refusal {
  code: string | null
  message: string
  items: string[]
}

export function refusalOf(error: unknown): Refusal {
  return { code: errorCode(error), message: errorMessage(error), items: errorItems(error) }
}

/** A refusal in place: the core's sentence as the title, its listed details under it. */
export function RefusalAlert({ refusal, testId, children }: { refusal: Refusal; testId: string; children?: ReactNode }) {
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle />}
      title={refusal.message}
      data-testid={testId}
      data-code={refusal.code ?? undefined}
      styles={{ title: { whiteSpace: 'normal', overflowWrap: 'anywhere' } }}
    >
      {refusal.items.length > 0 ? (
        <List size="sm" spacing={2}>
          {refusal.items.map((p, i) => (
            <List.Item key={i} style={{ overflowWrap: 'anywhere' }}>
              {p}
            </List.Item>
          ))}
        </List>
      ) : null}
      {children}
    </Alert>
  )
}

/** "Rows 26–50 of 73" and the pages, or only the count when one page holds them all. */
export function Pager({
  page,
  size,
  total,
  onPage,
  noun,
  testId,
}: {
  page: number
  size: number
  total: number
  onPage: (page: number) => void
  noun: [string, string]
  testId: string
}) {
  const pages = Math.max(1, Math.ceil(total / size))
  const from = total === 0 ? 0 : (page - 1) * size + 1
  const to = Math.min(total, page * size)
  return (
    <Group justify="space-between" gap="xs" wrap="wrap" data-testid={testId}>
      <Text size="xs" c="dimmed" data-testid={`${testId}-text`}>
        {total === 0
          ? `0 ${noun[1]}`
          : pages === 1
            ? `${formatCount(total)} ${total === 1 ? noun[0] : noun[1]}`
            : `${formatCount(from)}–${formatCount(to)} of ${formatCount(total)} ${noun[1]}`}
      </Text>
      {pages > 1 ? <Pagination size="sm" total={pages} value={page} onChange={onPage} withEdges={pages > 5} /> : null}
    </Group>
  )
}

/**
 * A button that may be refused: disabled with `refusedBecause` as its tooltip (a disabled button
 * shows no tooltip of its own, so the wrapper carries it).
 */
export function GuardedButton({
  refusedBecause,
  children,
  onClick,
  testId,
  ...props
}: ButtonProps & { refusedBecause: string | null; onClick: () => void; testId: string; children: ReactNode }) {
  const button = (
    <Button {...props} disabled={refusedBecause !== null || props.disabled} onClick={onClick} data-testid={testId}>
      {children}
    </Button>
  )
  if (refusedBecause === null) return button
  return (
    <Tooltip label={refusedBecause} multiline w={260} withArrow>
      <span style={{ display: 'inline-block', cursor: 'not-allowed' }} data-testid={`${testId}-why`}>
        {button}
      </span>
    </Tooltip>
  )
}

/**
 * Asks for a sentence (why a suggestion is rejected, a note) and hands it to `onSubmit`; a refusal
 * stays in the dialog with what was typed, a success closes it.
 */
export function TextPrompt({
  opened,
  title,
  intro,
  label,
  placeholder,
  submitLabel,
  submitColor,
  charsMax,
  onSubmit,
  onClose,
  testId,
  children,
}: {
  opened: boolean
  title: string
  intro: ReactNode
  label: string
  placeholder?: string
  submitLabel: string
  submitColor?: string
  charsMax: number
  onSubmit: (text: string) => Promise<void>
  onClose: () => void
  testId: string
  children?: ReactNode
}) {
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [refusal, setRefusal] = useState<Refusal | null>(null)

  function close() {
    setText('')
    setRefusal(null)
    onClose()
  }

  async function submit() {
    if (!text.trim()) return
    setBusy(true)
    setRefusal(null)
    try {
      await onSubmit(text.trim())
      close()
    } catch (error) {
      setRefusal(refusalOf(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={title} size="lg" centered data-testid={testId}>
      <Stack gap="md">
        <Text size="sm" component="div">
          {intro}
        </Text>
        {children}
        <Textarea
          label={label}
          placeholder={placeholder}
          withAsterisk
          autosize
          minRows={2}
          maxRows={6}
          maxLength={charsMax}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          description={`Required — kept in the audit log. ${formatCount(text.length)} of ${formatCount(charsMax)} characters.`}
          data-autofocus
          data-testid={`${testId}-text`}
        />
        {refusal ? <RefusalAlert refusal={refusal} testId={`${testId}-error`} /> : null}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button color={submitColor} onClick={() => void submit()} disabled={!text.trim()} loading={busy} data-testid={`${testId}-submit`}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}

export { UpdatedAt } from '../../components/UpdatedAt'

/** What a list says when it has nothing: what this means and what to do next. */
export function EmptyNote({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <Text size="sm" c="dimmed" ta="center" py="lg" px="md" data-testid={testId}>
      {children}
    </Text>
  )
}
