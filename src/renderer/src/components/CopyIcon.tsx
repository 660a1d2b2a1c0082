/** The one copy button: an icon that copies `value` and says "Copied" for a moment. */
import { ActionIcon, CopyButton, Tooltip } from '@mantine/core'
import { IconCheck, IconCopy } from '@tabler/icons-react'

const COPIED_SHOWN_MS = 1_500

export function CopyIcon({ value, label, testId }: { value: string; label: string; testId?: string | undefined }) {
  return (
    <CopyButton value={value} timeout={COPIED_SHOWN_MS}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : `Copy the ${label}`} withArrow>
          <ActionIcon
            variant="subtle"
            color={copied ? 'teal' : 'gray'}
            size="sm"
            onClick={copy}
            aria-label={`Copy the ${label}`}
            data-testid={testId}
            style={{ flexShrink: 0 }}
          >
            {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  )
}
