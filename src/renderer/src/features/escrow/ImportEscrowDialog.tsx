/**
 * Import escrows from a CSV (escrow.importCsv): one row per milestone, rows with the same escrow
 * name form one escrow. The expected columns are shown before a file is picked; the file's size is
 * checked against the contract's limit before it is read. The core refuses the whole file or
 * stores it all; its sentence and the rows it names are shown here.
 */
import { Alert, Button, Checkbox, Code, Group, List, Modal, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconFileUpload, IconUpload } from '@tabler/icons-react'
import { useRef, useState } from 'react'
import { fileTooLargeMessage } from '../../../../shared/fileSize'
import { ESCROW_CSV_BYTES_MAX } from '../../../../shared/limits'
import { errorItems, errorMessage } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { importEscrowCsv } from './actions'

/** The header escrow.importCsv reads, in order. */
export const ESCROW_CSV_COLUMNS = [
  'escrow_name',
  'reference',
  'rail',
  'network',
  'asset',
  'payee',
  'payee_name',
  'expires_at',
  'milestone_title',
  'amount',
  'review_window_hours',
  'review_ends_at',
] as const

/** One row of an example file, shown under the header (dimmed). */
const ESCROW_CSV_EXAMPLE =
  'Website redesign,PO-2026-014,evm,31337,USDC,0x4a4a…4A4a,Acme Studio,2026-06-30T00:00:00Z,Wireframes,1000.00,24,2026-03-02T12:00:00Z'

interface Picked {
  name: string
  text: string
}

export function ImportEscrowDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Import escrows from a CSV" size={1040} data-testid="escrow-import-dialog">
      {opened ? <ImportForm onClose={onClose} /> : null}
    </Modal>
  )
}

function ImportForm({ onClose }: { onClose: () => void }) {
  const fileRef = useRef<HTMLInputElement>(null)
  const [picked, setPicked] = useState<Picked | null>(null)
  const [autoRelease, setAutoRelease] = useState(true)
  const [failure, setFailure] = useState<{ message: string; items: string[] } | null>(null)
  const [busy, setBusy] = useState(false)

  async function onFile(file: File | undefined) {
    setPicked(null)
    setFailure(null)
    if (!file) return
    if (file.size > ESCROW_CSV_BYTES_MAX) {
      setFailure({
        message: fileTooLargeMessage({
          name: file.name,
          bytes: file.size,
          limitBytes: ESCROW_CSV_BYTES_MAX,
          kind: 'an escrow CSV',
          fix: 'Split it into smaller files and import each.',
        }),
        items: [],
      })
      return
    }
    try {
      setPicked({ name: file.name, text: await file.text() })
    } catch {
      setFailure({ message: `${file.name} could not be read — check the file and pick it again.`, items: [] })
    }
  }

  async function onImport() {
    if (!picked) return
    if (picked.text.trim() === '') {
      setFailure({ message: `${picked.name} is empty — pick a CSV with the header row and one row per milestone.`, items: [] })
      return
    }
    setBusy(true)
    setFailure(null)
    try {
      await importEscrowCsv(picked.text, autoRelease)
      onClose()
    } catch (error) {
      setFailure({ message: errorMessage(error), items: errorItems(error) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Stack gap="md" data-testid="escrow-import-form">
      <Text size="sm">
        One row per milestone; rows with the same <b>escrow_name</b> form one escrow. Amounts are exact (never rounded); times are ISO 8601
        (2026-03-01T12:00:00Z). The header names the columns:
      </Text>
      <Code block style={{ whiteSpace: 'pre', overflowX: 'auto' }}>
        <span data-testid="escrow-import-columns">{ESCROW_CSV_COLUMNS.join(',')}</span>
        {'\n'}
        <span style={{ opacity: 0.65 }}>{ESCROW_CSV_EXAMPLE}</span>
      </Code>
      <Group gap="md">
        <input
          ref={fileRef}
          type="file"
          accept=".csv,text/csv,text/plain"
          hidden
          data-testid="escrow-import-file"
          onChange={(e) => {
            void onFile(e.currentTarget.files?.[0])
            e.currentTarget.value = ''
          }}
        />
        <Button
          variant="default"
          leftSection={<IconFileUpload size={16} />}
          onClick={() => fileRef.current?.click()}
          data-testid="escrow-import-pick"
        >
          Choose file…
        </Button>
        <Text size="sm" ff="monospace" c={picked ? undefined : 'dimmed'} data-testid="escrow-import-file-name">
          {picked ? `${picked.name} (${formatCount(picked.text.length)} characters)` : 'No file chosen'}
        </Text>
      </Group>
      <Checkbox
        label="Release each milestone automatically when its review window ends without a dispute"
        description="Approving an escrow's funding also approves its automatic releases."
        checked={autoRelease}
        onChange={(e) => setAutoRelease(e.currentTarget.checked)}
        data-testid="escrow-import-auto-release"
      />
      {failure ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title={failure.message} data-testid="escrow-import-error">
          {failure.items.length > 0 ? (
            <List size="sm" spacing={2}>
              {failure.items.map((p, i) => (
                <List.Item key={i}>{p}</List.Item>
              ))}
            </List>
          ) : null}
        </Alert>
      ) : null}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          leftSection={<IconUpload size={16} />}
          onClick={() => void onImport()}
          disabled={!picked}
          loading={busy}
          data-testid="escrow-import-submit"
        >
          Import
        </Button>
      </Group>
    </Stack>
  )
}
