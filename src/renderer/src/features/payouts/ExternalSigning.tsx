import { Button, FileButton, Group, Text } from '@mantine/core'
import { IconDownload, IconUpload } from '@tabler/icons-react'
import { useState } from 'react'
import { fileTooLargeMessage } from '../../../../shared/fileSize'
import { EXTERNAL_SIGNED_BYTES_MAX } from '../../../../shared/limits'
import type { BatchDetail } from '../../../../shared/payoutsApi'
import { errorMessage, invoke } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { usePayouts } from './store'

function reload(): void {
  void usePayouts.getState().refreshDetail()
  void usePayouts.getState().refreshList()
}

/** A browser download (works in Electron and in browser mode): no file system access needed. */
function download(fileName: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: 'application/json' }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.click()
  // The click starts the download synchronously; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/**
 * Sign externally (air-gapped machine, HSM): export the planned transactions as files, sign them
 * elsewhere, import the signed file. The core checks every item and sends only what it committed.
 */
export function ExternalSigning({ detail, unsigned, disabled }: { detail: BatchDetail; unsigned: number; disabled: boolean }) {
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null)
  const id = detail.batch.id
  const state = detail.batch.state
  const canExport = state === 'approved' || (state === 'executing' && unsigned > 0)
  const canImport = state === 'executing' && unsigned > 0
  if (!canExport && !canImport && !result) return null

  async function exportFiles() {
    setBusy(true)
    try {
      const r = await invoke('batches.external.export', { id })
      for (const f of r.files) download(f.fileName, f.content)
      const n = r.files.reduce((sum, f) => sum + f.transactions, 0)
      notifySuccess(
        'Unsigned transactions exported',
        `${formatCount(n)} ${n === 1 ? 'transaction' : 'transactions'} to sign outside Countersign.`,
      )
    } catch (error) {
      notifyError('Could not export the unsigned transactions', error)
    } finally {
      setBusy(false)
      reload()
    }
  }

  async function importFile(file: File | null) {
    if (!file) return
    setBusy(true)
    try {
      if (file.size > EXTERNAL_SIGNED_BYTES_MAX)
        throw new Error(
          fileTooLargeMessage({
            name: file.name,
            bytes: file.size,
            limitBytes: EXTERNAL_SIGNED_BYTES_MAX,
            kind: 'a signed Countersign file',
            fix: 'Check that it is the file the signer sent back.',
          }),
        )
      const r = await invoke('batches.external.import', { id, content: await file.text() })
      const total = r.accepted + r.alreadySigned
      const parts = [
        `${formatCount(r.accepted)} of ${formatCount(total)} ${total === 1 ? 'transaction' : 'transactions'} accepted and ${formatCount(r.broadcast)} sent`,
      ]
      if (r.alreadySigned > 0) parts.push(`${formatCount(r.alreadySigned)} already imported before`)
      if (r.undelivered > 0) parts.push(`${formatCount(r.undelivered)} not yet delivered — Countersign sends them again`)
      if (r.stillUnsigned > 0) parts.push(`${formatCount(r.stillUnsigned)} still unsigned`)
      setResult({ ok: true, text: `${parts.join('; ')}.` })
    } catch (error) {
      setResult({ ok: false, text: errorMessage(error) })
    } finally {
      setBusy(false)
      reload()
    }
  }

  return (
    <Group gap="xs" data-testid="external-signing">
      {canExport ? (
        <Button
          variant="light"
          leftSection={<IconDownload size={16} />}
          onClick={() => void exportFiles()}
          loading={busy}
          disabled={disabled}
          data-testid="external-export"
        >
          Sign externally
        </Button>
      ) : null}
      {canImport ? (
        <FileButton onChange={(f) => void importFile(f)} accept="application/json,.json" disabled={disabled || busy}>
          {(props) => (
            <Button {...props} variant="light" leftSection={<IconUpload size={16} />} loading={busy} data-testid="external-import">
              Import signed file
            </Button>
          )}
        </FileButton>
      ) : null}
      {result ? (
        <Text size="sm" c={result.ok ? 'teal' : 'red'} data-testid="external-result">
          {result.text}
        </Text>
      ) : null}
    </Group>
  )
}
