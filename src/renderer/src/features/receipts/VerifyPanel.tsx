/**
 * Verify a receipt someone hands over — a payee's PDF, an auditor's JSON — as the core's
 * `receipts verify` does: every check with its verdict and sentence. The file is checked against
 * this workspace's receipt keys; the rail is asked too unless "Check on the rail" is off (a rail
 * that does not answer is "skipped", never a failure).
 */
import { Alert, Stack, Switch, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useState } from 'react'
import type { ReceiptVerificationResult } from '../../../../shared/receiptsApi'
import { fileTooLargeMessage } from '../../../../shared/fileSize'
import { RECEIPT_VERIFY_BYTES_MAX } from '../../../../shared/limits'
import { errorMessage, invoke } from '../../lib/api'
import { fileToBase64 } from '../../lib/download'
import { notifyError } from '../notify/store'
import { FileDropZone } from '../../components/FileDropZone'
import { VerificationResult } from './VerificationResult'

export function VerifyPanel() {
  const [online, setOnline] = useState(true)
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<{ fileName: string; result: ReceiptVerificationResult } | null>(null)
  const [refusal, setRefusal] = useState<string | null>(null)

  async function verify(file: File) {
    setOutcome(null)
    setRefusal(null)
    if (file.size > RECEIPT_VERIFY_BYTES_MAX) {
      setRefusal(
        fileTooLargeMessage({
          name: file.name,
          bytes: file.size,
          limitBytes: RECEIPT_VERIFY_BYTES_MAX,
          kind: 'a receipt (PDF or JSON)',
          fix: 'Is it the right file?',
        }),
      )
      return
    }
    setBusy(true)
    try {
      const result = await invoke('receipts.verify', { content: await fileToBase64(file), encoding: 'base64', online })
      setOutcome({ fileName: file.name, result })
    } catch (e) {
      setRefusal(`${file.name}: ${errorMessage(e)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Stack gap="md" data-testid="receipts-verify">
      <FileDropZone
        testId="receipt-drop"
        accept=".pdf,.json,application/pdf,application/json"
        fileWord="receipt"
        title="Drop a receipt (PDF or JSON) to verify it"
        hint="Checks its fingerprint, the workspace signature, the key that signed it, the treasury device's batch signature when it has one, and — when the network answers — the payment on its rail. Nothing is stored."
        busy={busy}
        onFile={(f) => void verify(f)}
        onRefused={(message) => notifyError('Nothing was verified', new Error(message))}
      />
      <Switch
        checked={online}
        onChange={(e) => setOnline(e.currentTarget.checked)}
        label="Also check the payment on its rail (needs the network; skipped when it does not answer)"
        data-testid="receipt-verify-online"
      />
      {refusal ? (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle />}
          title="Could not verify the file"
          data-testid="receipt-verify-refused"
        >
          {refusal}
        </Alert>
      ) : null}
      {outcome ? <VerificationResult result={outcome.result} fileName={outcome.fileName} testId="receipt-verify-result" /> : null}
      {!outcome && !refusal ? (
        <Text size="sm" c="dimmed">
          A receipt verifies with nothing but its file: its JSON carries the hash and signatures, and the PDF carries its JSON as an
          attachment.
        </Text>
      ) : null}
    </Stack>
  )
}
