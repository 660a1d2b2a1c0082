/**
 * Where a receipt file is dropped or picked to verify it: a dashed area that lights up while a
 * file is dragged over it, with a hidden file input behind its button — the pattern of the
 * Reconciliation view's statement drop zone, for receipts (PDF or JSON). One file at a time.
 */
import { Button, Group, Paper, Stack, Text } from '@mantine/core'
import { IconFileCertificate, IconFileUpload } from '@tabler/icons-react'
import { useRef, useState, type DragEvent } from 'react'

const RECEIPT_FILE_ACCEPT = '.pdf,.json,application/pdf,application/json'

export function ReceiptDropZone({
  onFile,
  onRefused,
  busy,
  testId,
}: {
  onFile: (file: File) => void
  /** More than one file was dropped: the sentence to show. */
  onRefused: (message: string) => void
  busy: boolean
  testId: string
}) {
  const inputRef = useRef<HTMLInputElement>(null)
  const [over, setOver] = useState(false)
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files')

  return (
    <Paper
      withBorder
      radius="md"
      p="xl"
      data-testid={testId}
      data-over={over || undefined}
      style={{
        borderStyle: 'dashed',
        borderWidth: 2,
        borderColor: over ? 'var(--mantine-color-teal-5)' : undefined,
        background: over ? 'var(--mantine-color-teal-light)' : undefined,
      }}
      onDragOver={(e: DragEvent) => {
        if (busy || !hasFiles(e)) return
        e.preventDefault()
        e.dataTransfer.dropEffect = 'copy'
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e: DragEvent) => {
        if (busy || !hasFiles(e)) return
        e.preventDefault()
        setOver(false)
        const dropped = Array.from(e.dataTransfer.files)
        if (dropped.length > 1) onRefused(`${dropped.length} files were dropped — drop one receipt at a time.`)
        else if (dropped[0]) onFile(dropped[0])
      }}
    >
      <Group justify="space-between" wrap="wrap" gap="md">
        <Group gap="md" wrap="nowrap" style={{ minWidth: 0, flex: '1 1 320px' }}>
          <IconFileCertificate size={34} stroke={1.4} color="var(--mantine-color-teal-6)" style={{ flexShrink: 0 }} />
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Text fw={600}>Drop a receipt (PDF or JSON) to verify it</Text>
            <Text size="sm" c="dimmed">
              Checks its fingerprint, the workspace signature, the key that signed it, the treasury device&apos;s batch signature when it
              has one, and — when the network answers — the payment on its rail. Nothing is stored.
            </Text>
          </Stack>
        </Group>
        <input
          ref={inputRef}
          type="file"
          accept={RECEIPT_FILE_ACCEPT}
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
          leftSection={<IconFileUpload size={16} />}
          onClick={() => inputRef.current?.click()}
          loading={busy}
          data-testid={`${testId}-pick`}
        >
          Choose file…
        </Button>
      </Group>
    </Paper>
  )
}
