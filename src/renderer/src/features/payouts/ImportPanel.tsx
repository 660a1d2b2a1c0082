/**
 * The payout CSV import panel: pick a file, name the batch, see every problem by row and column.
 * The file's size is checked against the contract's limit (CSV_BYTES_MAX) before it is read.
 */
import { Alert, Button, Card, Checkbox, Group, Stack, Text, TextInput, Title } from '@mantine/core'
import { IconAlertTriangle, IconDownload, IconUpload } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import type { ImportPayoutCsvResult } from '../../../../shared/payoutImport'
import { fileTooLargeMessage, fileTooLargeToSendMessage } from '../../../../shared/fileSize'
import { BATCH_NAME_CHARS_MAX, CSV_BYTES_MAX, PAYLOAD_BYTES_MAX } from '../../../../shared/limits'
import { FileDropZone } from '../../components/FileDropZone'
import { saveBlob } from '../../lib/download'
import { formatCount } from '../../lib/format'
import { BLOCKING_WARNING_CODES } from '../../../../shared/batchWarningGroups'
import { importCsv } from './actions'
import { IssuesTable } from './IssuesTable'
import { usePayouts } from './store'

interface Picked {
  name: string
  /** The file's size in bytes, as the person's file manager shows it. */
  bytes: number
  text: string
}

const PAYOUT_CSV_KIND = 'a payout CSV'
const SPLIT_FIX = 'Split it into smaller files and import each.'

/** Bytes of the request as the transport measures it (UTF-8 JSON of the input). */
function requestBytes(input: unknown): number {
  return new TextEncoder().encode(JSON.stringify(input)).length
}

/** A recipient no one owns, checksummed, for the template's example rows. */
const EXAMPLE_EVM_RECIPIENT = '0x1111aBaBABababAbAbABABAbaBaBabaBAbab2222'
const EXAMPLE_STELLAR_RECIPIENT = 'GAAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQDZ7H'
const TEMPLATE_HEADER = 'id,rail,network,asset,recipient,amount,memo,reference,name'

/**
 * A CSV template with the columns the importer reads and one example row per rail this workspace
 * has an asset on (the asset and network its registry names), so the template imports as it is.
 */
export function payoutCsvTemplate(assets: readonly { rail: string; network: string; code: string }[]): string {
  const lines = [TEMPLATE_HEADER]
  const evm = assets.find((a) => a.rail === 'evm')
  const stellar = assets.find((a) => a.rail === 'stellar')
  if (evm) lines.push(`INV-0001,evm,${evm.network},${evm.code},${EXAMPLE_EVM_RECIPIENT},100.00,,INV-0001,Example Supplier GmbH`)
  if (stellar)
    lines.push(`INV-0002,stellar,${stellar.network},${stellar.code},${EXAMPLE_STELLAR_RECIPIENT},25.5,,INV-0002,Example Contractor`)
  return lines.join('\r\n') + '\r\n'
}

/** Import a payout CSV: read in the renderer as text, checked and stored (or not) by the core. */
export function ImportPanel({ onClose, initialFile }: { onClose: () => void; initialFile?: File | null }) {
  const [picked, setPicked] = useState<Picked | null>(null)
  const [pickError, setPickError] = useState<string | null>(null)
  const [batchName, setBatchName] = useState('')
  const [network, setNetwork] = useState('')
  const [keepValid, setKeepValid] = useState(false)
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<ImportPayoutCsvResult | null>(null)
  const open = usePayouts((s) => s.open)
  const assets = usePayouts((s) => s.assets)

  // A file dropped on the Payouts view opens this panel with it.
  useEffect(() => {
    if (initialFile) void onFile(initialFile)
  }, [initialFile])

  async function onFile(file: File | undefined) {
    setResult(null)
    setPicked(null)
    setPickError(null)
    if (!file) return
    // Checked before reading: a file bigger than one request would only fail later, less clearly.
    if (file.size > CSV_BYTES_MAX) {
      setPickError(
        fileTooLargeMessage({ name: file.name, bytes: file.size, limitBytes: CSV_BYTES_MAX, kind: PAYOUT_CSV_KIND, fix: SPLIT_FIX }),
      )
      return
    }
    try {
      setPicked({ name: file.name, bytes: file.size, text: await file.text() })
    } catch {
      setPickError(`${file.name} could not be read — check the file and pick it again.`)
    }
  }

  async function onImport() {
    if (!picked) return
    if (picked.text.trim() === '') {
      setPickError(`${picked.name} is empty — pick a CSV with a header row and at least one payout.`)
      return
    }
    const input = {
      csv: picked.text,
      fileName: picked.name,
      ...(batchName.trim() ? { batchName: batchName.trim() } : {}),
      ...(network.trim() ? { network: network.trim() } : {}),
      ...(keepValid ? { keepValidAsDraft: true } : {}),
    }
    // A file within the limit whose every cell is quoted can still grow past one request once its
    // quotes and line ends are escaped for the wire: say so in the file's terms, not the request's.
    if (requestBytes(input) > PAYLOAD_BYTES_MAX) {
      setPickError(
        fileTooLargeToSendMessage({
          name: picked.name,
          bytes: picked.bytes,
          limitBytes: CSV_BYTES_MAX,
          kind: PAYOUT_CSV_KIND,
          fix: SPLIT_FIX,
        }),
      )
      return
    }
    setBusy(true)
    const r = await importCsv(input)
    setBusy(false)
    setResult(r)
    // Stays open when a row cannot be paid as things stand: the person reads why before going on.
    if (r?.batchId && r.issues.length === 0 && !r.warnings.some((w) => BLOCKING_WARNING_CODES.has(w.code))) {
      onClose()
      open(r.batchId)
    }
  }

  // Problems, and the warnings that mean a row cannot be paid as things stand (its network is not
  // set up, its Stripe account cannot receive transfers).
  const rowIssues = result?.issues ?? []
  const blockingWarnings = (result?.warnings ?? []).filter((w) => BLOCKING_WARNING_CODES.has(w.code))
  return (
    <Card withBorder padding="lg" data-testid="import-panel">
      <Stack gap="md">
        <Group justify="space-between">
          <Title order={4}>Import a payout CSV</Title>
          <Button variant="subtle" size="xs" color="gray" onClick={onClose} data-testid="import-close">
            Close
          </Button>
        </Group>
        <Text size="sm" c="dimmed">
          The header names the columns: id, rail, network, asset, recipient, amount (and optionally memo, reference, name). Every row is
          checked before anything is stored; amounts are never rounded.
        </Text>
        <FileDropZone
          accept=".csv,text/csv,text/plain"
          fileWord="CSV file"
          onFile={(f) => void onFile(f)}
          onRefused={setPickError}
          testId="import-drop"
          compact
          title={
            <span data-testid="import-file-name">
              {picked ? `${picked.name} (${formatCount(picked.text.length)} characters)` : 'Drop a payout CSV here, or choose one'}
            </span>
          }
          hint={picked ? 'Drop or choose another file to replace it.' : 'One file at a time, up to 10,000 rows.'}
        />
        <Group gap="xs">
          <Button
            variant="subtle"
            size="xs"
            leftSection={<IconDownload size={14} />}
            onClick={() => saveBlob('countersign-payouts-template.csv', [payoutCsvTemplate(assets)], 'text/csv')}
            data-testid="import-template"
          >
            Download a CSV template
          </Button>
          <Text size="xs" c="dimmed">
            with the columns and an example row for each rail
          </Text>
        </Group>
        <Group align="flex-start" gap="md" wrap="wrap">
          <TextInput
            label="Batch name"
            description="Defaults to the file name"
            placeholder={picked?.name ?? 'March contractors'}
            value={batchName}
            maxLength={BATCH_NAME_CHARS_MAX}
            onChange={(e) => setBatchName(e.currentTarget.value)}
            w={280}
            data-testid="import-batch-name"
          />
          <TextInput
            label="Chain id"
            description="Only for files that name no chain"
            placeholder="8453"
            value={network}
            onChange={(e) => setNetwork(e.currentTarget.value)}
            w={180}
            data-testid="import-network"
          />
        </Group>
        <Checkbox
          label="Keep the valid rows as a draft when some rows have problems"
          checked={keepValid}
          onChange={(e) => setKeepValid(e.currentTarget.checked)}
          data-testid="import-keep-valid"
        />
        {pickError ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle />} data-testid="import-pick-error">
            {pickError}
          </Alert>
        ) : null}
        <Group>
          <Button
            leftSection={<IconUpload size={16} />}
            onClick={() => void onImport()}
            disabled={!picked}
            loading={busy}
            data-testid="import-submit"
          >
            Import
          </Button>
        </Group>

        {result && rowIssues.length > 0 ? (
          <Stack gap="sm" data-testid="import-result">
            <Alert
              color={result.batchId ? 'yellow' : 'red'}
              variant="light"
              icon={<IconAlertTriangle />}
              title={
                <span data-testid="import-result-title">
                  {result.batchId
                    ? `Draft created with ${formatCount(result.valid.length)} valid ${result.valid.length === 1 ? 'row' : 'rows'}; ${formatCount(rowIssues.length)} ${rowIssues.length === 1 ? 'problem' : 'problems'} left out`
                    : `Nothing was stored — ${formatCount(rowIssues.length)} ${rowIssues.length === 1 ? 'problem' : 'problems'} in ${formatCount(result.rowsTotal)} ${result.rowsTotal === 1 ? 'row' : 'rows'}`}
                </span>
              }
            >
              {result.batchId ? (
                <Group justify="space-between">
                  <Text size="sm">The rows below were not imported. Fix them in the file and import it again, or add them by hand.</Text>
                  <Button size="xs" variant="light" onClick={() => open(result.batchId!)} data-testid="import-open-batch">
                    Open the draft
                  </Button>
                </Group>
              ) : (
                <Text size="sm">
                  Fix these in the file and import it again
                  {result.valid.length > 0
                    ? `, or tick "keep the valid rows" to store the ${formatCount(result.valid.length)} valid ${result.valid.length === 1 ? 'row' : 'rows'} as a draft`
                    : ''}
                  .
                </Text>
              )}
            </Alert>
            <IssuesTable issues={[...rowIssues, ...blockingWarnings]} testId="import-issues" />
          </Stack>
        ) : null}

        {result && rowIssues.length === 0 && result.batchId && blockingWarnings.length > 0 ? (
          <Stack gap="sm" data-testid="import-result">
            <Alert
              color="yellow"
              variant="light"
              icon={<IconAlertTriangle />}
              title={
                <span data-testid="import-result-title">
                  {`Draft created with ${formatCount(result.valid.length)} ${result.valid.length === 1 ? 'row' : 'rows'} — ${formatCount(blockingWarnings.length)} cannot be paid as things stand`}
                </span>
              }
            >
              <Group justify="space-between" wrap="nowrap" gap="md">
                <Text size="sm">
                  Nothing is lost: the draft keeps these rows and says so next to each. Do what each row says, or remove it, before you
                  submit.
                </Text>
                <Button size="xs" variant="light" onClick={() => open(result.batchId!)} data-testid="import-open-batch">
                  Open the draft
                </Button>
              </Group>
            </Alert>
            <IssuesTable issues={blockingWarnings} testId="import-issues" />
          </Stack>
        ) : null}
      </Stack>
    </Card>
  )
}
