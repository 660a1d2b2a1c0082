/**
 * "Download all as ZIP": every receipt of a batch as a PDF, in one file. The core renders them
 * first (this can take a while for a large batch: the button says so), then the ZIP arrives part
 * by part and is saved once it is whole.
 */
import { Button, Loader } from '@mantine/core'
import { IconFileZip } from '@tabler/icons-react'
import { useState } from 'react'
import { fileSizeText, formatCount } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { downloadBatchZip } from './downloads'

export function BatchZipButton({ batchId, disabled, disabledReason }: { batchId: string; disabled?: boolean; disabledReason?: string }) {
  const [state, setState] = useState<string | null>(null)

  async function download() {
    setState('Rendering the PDFs…')
    try {
      const saved = await downloadBatchZip(batchId, (done, parts) =>
        setState(parts > 1 ? `Downloading part ${done} of ${parts}…` : 'Downloading…'),
      )
      notifySuccess('Downloaded', `${saved.name} — ${formatCount(saved.files)} receipt PDFs, ${fileSizeText(saved.bytes)}.`)
    } catch (e) {
      notifyError("Could not download the batch's receipts", e)
    } finally {
      setState(null)
    }
  }

  return (
    <Button
      size="xs"
      variant="default"
      leftSection={state !== null ? <Loader size={12} /> : <IconFileZip size={14} />}
      onClick={() => void download()}
      disabled={disabled || state !== null}
      title={disabled ? disabledReason : 'Every receipt of this batch as a PDF, in one ZIP'}
      data-testid="receipts-batch-zip"
      data-busy={state !== null || undefined}
    >
      {state ?? 'Download all as ZIP'}
    </Button>
  )
}
