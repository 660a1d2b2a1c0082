/**
 * Where a file is dropped or picked (a statement to import, a receipt to verify): a dashed area
 * that lights up while a file is dragged over it, with a hidden file input behind its button.
 * One file at a time.
 */
import { Button, Group, Paper, Stack, Text } from '@mantine/core'
import { IconFileUpload } from '@tabler/icons-react'
import { useRef, useState, type DragEvent, type ReactNode } from 'react'

export function FileDropZone({
  accept,
  fileWord,
  onFile,
  onRefused,
  testId,
  title,
  hint,
  disabled,
  disabledReason,
  compact,
  busy,
}: {
  /** What the file picker offers first (any file may still be chosen: the core recognises the format). */
  accept: string
  /** What one file is called in the refusal: "statement file", "receipt". */
  fileWord: string
  onFile: (file: File) => void
  /** More than one file was dropped: the sentence to show. */
  onRefused: (message: string) => void
  testId: string
  title: ReactNode
  hint?: ReactNode
  disabled?: boolean
  disabledReason?: string
  compact?: boolean
  /** Working on the last file: the button spins, nothing new is taken. */
  busy?: boolean
}) {
  const inputRef = useRef<HTMLInputElement>(null)
  const [over, setOver] = useState(false)
  const closed = disabled === true || busy === true

  function files(e: DragEvent): boolean {
    return Array.from(e.dataTransfer.types).includes('Files')
  }

  return (
    <Paper
      withBorder
      radius="md"
      p={compact ? 'md' : 'lg'}
      data-testid={testId}
      data-over={over || undefined}
      style={{
        borderStyle: 'dashed',
        borderWidth: 2,
        borderColor: over ? 'var(--mantine-color-indigo-5)' : undefined,
        background: over ? 'var(--mantine-color-indigo-light)' : undefined,
        opacity: disabled ? 0.6 : 1,
      }}
      onDragOver={(e: DragEvent) => {
        if (closed || !files(e)) return
        e.preventDefault()
        e.dataTransfer.dropEffect = 'copy'
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e: DragEvent) => {
        if (closed || !files(e)) return
        e.preventDefault()
        setOver(false)
        const dropped = Array.from(e.dataTransfer.files)
        const [first] = dropped
        if (dropped.length > 1) onRefused(`${dropped.length} files were dropped — drop one ${fileWord} at a time.`)
        else if (first) onFile(first)
      }}
    >
      <Group justify="space-between" wrap="nowrap" gap="md">
        <Group gap="md" wrap="nowrap" style={{ minWidth: 0 }}>
          <IconFileUpload size={compact ? 22 : 28} stroke={1.5} color="var(--mantine-color-dimmed)" style={{ flexShrink: 0 }} />
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Text size="sm" fw={600}>
              {title}
            </Text>
            {hint ? (
              <Text size="xs" c="dimmed">
                {hint}
              </Text>
            ) : null}
          </Stack>
        </Group>
        <input
          ref={inputRef}
          type="file"
          accept={accept}
          hidden
          data-testid={`${testId}-input`}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0]
            e.currentTarget.value = ''
            if (file) onFile(file)
          }}
        />
        <Button
          variant="default"
          size="xs"
          leftSection={<IconFileUpload size={14} />}
          onClick={() => inputRef.current?.click()}
          disabled={disabled}
          loading={busy}
          title={disabled ? disabledReason : undefined}
          style={{ flexShrink: 0 }}
          data-testid={`${testId}-pick`}
        >
          Choose file…
        </Button>
      </Group>
    </Paper>
  )
}
