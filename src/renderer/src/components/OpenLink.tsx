import { Text } from '@mantine/core'
import type { KeyboardEvent, ReactNode } from 'react'

/**
 * A name that opens its page (a batch, an escrow, a statement): link-coloured, reachable with Tab
 * and opened with Enter as well as a click, so a list can be worked through from the keyboard.
 */
export function OpenLink({ children, onOpen, title, testId }: { children: ReactNode; onOpen: () => void; title?: string; testId: string }) {
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' && e.key !== ' ') return
    e.preventDefault()
    onOpen()
  }
  return (
    <Text
      span
      size="sm"
      fw={600}
      c="indigo"
      role="link"
      tabIndex={0}
      style={{ cursor: 'pointer' }}
      onClick={onOpen}
      onKeyDown={onKeyDown}
      title={title}
      data-testid={testId}
    >
      {children}
    </Text>
  )
}
