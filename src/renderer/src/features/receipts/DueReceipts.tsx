/**
 * Above the receipts: the payments that are due a receipt but wait, each with why — an EVM payout
 * until its block is past the reorg window (a receipt attests a final payment, and a receipt is
 * never changed), or while its chain's head cannot be read. The sentences are the core's
 * (receipts.due, shared/receiptWaits.ts), the same the CLI prints. Shows nothing while nothing
 * waits; reads again when receipts are issued, a batch changes, on Refresh, and every few seconds
 * while something waits (the chain moves on without an event).
 */
import { Alert, List, Text } from '@mantine/core'
import { IconHourglass } from '@tabler/icons-react'
import { useEffect } from 'react'
import { create } from 'zustand'
import type { CallOutput } from '../../../../shared/api'
import { invoke, onEvent } from '../../lib/api'
import { formatCount } from '../../lib/format'

/** Waiting payments listed by name (the rest are counted). */
const LISTED_MAX = 5
/** How often the list is read again while something waits. */
const WAITING_REFRESH_MS = 10_000

type Due = CallOutput<'receipts.due'>

interface DueState {
  due: Due | null
  load(): Promise<void>
}

export const useDueReceipts = create<DueState>((set) => ({
  due: null,
  async load() {
    try {
      set({ due: await invoke('receipts.due', { limit: LISTED_MAX }) })
    } catch {
      set({ due: null }) // the list of receipts says what is wrong; this notice just stays away
    }
  },
}))

export function DueReceipts() {
  const due = useDueReceipts((s) => s.due)
  useEffect(() => {
    void useDueReceipts.getState().load()
    const offs = [
      onEvent('receipts.changed', () => void useDueReceipts.getState().load()),
      onEvent('batches.changed', () => void useDueReceipts.getState().load()),
    ]
    return () => offs.forEach((off) => off())
  }, [])
  const waiting = due?.waiting ?? 0
  useEffect(() => {
    if (waiting === 0) return
    const timer = setInterval(() => void useDueReceipts.getState().load(), WAITING_REFRESH_MS)
    return () => clearInterval(timer)
  }, [waiting])

  if (due === null || waiting === 0) return null
  const items = due.items.filter((d) => d.waitingFor !== null)
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconHourglass />}
      title={`${formatCount(waiting)} ${waiting === 1 ? 'payment waits for finality before its receipt' : 'payments wait for finality before their receipts'}`}
      data-testid="receipts-waiting"
    >
      <Text size="sm" mb="xs">
        A receipt attests a final payment and is never changed afterwards, so it is issued only once the payment can no longer be undone by
        the network.
      </Text>
      <List size="sm" spacing={4}>
        {items.map((d) => (
          <List.Item key={d.subjectKey} data-testid="receipts-waiting-item">
            <Text span size="sm" fw={600}>
              {d.title}
            </Text>
            {' — '}
            {d.reason}
          </List.Item>
        ))}
      </List>
      {waiting > items.length && (
        <Text size="sm" c="dimmed" mt="xs">
          …and {formatCount(waiting - items.length)} more.
        </Text>
      )}
    </Alert>
  )
}
