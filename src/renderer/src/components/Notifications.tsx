import { List, Notification, Portal, Stack } from '@mantine/core'
import { IconCheck, IconInfoCircle, IconX } from '@tabler/icons-react'
import { useNotify } from '../features/notify/store'

const COLORS = { error: 'red', success: 'teal', info: 'indigo' } as const
/** Lines of an error's details shown in a notice; the rest are counted. */
const NOTICE_ITEMS_MAX = 8

export function Notifications() {
  const notices = useNotify((s) => s.notices)
  const dismiss = useNotify((s) => s.dismiss)
  if (notices.length === 0) return null
  return (
    <Portal>
      <Stack gap="xs" pos="fixed" bottom={16} right={16} w={420} maw="calc(100vw - 32px)" style={{ zIndex: 1000 }} aria-live="polite">
        {notices.map((n) => (
          <Notification
            key={n.id}
            color={COLORS[n.kind]}
            title={n.title}
            icon={n.kind === 'error' ? <IconX size={18} /> : n.kind === 'success' ? <IconCheck size={18} /> : <IconInfoCircle size={18} />}
            onClose={() => dismiss(n.id)}
            withBorder
            data-testid={`notification-${n.kind}`}
            role={n.kind === 'error' ? 'alert' : 'status'}
          >
            {n.message}
            {n.code ? <span style={{ opacity: 0.6 }}> ({n.code})</span> : null}
            {n.items && n.items.length > 0 ? (
              <List size="xs" mt={4} spacing={2} data-testid="notification-items">
                {n.items.slice(0, NOTICE_ITEMS_MAX).map((item, i) => (
                  <List.Item key={i} data-testid="notification-item">
                    {item}
                  </List.Item>
                ))}
                {n.items.length > NOTICE_ITEMS_MAX ? <List.Item>and {n.items.length - NOTICE_ITEMS_MAX} more</List.Item> : null}
              </List>
            ) : null}
          </Notification>
        ))}
      </Stack>
    </Portal>
  )
}
