/**
 * Keyboard shortcuts for the frequent actions, and "?" to list them. Never fired while typing in a
 * field (useHotkeys ignores inputs, text areas and selects; the "g" sequence checks the same).
 *   g then d/p/e/r/c/a/s — go to Dashboard, Payouts, Escrow, Reconciliation, Receipts, Audit, Settings
 *   /  — focus the view's search field       i — import a payout CSV (preparer)
 *   a  — open the approve dialog of the open batch, when you may approve it
 */
import { Group, Kbd, Modal, Stack, Table, Text } from '@mantine/core'
import { useHotkeys } from '@mantine/hooks'
import { useEffect, useRef, useState } from 'react'
import { hasRole, useSession } from '../session/store'
import { useNav, type ViewId } from './store'

/** How long after "g" the second key of a "g p" sequence is taken. */
const SEQUENCE_WINDOW_MS = 1500

const GO_KEYS: readonly (readonly [string, ViewId, string])[] = [
  ['d', 'dashboard', 'Dashboard'],
  ['p', 'payouts', 'Payouts'],
  ['e', 'escrow', 'Escrow'],
  ['r', 'reconciliation', 'Reconciliation'],
  ['c', 'receipts', 'Receipts'],
  ['a', 'audit', 'Audit'],
  ['s', 'settings', 'Settings'],
]

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
}

/** The open view's search field: one marked data-hotkey-search, else the first search box. */
function focusSearch(): void {
  const el = document.querySelector<HTMLInputElement>('[data-hotkey-search], main input[type="search"], main input[placeholder^="Search"]')
  el?.focus()
  el?.select()
}

export function Shortcuts() {
  const [help, setHelp] = useState(false)
  const go = useNav((s) => s.go)
  const requestImport = useNav((s) => s.requestImport)
  const canImport = useSession((s) => hasRole(s.operator, 'preparer'))
  const gAt = useRef(0)

  useHotkeys([
    ['shift+?', () => setHelp(true)],
    ['/', focusSearch],
    ['g', () => void (gAt.current = Date.now())],
    ['i', () => (canImport ? requestImport() : undefined)],
    ['a', () => document.querySelector<HTMLButtonElement>('[data-testid="batch-approve"]:not([disabled])')?.click()],
  ])

  // The second key of "g p": taken within SEQUENCE_WINDOW_MS of "g", never while typing.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'g' || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return
      if (Date.now() - gAt.current > SEQUENCE_WINDOW_MS) return
      gAt.current = 0
      const hit = GO_KEYS.find(([key]) => key === e.key.toLowerCase())
      if (!hit) return
      // Taken here (window, capture phase): the single-key shortcut of the same letter never sees it.
      e.preventDefault()
      e.stopPropagation()
      go(hit[1])
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [go])

  return (
    <Modal opened={help} onClose={() => setHelp(false)} title="Keyboard shortcuts" size="md" data-testid="shortcuts-help">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          They do nothing while you type in a field.
        </Text>
        <Table verticalSpacing={6} data-testid="shortcuts-table">
          <Table.Tbody>
            {GO_KEYS.map(([key, , label]) => (
              <Row key={key} keys={['g', key]} what={`Go to ${label}`} />
            ))}
            <Row keys={['/']} what="Search in this view" />
            <Row keys={['i']} what="Import a payout CSV (preparers)" />
            <Row keys={['a']} what="Approve the open batch, when you may (opens the review first)" />
            <Row keys={['?']} what="Show these shortcuts" />
          </Table.Tbody>
        </Table>
      </Stack>
    </Modal>
  )
}

function Row({ keys, what }: { keys: string[]; what: string }) {
  return (
    <Table.Tr>
      <Table.Td w={110}>
        <Group gap={4} wrap="nowrap">
          {keys.map((k, i) => (
            <Kbd key={i} size="sm">
              {k}
            </Kbd>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{what}</Text>
      </Table.Td>
    </Table.Tr>
  )
}
