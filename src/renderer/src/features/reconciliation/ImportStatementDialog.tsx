/**
 * Import a statement file: drop or pick it, and the core checks it first (a dry run) — which
 * statements, for which account and period, the opening, money in and out, the closing, how many
 * lines, and every warning — and stores it only when the person presses Import. Changing a choice
 * (format, CSV mapping, the ledger account to link) checks again. A refusal shows the core's
 * sentence with where in the file it stopped, or when and as what the same file came in before.
 */
import { Alert, Button, Group, List, Loader, Modal, Paper, Progress, Select, SimpleGrid, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconCircleCheck, IconUpload } from '@tabler/icons-react'
import { useEffect, useMemo, useRef, useState } from 'react'
import {
  STATEMENT_FILE_FORMAT_NAMES,
  type ImportStatementResult,
  type StatementFileFormatName,
  type StatementSummary,
} from '../../../../shared/reconApi'
import { formatCount } from '../../lib/format'
import { checkStatement, importStatement, type ImportChoices } from './actions'
import { FileDropZone } from '../../components/FileDropZone'
import { STATEMENT_FILE_ACCEPT } from './statementFile'
import { readStatementFile, type StatementFile } from './statementFile'
import { StatementWarnings } from './StatementWarnings'
import { useSession } from '../session/store'
import {
  duplicateSentence,
  FORMAT_LABELS,
  formatPeriod,
  formatStatementAmount,
  importFailureOf,
  type ImportFailure,
} from './statementWords'
import { ledgerAccountsFor, useRecon } from './store'

const RECOGNISED = 'recognised'
const NO_MAPPING = 'none'
const NO_LINK = 'none'

export function ImportStatementDialog({
  opened,
  initialFile,
  onClose,
  onShowStatement,
}: {
  opened: boolean
  /** A file dropped on the view before the dialog opened. */
  initialFile: File | null
  onClose: () => void
  /** Open a statement of the list (the earlier import of a duplicate). */
  onShowStatement: (id: string) => void
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Import a statement" size={1040} data-testid="recon-import-dialog">
      {opened ? <ImportForm initialFile={initialFile} onClose={onClose} onShowStatement={onShowStatement} /> : null}
    </Modal>
  )
}

type Busy = 'reading' | 'checking' | 'importing' | null

interface Checked {
  /** The file and choices it was made with: Import is offered only while they are still the same. */
  key: string
  result: ImportStatementResult
}

function keyOf(file: StatementFile, choices: ImportChoices): string {
  return JSON.stringify([file.name, file.text.length, choices.format, choices.mapping, choices.ledgerAccountId])
}

function needsMapping(file: StatementFile, choices: ImportChoices): boolean {
  return choices.mapping === null && (choices.format === 'csv' || (choices.format === null && /\.csv$/i.test(file.name)))
}

function ImportForm({
  initialFile,
  onClose,
  onShowStatement,
}: {
  initialFile: File | null
  onClose: () => void
  onShowStatement: (id: string) => void
}) {
  const { mappings, ledgerAccounts, assets, accounts, statements } = useRecon()
  const operators = useSession((st) => st.operators)
  const [file, setFile] = useState<StatementFile | null>(null)
  const [choices, setChoices] = useState<ImportChoices>({ format: null, mapping: null, ledgerAccountId: null })
  const [checked, setChecked] = useState<Checked | null>(null)
  const [failure, setFailure] = useState<ImportFailure | null>(null)
  const [busy, setBusy] = useState<Busy>(null)
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null)
  // Only the newest check may show its outcome: a choice changed while an older one was on its way.
  const run = useRef(0)

  useEffect(() => {
    void useRecon.getState().loadChoices()
  }, [])

  async function onFile(picked: File) {
    const mine = ++run.current
    setFile(null)
    setChecked(null)
    setFailure(null)
    // A new file may be another account's: the link chosen for the last one does not carry over.
    setChoices((c) => (c.ledgerAccountId === null ? c : { ...c, ledgerAccountId: null }))
    setBusy('reading')
    try {
      const read = await readStatementFile(picked)
      if (run.current !== mine) return
      setFile(read)
      setBusy(null)
    } catch (error) {
      if (run.current !== mine) return
      setBusy(null)
      setFailure(importFailureOf(error))
    }
  }

  useEffect(() => {
    if (initialFile) void onFile(initialFile)
    // Only the file the dialog was opened with; later ones come through the drop zone.
  }, [initialFile])

  // Check (dry run) whenever the file or a choice changes.
  useEffect(() => {
    if (!file || needsMapping(file, choices)) return
    const mine = ++run.current
    const key = keyOf(file, choices)
    setChecked(null)
    setFailure(null)
    setBusy('checking')
    setProgress(null)
    checkStatement(file, choices, (sent, total) => {
      if (run.current === mine) setProgress({ sent, total })
    })
      .then((result) => {
        if (run.current !== mine) return
        setChecked({ key, result })
      })
      .catch((error: unknown) => {
        if (run.current !== mine) return
        setFailure(importFailureOf(error))
      })
      .finally(() => {
        if (run.current !== mine) return
        setBusy(null)
        setProgress(null)
      })
  }, [file, choices])

  async function onImport() {
    if (!file || !checked || checked.key !== keyOf(file, choices)) return
    const mine = ++run.current
    setBusy('importing')
    setFailure(null)
    setProgress(null)
    try {
      await importStatement(file, choices, (sent, total) => setProgress({ sent, total }))
      onClose()
    } catch (error) {
      if (run.current !== mine) return
      setChecked(null)
      setFailure(importFailureOf(error))
    } finally {
      if (run.current === mine) {
        setBusy(null)
        setProgress(null)
      }
    }
  }

  const result = checked && file && checked.key === keyOf(file, choices) ? checked.result : null
  // Statement accounts the file names that are not linked to a ledger account yet (new ones included).
  const linkedIds = useMemo(() => new Set(accounts.filter((a) => a.ledgerAccountId !== null).map((a) => a.id)), [accounts])
  const unlinkedCurrencies = useMemo(() => {
    const currencies = new Set((result?.statements ?? []).filter((s) => !linkedIds.has(s.accountId)).map((s) => s.currency))
    return [...currencies]
  }, [result, linkedIds])
  const linkOptions = useMemo(() => {
    const [first, ...rest] = unlinkedCurrencies
    if (first === undefined || rest.length > 0) return []
    return ledgerAccountsFor(first, ledgerAccounts, assets)
  }, [unlinkedCurrencies, ledgerAccounts, assets])
  const showLink = choices.ledgerAccountId !== null || (result !== null && unlinkedCurrencies.length > 0)
  const duplicateOf = failure?.duplicateOf ? statements.find((s) => s.fileId === failure.duplicateOf?.fileId) : undefined
  const mappingMissing = file !== null && needsMapping(file, choices)

  return (
    <Stack gap="md" data-testid="recon-import-form">
      <FileDropZone
        accept={STATEMENT_FILE_ACCEPT}
        fileWord="statement file"
        testId="recon-import-drop"
        compact
        onFile={(f) => void onFile(f)}
        onRefused={(message) => setFailure({ code: null, message, items: [], duplicateOf: null })}
        disabled={busy === 'importing'}
        title={
          file ? (
            <span data-testid="recon-import-file-name">
              {file.name}{' '}
              <Text span size="xs" c="dimmed" fw={400}>
                {formatCount(file.text.length)} characters{file.encoding === 'windows-1252' ? ', read as Windows-1252' : ''}
              </Text>
            </span>
          ) : (
            'Drop a statement file here'
          )
        }
        hint={
          file
            ? 'Drop or choose another file to check that one instead.'
            : 'camt.052/053/054, MT940/942, BAI2, OFX, or a CSV with a saved column mapping. The format is recognised from the content.'
        }
      />

      <Group grow align="flex-start" gap="md" wrap="wrap">
        <Select
          label="Format"
          size="sm"
          value={choices.format ?? RECOGNISED}
          onChange={(v) => setChoices({ ...choices, format: !v || v === RECOGNISED ? null : (v as StatementFileFormatName) })}
          data={[
            { value: RECOGNISED, label: 'Recognised from the file' },
            ...STATEMENT_FILE_FORMAT_NAMES.map((f) => ({ value: f, label: FORMAT_LABELS[f] })),
          ]}
          allowDeselect={false}
          disabled={busy === 'importing'}
          data-testid="recon-import-format"
        />
        <Select
          label="CSV column mapping"
          size="sm"
          withAsterisk={mappingMissing}
          value={choices.mapping ?? NO_MAPPING}
          onChange={(v) => setChoices({ ...choices, mapping: !v || v === NO_MAPPING ? null : v })}
          data={[{ value: NO_MAPPING, label: 'None (not a CSV)' }, ...mappings.map((m) => ({ value: m.name, label: m.name }))]}
          allowDeselect={false}
          disabled={busy === 'importing'}
          error={mappingMissing ? mappingHint(mappings.length) : undefined}
          data-testid="recon-import-mapping"
        />
        {showLink ? (
          <Select
            label="Link the statement account to"
            size="sm"
            value={choices.ledgerAccountId ?? NO_LINK}
            onChange={(v) => setChoices({ ...choices, ledgerAccountId: !v || v === NO_LINK ? null : v })}
            data={[
              { value: NO_LINK, label: 'Not now (link it later)' },
              ...linkOptions.map((a) => ({ value: a.id, label: `${a.name} — ${a.id} (${a.asset.id})` })),
            ]}
            allowDeselect={false}
            disabled={busy === 'importing'}
            description={
              linkOptions.length === 0 && choices.ledgerAccountId === null
                ? unlinkedCurrencies.length > 1
                  ? `The file holds accounts in ${unlinkedCurrencies.join(', ')}: link each in Statement accounts after the import.`
                  : `No ledger account holds ${unlinkedCurrencies[0] ?? 'this currency'} yet — an admin opens one, then link it in Statement accounts.`
                : 'Its lines are matched against this ledger account.'
            }
            data-testid="recon-import-link"
          />
        ) : (
          <div />
        )}
      </Group>

      {progress ? (
        <Stack gap={4} data-testid="recon-import-progress">
          <Text size="xs" c="dimmed">
            Sending {file?.name}: {formatCount(progress.sent)} of {formatCount(progress.total)} characters
          </Text>
          <Progress value={progress.total === 0 ? 0 : (progress.sent / progress.total) * 100} size="sm" />
        </Stack>
      ) : null}

      {busy === 'reading' || busy === 'checking' ? (
        <Group gap="xs" data-testid="recon-import-checking">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            {busy === 'reading' ? 'Reading the file…' : 'Checking the file against its own balances…'}
          </Text>
        </Group>
      ) : null}

      {failure ? (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle />}
          title={failure.message}
          data-testid="recon-import-error"
          data-code={failure.code ?? undefined}
        >
          {failure.items.length > 0 ? (
            <List size="sm" spacing={2}>
              {failure.items.map((p, i) => (
                <List.Item key={i} data-testid="recon-import-error-item" style={{ overflowWrap: 'anywhere' }}>
                  {p}
                </List.Item>
              ))}
            </List>
          ) : null}
          {failure.duplicateOf ? (
            <Text size="sm" data-testid="recon-import-duplicate-of" style={{ overflowWrap: 'anywhere' }}>
              {duplicateSentence(failure.duplicateOf, duplicateOf, operators.find((o) => o.id === duplicateOf?.importedBy)?.name)}
            </Text>
          ) : null}
          {duplicateOf ? (
            <Button
              mt="sm"
              size="xs"
              variant="default"
              onClick={() => {
                onShowStatement(duplicateOf.id)
                onClose()
              }}
              data-testid="recon-import-show-duplicate"
            >
              Show the earlier import
            </Button>
          ) : null}
        </Alert>
      ) : null}

      {result ? <DryRun result={result} /> : null}

      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          leftSection={<IconUpload size={16} />}
          onClick={() => void onImport()}
          disabled={!result || busy !== null}
          loading={busy === 'importing'}
          data-testid="recon-import-submit"
        >
          {result ? `Import ${formatCount(result.lines)} ${result.lines === 1 ? 'line' : 'lines'}` : 'Import'}
        </Button>
      </Group>
    </Stack>
  )
}

function mappingHint(saved: number): string {
  return saved === 0
    ? 'A CSV is read with a saved column mapping, and none is saved yet — close this and press New mapping under CSV column mappings.'
    : 'A CSV is read with a saved column mapping: choose the one for this bank’s layout.'
}

/** Statements a dry run shows one by one; a file of more (a year of daily MT940) lists the rest as a count. */
const DRY_RUN_STATEMENTS_SHOWN_MAX = 50

/** What the import would store: each statement's account, period and balances, and every warning. */
function DryRun({ result }: { result: ImportStatementResult }) {
  const n = result.statements.length
  const shown = result.statements.slice(0, DRY_RUN_STATEMENTS_SHOWN_MAX)
  return (
    <Stack gap="sm" data-testid="recon-dry-run">
      <Alert color="teal" variant="light" icon={<IconCircleCheck />} title="Checked — nothing is stored until you press Import">
        <Text size="sm" data-testid="recon-dry-run-summary">
          {result.fileName} is a {result.format} file: {formatCount(n)} {n === 1 ? 'statement' : 'statements'} with{' '}
          {formatCount(result.lines)} {result.lines === 1 ? 'line' : 'lines'}, each statement’s lines adding up from its opening to its
          closing balance.
        </Text>
      </Alert>
      {shown.map((s) => (
        <DryRunStatement key={s.id} statement={s} />
      ))}
      {n > shown.length ? (
        <Text size="sm" c="dimmed">
          …and {formatCount(n - shown.length)} more statements, each checked the same way.
        </Text>
      ) : null}
      <StatementWarnings
        warnings={result.warnings}
        title={`${formatCount(result.warnings.length)} ${result.warnings.length === 1 ? 'warning' : 'warnings'} — the file can still be imported`}
        testId="recon-dry-run-warnings"
      />
    </Stack>
  )
}

/** One statement as it would be stored: who, when, and its four balances in full. */
function DryRunStatement({ statement: s }: { statement: StatementSummary }) {
  const cells = [
    { key: 'opening', label: 'Opening', value: s.opening },
    { key: 'in', label: 'In', value: s.credits },
    { key: 'out', label: 'Out', value: s.debits },
    { key: 'closing', label: 'Closing', value: s.closing },
  ]
  return (
    <Paper withBorder radius="md" p="sm" data-testid="recon-dry-run-statement">
      <Group gap={6} wrap="wrap" mb={6}>
        <Text size="sm" fw={700}>
          {s.statementRef ?? s.fileName}
        </Text>
        <Text size="sm" c="dimmed">
          ·
        </Text>
        <Text size="sm" ff="monospace" data-testid="recon-dry-run-account">
          {s.accountId}
        </Text>
        <Text size="sm" c="dimmed" data-testid="recon-dry-run-meta">
          · {s.sequence !== null ? `sequence ${s.sequence}` : 'no sequence number'} · {formatPeriod(s.fromDate, s.toDate)} ·{' '}
          <span data-testid="recon-dry-run-lines">{formatCount(s.lines)}</span> {s.lines === 1 ? 'line' : 'lines'}
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="xs" verticalSpacing="xs">
        {cells.map((c) => (
          <Stack key={c.key} gap={0}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {c.label} ({s.currency})
            </Text>
            <Text
              size="sm"
              fw={600}
              ff="monospace"
              c={c.key === 'out' && c.value?.startsWith('-') ? 'red' : undefined}
              style={{ overflowWrap: 'anywhere' }}
              data-testid={`recon-dry-run-${c.key}`}
            >
              {c.value === null ? '— (none in the file)' : formatStatementAmount(c.value)}
            </Text>
          </Stack>
        ))}
      </SimpleGrid>
    </Paper>
  )
}
