/**
 * The saved CSV column mappings (one per bank layout) and a form to write one: which column holds
 * what (a header name, or the column's number from 1), how dates and amounts are written, the
 * account the file is a statement of. The core checks it against its schema when it is saved; each
 * refused field shows its sentence beside the field, and every refusal is listed above Save.
 */
import {
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { IconPencil, IconPlus } from '@tabler/icons-react'
import { useState } from 'react'
import {
  CSV_COLUMN_FIELDS,
  CSV_DATE_FORMATS,
  CSV_DECIMAL_SEPARATORS,
  CSV_DELIMITERS,
  CSV_NEGATIVE_STYLES,
  CSV_ROW_ORDERS,
  CSV_THOUSANDS_SEPARATORS,
  type CsvColumnField,
} from '../../../../shared/csvMappingOptions'
import { detailsOf } from '../../lib/api'
import { formatTimestamp } from '../../lib/format'
import { saveMapping } from './matchActions'
import { EmptyNote, RefusalAlert, refusalOf, type Refusal } from './matchParts'
import { useRecon, type CsvMappingName } from './store'

type Delimiter = (typeof CSV_DELIMITERS)[number]
type DateFormat = (typeof CSV_DATE_FORMATS)[number]
type DecimalSeparator = (typeof CSV_DECIMAL_SEPARATORS)[number]
type ThousandsSeparator = (typeof CSV_THOUSANDS_SEPARATORS)[number]
type NegativeStyle = (typeof CSV_NEGATIVE_STYLES)[number]
type RowOrder = (typeof CSV_ROW_ORDERS)[number]

const DELIMITER_LABELS: Record<Delimiter, string> = { ',': 'Comma ( , )', ';': 'Semicolon ( ; )', '\t': 'Tab', '|': 'Pipe ( | )' }
const THOUSANDS_LABELS: Record<ThousandsSeparator, string> = {
  none: 'None (1234.56)',
  ',': 'Comma (1,234)',
  '.': 'Point (1.234)',
  ' ': 'Space (1 234)',
  "'": "Apostrophe (1'234)",
}
const NEGATIVE_LABELS: Record<NegativeStyle, string> = { leadingMinus: '-12.50', trailingMinus: '12.50-', parentheses: '(12.50)' }
const ROW_ORDER_LABELS: Record<RowOrder, string> = { oldestFirst: 'Oldest row first', newestFirst: 'Newest row first' }
const COLUMN_LABELS: Record<CsvColumnField, string> = {
  date: 'Booking date',
  valueDate: 'Value date',
  amount: 'Amount (signed)',
  debit: 'Debit (money out)',
  credit: 'Credit (money in)',
  currency: 'Currency',
  reference: 'Bank reference',
  endToEndId: 'End-to-end id',
  counterpartyName: 'Counterparty name',
  counterpartyAccount: 'Counterparty IBAN',
  description: 'Description / remittance',
  balance: 'Running balance',
}
const NAME_CHARS_MAX = 80
const HEADER_ROWS_MAX = 100

interface MappingForm {
  name: string
  delimiter: Delimiter
  headerRows: number
  dateFormat: DateFormat
  decimalSeparator: DecimalSeparator
  thousandsSeparator: ThousandsSeparator
  negativeStyle: NegativeStyle
  rowOrder: RowOrder
  accountId: string
  currency: string
  openingBalance: string
  amounts: 'signed' | 'split'
  columns: Record<CsvColumnField, string>
}

const BLANK: MappingForm = {
  name: '',
  delimiter: ',',
  headerRows: 1,
  dateFormat: 'YYYY-MM-DD',
  decimalSeparator: '.',
  thousandsSeparator: 'none',
  negativeStyle: 'leadingMinus',
  rowOrder: 'oldestFirst',
  accountId: '',
  currency: '',
  openingBalance: '',
  amounts: 'signed',
  columns: Object.fromEntries(CSV_COLUMN_FIELDS.map((f) => [f, ''])) as Record<CsvColumnField, string>,
}

function pick<T extends string>(value: unknown, choices: readonly T[], fallback: T): T {
  return typeof value === 'string' && (choices as readonly string[]).includes(value) ? (value as T) : fallback
}

/** A saved mapping read into the form (defensively: it came from the core as `unknown`). */
function formOf(saved: CsvMappingName): MappingForm {
  const m = (typeof saved.mapping === 'object' && saved.mapping !== null ? saved.mapping : {}) as Record<string, unknown>
  const account = (typeof m['account'] === 'object' && m['account'] !== null ? m['account'] : {}) as Record<string, unknown>
  const cols = (typeof m['columns'] === 'object' && m['columns'] !== null ? m['columns'] : {}) as Record<string, unknown>
  const columns = { ...BLANK.columns }
  for (const f of CSV_COLUMN_FIELDS) {
    const v = cols[f]
    columns[f] = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : ''
  }
  return {
    name: saved.name,
    delimiter: pick(m['delimiter'], CSV_DELIMITERS, BLANK.delimiter),
    headerRows: typeof m['headerRows'] === 'number' ? m['headerRows'] : BLANK.headerRows,
    dateFormat: pick(m['dateFormat'], CSV_DATE_FORMATS, BLANK.dateFormat),
    decimalSeparator: pick(m['decimalSeparator'], CSV_DECIMAL_SEPARATORS, BLANK.decimalSeparator),
    thousandsSeparator: pick(m['thousandsSeparator'], CSV_THOUSANDS_SEPARATORS, BLANK.thousandsSeparator),
    negativeStyle: pick(m['negativeStyle'], CSV_NEGATIVE_STYLES, BLANK.negativeStyle),
    rowOrder: pick(m['rowOrder'], CSV_ROW_ORDERS, BLANK.rowOrder),
    accountId: typeof account['id'] === 'string' ? account['id'] : '',
    currency: typeof account['currency'] === 'string' ? account['currency'] : '',
    openingBalance: typeof m['openingBalance'] === 'string' ? m['openingBalance'] : '',
    amounts: columns.debit || columns.credit ? 'split' : 'signed',
    columns,
  }
}

/** The form as the core's schema reads it: a column is a header name, or its number when all digits. */
function mappingOf(f: MappingForm): Record<string, unknown> {
  const columns: Record<string, string | number> = {}
  for (const field of CSV_COLUMN_FIELDS) {
    if (f.amounts === 'signed' && (field === 'debit' || field === 'credit')) continue
    if (f.amounts === 'split' && field === 'amount') continue
    const v = f.columns[field].trim()
    if (v !== '') columns[field] = /^\d+$/.test(v) ? Number(v) : v
  }
  return {
    name: f.name.trim(),
    delimiter: f.delimiter,
    headerRows: f.headerRows,
    columns,
    dateFormat: f.dateFormat,
    decimalSeparator: f.decimalSeparator,
    thousandsSeparator: f.thousandsSeparator,
    negativeStyle: f.negativeStyle,
    rowOrder: f.rowOrder,
    account: { id: f.accountId.trim(), currency: f.currency.trim() },
    ...(f.openingBalance.trim() ? { openingBalance: f.openingBalance.trim() } : {}),
  }
}

/** "; · DD.MM.YYYY · 1.234,56 · 5 lines before the data" */
function layoutOf(f: MappingForm): string {
  const sep = f.thousandsSeparator === 'none' ? '' : f.thousandsSeparator
  return `${DELIMITER_LABELS[f.delimiter]} · ${f.dateFormat} · 1${sep}234${f.decimalSeparator}56 · ${f.amounts === 'signed' ? 'signed amount' : 'debit and credit'}`
}

export function CsvMappingsCard({ canSave, notImporter }: { canSave: boolean; notImporter: string }) {
  const mappings = useRecon((s) => s.mappings)
  const [editing, setEditing] = useState<{ form: MappingForm; isNew: boolean } | null>(null)
  return (
    <Card withBorder padding="lg" data-testid="recon-mappings">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Stack gap={0}>
            <Title order={4}>CSV column mappings</Title>
            <Text size="sm" c="dimmed">
              A CSV statement is read with the mapping of its bank’s layout — describe each layout once.
            </Text>
          </Stack>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconPlus size={14} />}
            onClick={() => setEditing({ form: BLANK, isNew: true })}
            disabled={!canSave}
            title={canSave ? undefined : notImporter}
            data-testid="recon-mapping-new"
          >
            New mapping
          </Button>
        </Group>
        {mappings.length === 0 ? (
          <EmptyNote testId="recon-mappings-empty">
            No mapping saved yet. To import a CSV export, press New mapping and name the columns of your bank’s file.
          </EmptyNote>
        ) : (
          <Table layout="fixed" verticalSpacing={6} data-testid="recon-mappings-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Account</Table.Th>
                <Table.Th visibleFrom="lg">Layout</Table.Th>
                <Table.Th w={120} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {mappings.map((m) => {
                const f = formOf(m)
                return (
                  <Table.Tr key={m.name} data-testid="recon-mapping" data-name={m.name}>
                    <Table.Td>
                      <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                        {m.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        saved {formatTimestamp(m.updatedAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                        {f.accountId || '—'}
                      </Text>
                      <Badge size="xs" variant="light" radius="sm">
                        {f.currency || '—'}
                      </Badge>
                    </Table.Td>
                    <Table.Td visibleFrom="lg">
                      <Text size="xs" c="dimmed">
                        {layoutOf(f)}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Button
                        size="compact-xs"
                        variant="default"
                        leftSection={<IconPencil size={12} />}
                        onClick={() => setEditing({ form: f, isNew: false })}
                        disabled={!canSave}
                        title={canSave ? undefined : notImporter}
                        data-testid="recon-mapping-edit"
                      >
                        Edit
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                )
              })}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {editing ? <MappingEditor initial={editing.form} isNew={editing.isNew} onClose={() => setEditing(null)} /> : null}
    </Card>
  )
}

function MappingEditor({ initial, isNew, onClose }: { initial: MappingForm; isNew: boolean; onClose: () => void }) {
  const [f, setF] = useState<MappingForm>(initial)
  const [busy, setBusy] = useState(false)
  const [refusal, setRefusal] = useState<Refusal | null>(null)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const set = (patch: Partial<MappingForm>) => setF((x) => ({ ...x, ...patch }))
  const setColumn = (field: CsvColumnField, value: string) => setF((x) => ({ ...x, columns: { ...x.columns, [field]: value } }))
  const err = (path: string) => fieldErrors[path]

  async function save() {
    setBusy(true)
    setRefusal(null)
    setFieldErrors({})
    try {
      await saveMapping(f.name.trim(), mappingOf(f))
      onClose()
    } catch (error) {
      const issues = detailsOf(error, 'STATEMENT_MAPPING_INVALID')?.issues ?? []
      const r = refusalOf(error)
      setRefusal({ ...r, items: [...r.items, ...issues.map((i) => `${i.path || 'mapping'}: ${i.message}`)] })
      const byPath: Record<string, string> = {}
      for (const i of issues) byPath[i.path] ??= i.message
      setFieldErrors(byPath)
    } finally {
      setBusy(false)
    }
  }

  const moneyColumns: CsvColumnField[] = f.amounts === 'signed' ? ['amount'] : ['debit', 'credit']
  const otherColumns: CsvColumnField[] = [
    'valueDate',
    'currency',
    'reference',
    'endToEndId',
    'counterpartyName',
    'counterpartyAccount',
    'description',
    'balance',
  ]
  return (
    <Modal
      opened
      onClose={onClose}
      title={isNew ? 'New CSV column mapping' : `Edit “${initial.name}”`}
      size={880}
      data-testid="recon-mapping-editor"
    >
      <Stack gap="md">
        <Grid gap="sm">
          <Grid.Col span={{ base: 12, sm: 5 }}>
            <TextInput
              label="Name"
              description="The bank and its export, e.g. “Sparkasse — Umsätze (CSV)”"
              value={f.name}
              onChange={(e) => set({ name: e.currentTarget.value })}
              maxLength={NAME_CHARS_MAX}
              withAsterisk
              disabled={!isNew}
              error={err('name')}
              data-testid="recon-mapping-name"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 8, sm: 5 }}>
            <TextInput
              label="Account number or IBAN"
              description="The account the file is a statement of"
              value={f.accountId}
              onChange={(e) => set({ accountId: e.currentTarget.value })}
              withAsterisk
              error={err('account.id') ?? err('account')}
              data-testid="recon-mapping-account"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 4, sm: 2 }}>
            <TextInput
              label="Currency"
              description="ISO code"
              placeholder="EUR"
              value={f.currency}
              onChange={(e) => set({ currency: e.currentTarget.value })}
              maxLength={3}
              withAsterisk
              error={err('account.currency')}
              data-testid="recon-mapping-currency"
            />
          </Grid.Col>
        </Grid>
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
          <Select
            label="Delimiter"
            value={f.delimiter}
            onChange={(v) => v && set({ delimiter: v as Delimiter })}
            data={CSV_DELIMITERS.map((d) => ({ value: d, label: DELIMITER_LABELS[d] }))}
            allowDeselect={false}
            error={err('delimiter')}
            data-testid="recon-mapping-delimiter"
          />
          <NumberInput
            label="Lines before the data"
            description="Preamble + header"
            value={f.headerRows}
            onChange={(v) => set({ headerRows: typeof v === 'number' ? v : 0 })}
            min={0}
            max={HEADER_ROWS_MAX}
            allowDecimal={false}
            error={err('headerRows')}
            data-testid="recon-mapping-header-rows"
          />
          <Select
            label="Date format"
            value={f.dateFormat}
            onChange={(v) => v && set({ dateFormat: v as DateFormat })}
            data={[...CSV_DATE_FORMATS]}
            allowDeselect={false}
            error={err('dateFormat')}
            data-testid="recon-mapping-date-format"
          />
          <Select
            label="Row order"
            value={f.rowOrder}
            onChange={(v) => v && set({ rowOrder: v as RowOrder })}
            data={CSV_ROW_ORDERS.map((o) => ({ value: o, label: ROW_ORDER_LABELS[o] }))}
            allowDeselect={false}
            error={err('rowOrder')}
          />
          <Select
            label="Decimal separator"
            value={f.decimalSeparator}
            onChange={(v) => v && set({ decimalSeparator: v as DecimalSeparator })}
            data={CSV_DECIMAL_SEPARATORS.map((d) => ({ value: d, label: d === '.' ? 'Point (12.50)' : 'Comma (12,50)' }))}
            allowDeselect={false}
            error={err('decimalSeparator')}
            data-testid="recon-mapping-decimal"
          />
          <Select
            label="Thousands separator"
            value={f.thousandsSeparator}
            onChange={(v) => v && set({ thousandsSeparator: v as ThousandsSeparator })}
            data={CSV_THOUSANDS_SEPARATORS.map((t) => ({ value: t, label: THOUSANDS_LABELS[t] }))}
            allowDeselect={false}
            error={err('thousandsSeparator')}
            data-testid="recon-mapping-thousands"
          />
          <Select
            label="Negative amounts"
            value={f.negativeStyle}
            onChange={(v) => v && set({ negativeStyle: v as NegativeStyle })}
            data={CSV_NEGATIVE_STYLES.map((n) => ({ value: n, label: NEGATIVE_LABELS[n] }))}
            allowDeselect={false}
            error={err('negativeStyle')}
          />
          <TextInput
            label="Opening balance"
            description="When printed above the table"
            placeholder="-1234.56"
            value={f.openingBalance}
            onChange={(e) => set({ openingBalance: e.currentTarget.value })}
            error={err('openingBalance')}
          />
        </SimpleGrid>
        <Stack gap={6}>
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Text size="sm" fw={600}>
              Columns — the header name as the file writes it, or the column’s number counted from 1
            </Text>
            <SegmentedControl
              size="xs"
              value={f.amounts}
              onChange={(v) => set({ amounts: v as 'signed' | 'split' })}
              data={[
                { value: 'signed', label: 'One signed amount column' },
                { value: 'split', label: 'Debit and credit columns' },
              ]}
              data-testid="recon-mapping-amounts"
            />
          </Group>
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" verticalSpacing="xs">
            {(['date', ...moneyColumns, ...otherColumns] as CsvColumnField[]).map((field) => (
              <TextInput
                key={field}
                label={COLUMN_LABELS[field]}
                withAsterisk={field === 'date' || moneyColumns.includes(field)}
                value={f.columns[field]}
                onChange={(e) => setColumn(field, e.currentTarget.value)}
                error={err(`columns.${field}`)}
                data-testid={`recon-mapping-column-${field}`}
              />
            ))}
          </SimpleGrid>
        </Stack>
        {refusal ? <RefusalAlert refusal={refusal} testId="recon-mapping-error" /> : null}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void save()} loading={busy} disabled={!f.name.trim()} data-testid="recon-mapping-save">
            Save mapping
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
