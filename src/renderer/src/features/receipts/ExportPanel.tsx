/**
 * Accounting exports: choose what (receipts, payouts, the journal, Xero, QuickBooks, the balanced
 * journal bundle), the format and the range (dates, a batch, a payee, an account); the preview
 * shows the files it would write, the first rows exactly as written and one sentence on how
 * amounts are signed (QuickBooks' sign convention among them). "Export" builds the files — it is
 * recorded in the audit log — and each is downloaded on its own, or all at once.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconAlertTriangle, IconDownload, IconFileExport } from '@tabler/icons-react'
import { useEffect, useMemo, useState } from 'react'
import type { CallOutput } from '../../../../shared/api'
import { EXPORT_KINDS, type ExportDateFormat, type ExportKind, type ExportPreview } from '../../../../shared/exportsApi'
import type { Account } from '../../../../shared/ledgerApi'
import { RECIPIENT_CHARS_MAX } from '../../../../shared/limits'
import { errorMessage, invoke } from '../../lib/api'
import { saveDownload } from '../../lib/download'
import { formatCount, formatTimestamp } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { CopyValue } from './parts'
import {
  DEFAULT_EXPORT_FORM,
  EXPORT_KIND_HINTS,
  EXPORT_KIND_LABELS,
  dateFormatsOf,
  exportFormProblem,
  takesAccount,
  takesFormat,
  toExportRequest,
  type ExportForm,
} from './exportForm'
import { useReceipts } from './store'

const PREVIEW_SETTLE_MS = 300
/** A cell that is an amount as an export writes it: "-1234.50", "1,234.50". */
const AMOUNT_CELL = /^-?\d[\d,]*(\.\d+)?$/
const KIB = 1024

type RunResult = CallOutput<'exports.run'>

function sizeText(bytes: number): string {
  return bytes < KIB ? `${bytes} B` : `${formatCount(Math.ceil(bytes / KIB))} KiB`
}

export function ExportPanel() {
  const [form, setForm] = useState<ExportForm>(DEFAULT_EXPORT_FORM)
  const [accounts, setAccounts] = useState<Account[]>([])
  const [preview, setPreview] = useState<ExportPreview | null>(null)
  const [previewError, setPreviewError] = useState<string | null>(null)
  const [result, setResult] = useState<RunResult | null>(null)
  const [running, setRunning] = useState(false)
  const batches = useReceipts((s) => s.batches)
  const patch = (p: Partial<ExportForm>) => {
    setForm((f) => ({ ...f, ...p }))
    setResult(null)
  }

  useEffect(() => {
    invoke('ledger.accounts.list', {})
      .then(setAccounts)
      .catch(() => setAccounts([]))
  }, [])

  const [settled] = useDebouncedValue(form, PREVIEW_SETTLE_MS)
  const problem = exportFormProblem(settled)
  useEffect(() => {
    let current = true
    async function load() {
      if (problem !== null) {
        setPreview(null)
        setPreviewError(null)
        return
      }
      try {
        const p = await invoke('exports.preview', toExportRequest(settled))
        if (!current) return
        setPreview(p)
        setPreviewError(null)
      } catch (e) {
        if (!current) return
        setPreview(null)
        setPreviewError(errorMessage(e))
      }
    }
    void load()
    return () => {
      current = false
    }
  }, [settled, problem])

  async function run() {
    setRunning(true)
    try {
      const r = await invoke('exports.run', toExportRequest(form))
      setResult(r)
      notifySuccess(
        'Export ready',
        `${r.files.length} ${r.files.length === 1 ? 'file' : 'files'}, ${formatCount(r.rowsTotal)} rows — recorded in the audit log.`,
      )
    } catch (e) {
      notifyError('Nothing was exported', e)
    } finally {
      setRunning(false)
    }
  }

  const accountData = useMemo(() => accounts.map((a) => ({ value: a.id, label: `${a.name} · ${a.assetId}` })), [accounts])
  const batchData = useMemo(
    () => batches.map((b) => ({ value: b.id, label: `${b.name} · ${formatTimestamp(b.createdAt).slice(0, 10)}` })),
    [batches],
  )
  const formats = dateFormatsOf(form.kind)

  return (
    <Stack gap="md" data-testid="receipts-export">
      <Card withBorder padding="lg">
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <Select
              label="What to export"
              data={EXPORT_KINDS.map((k) => ({ value: k, label: EXPORT_KIND_LABELS[k] }))}
              value={form.kind}
              onChange={(v) => v && patch({ kind: v as ExportKind, dateFormat: null })}
              allowDeselect={false}
              description={EXPORT_KIND_HINTS[form.kind]}
              data-testid="export-kind"
            />
            <Group gap="md" align="flex-end" wrap="wrap">
              {takesFormat(form.kind) ? (
                <Stack gap={4}>
                  <Text size="sm" fw={500}>
                    Format
                  </Text>
                  <SegmentedControl
                    value={form.format}
                    onChange={(v) => patch({ format: v as ExportForm['format'] })}
                    data={[
                      { value: 'csv', label: 'CSV' },
                      { value: 'json', label: form.kind === 'journal-bundle' ? 'JSON lines' : 'JSON' },
                    ]}
                    data-testid="export-format"
                  />
                </Stack>
              ) : null}
              {form.kind === 'quickbooks' ? (
                <Stack gap={4}>
                  <Text size="sm" fw={500}>
                    Columns
                  </Text>
                  <SegmentedControl
                    value={String(form.columns)}
                    onChange={(v) => patch({ columns: v === '4' ? 4 : 3 })}
                    data={[
                      { value: '3', label: '3 (signed amount)' },
                      { value: '4', label: '4 (credit, debit)' },
                    ]}
                    data-testid="export-columns"
                  />
                </Stack>
              ) : null}
              {formats.length > 0 ? (
                <Select
                  label="Dates as"
                  data={[...formats]}
                  value={form.dateFormat ?? formats[0]!}
                  onChange={(v) => patch({ dateFormat: v as ExportDateFormat })}
                  allowDeselect={false}
                  w={160}
                  data-testid="export-date-format"
                />
              ) : null}
            </Group>
          </SimpleGrid>
          <Group gap="sm" align="flex-end" wrap="wrap">
            <TextInput
              label="From (UTC day)"
              type="date"
              value={form.from}
              onChange={(e) => patch({ from: e.currentTarget.value })}
              w={150}
              data-testid="export-from"
            />
            <TextInput
              label="to"
              type="date"
              value={form.to}
              onChange={(e) => patch({ to: e.currentTarget.value })}
              w={150}
              data-testid="export-to"
            />
            <Select
              label="Batch"
              placeholder="Any batch"
              data={batchData}
              value={form.batchId}
              onChange={(v) => patch({ batchId: v })}
              searchable
              clearable
              style={{ flex: '1 1 200px' }}
              data-testid="export-batch"
            />
            <TextInput
              label="Payee"
              placeholder="Name, address or account"
              value={form.payee}
              maxLength={RECIPIENT_CHARS_MAX}
              onChange={(e) => patch({ payee: e.currentTarget.value })}
              style={{ flex: '1 1 200px' }}
              data-testid="export-payee"
            />
            {takesAccount(form.kind) ? (
              <Select
                label={form.kind === 'quickbooks' ? 'Account (required)' : 'Account'}
                placeholder={form.kind === 'quickbooks' ? 'Choose the account' : 'Every account'}
                data={accountData}
                value={form.account}
                onChange={(v) => patch({ account: v })}
                searchable
                clearable={form.kind !== 'quickbooks'}
                style={{ flex: '1 1 320px' }}
                data-testid="export-account"
              />
            ) : null}
            {form.kind === 'xero' ? (
              <TextInput
                label="Tax rate"
                placeholder="Tax Exempt"
                value={form.taxRate}
                onChange={(e) => patch({ taxRate: e.currentTarget.value })}
                w={160}
                data-testid="export-tax-rate"
              />
            ) : null}
          </Group>
        </Stack>
      </Card>

      <PreviewCard problem={problem} error={previewError} preview={preview} />

      <Group gap="sm">
        <Button
          leftSection={<IconFileExport size={16} />}
          onClick={() => void run()}
          loading={running}
          disabled={problem !== null || previewError !== null}
          data-testid="export-run"
        >
          Export
        </Button>
        <Text size="xs" c="dimmed">
          Every export is recorded in the audit log with who made it, its rows and its files&apos; SHA-256.
        </Text>
      </Group>

      {result ? <ExportFiles result={result} /> : null}
    </Stack>
  )
}

function PreviewCard({ problem, error, preview }: { problem: string | null; error: string | null; preview: ExportPreview | null }) {
  if (problem !== null)
    return (
      <Text size="sm" c="dimmed" data-testid="export-problem">
        {problem}
      </Text>
    )
  if (error !== null)
    return (
      <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="This export cannot be made" data-testid="export-preview-error">
        {error}
      </Alert>
    )
  if (preview === null) return null
  // Amount columns (every cell a number) right-aligned, as in a ledger.
  const numeric = preview.columns.map(
    (_, j) => preview.rows.length > 0 && preview.rows.every((r) => r[j] === '' || AMOUNT_CELL.test(r[j] ?? '')),
  )
  return (
    <Card withBorder padding="lg" data-testid="export-preview">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={5}>Preview</Title>
          <Text size="sm" c="dimmed" data-testid="export-preview-count">
            {formatCount(preview.rowsTotal)} {preview.rowsTotal === 1 ? 'row' : 'rows'} in {preview.files.length}{' '}
            {preview.files.length === 1 ? 'file' : 'files'}: {preview.files.map((f) => `${f.name} (${formatCount(f.rows)})`).join(', ')}
          </Text>
        </Group>
        <Alert color="indigo" variant="light" data-testid="export-preview-note">
          {preview.note}
        </Alert>
        {preview.columns.length > 0 ? (
          <Table.ScrollContainer minWidth={Math.min(preview.columns.length * 140, 2400)} type="native">
            <Table verticalSpacing={4} fz="xs" withTableBorder striped data-testid="export-preview-table">
              <Table.Thead>
                <Table.Tr>
                  {preview.columns.map((c, j) => (
                    <Table.Th key={c} ta={numeric[j] ? 'right' : undefined} style={{ whiteSpace: 'nowrap' }}>
                      {c}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {preview.rows.map((row, i) => (
                  <Table.Tr key={i}>
                    {row.map((cell, j) => (
                      <Table.Td key={j} ff="monospace" ta={numeric[j] ? 'right' : undefined} style={{ whiteSpace: 'nowrap' }}>
                        {cell}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
        {preview.rows.length < preview.rowsTotal ? (
          <Text size="xs" c="dimmed">
            The first {formatCount(preview.rows.length)} rows of {formatCount(preview.rowsTotal)}.
          </Text>
        ) : null}
      </Stack>
    </Card>
  )
}

function ExportFiles({ result }: { result: RunResult }) {
  return (
    <Card withBorder padding="lg" data-testid="export-files">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={5}>Files</Title>
          {result.files.length > 1 ? (
            <Button
              size="xs"
              variant="default"
              leftSection={<IconDownload size={14} />}
              onClick={() => result.files.forEach((f) => saveDownload({ name: f.name, mime: f.mime, base64: f.content }))}
              data-testid="export-download-all"
            >
              Download all
            </Button>
          ) : null}
        </Group>
        <Text size="sm" c="dimmed">
          {result.note}
        </Text>
        {result.files.map((f) => (
          <Group key={f.name} justify="space-between" wrap="wrap" gap="sm" data-testid="export-file">
            <Stack gap={0} style={{ minWidth: 0, flex: '1 1 300px' }}>
              <Group gap="xs">
                <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                  {f.name}
                </Text>
                <Badge size="sm" variant="light" color="gray" tt="none">
                  {formatCount(f.rows)} rows · {sizeText(f.bytes)}
                </Badge>
              </Group>
              <CopyValue value={f.sha256} label="SHA-256" size="xs" />
            </Stack>
            <Button
              size="xs"
              leftSection={<IconDownload size={14} />}
              onClick={() => saveDownload({ name: f.name, mime: f.mime, base64: f.content })}
              data-testid="export-file-download"
            >
              Download
            </Button>
          </Group>
        ))}
      </Stack>
    </Card>
  )
}
