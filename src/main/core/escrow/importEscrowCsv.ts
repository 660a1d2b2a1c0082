/**
 * Create escrows from a CSV, one row per milestone: rows with the same escrow_name form one escrow
 * (their escrow-level cells must agree). Read with the payout importer's tokenizer (quotes, BOM,
 * `sep=` lines, ; and tab separators); every cell goes through the same checks as the create form
 * (EscrowCreateInput: safe text, decimal amounts), then createEscrow. All or nothing: one bad row
 * and no escrow is created, the error naming the row and column.
 */
import { EscrowCreateInput, type EscrowSummary } from '../../../shared/escrowApi'
import { CsError } from '../../../shared/errors'
import type { RowIssue } from '../../../shared/payoutImport'
import type { Actor, CoreContext } from '../context'
import { readCsvText, tokenizeCsv, type CsvRecord } from '../payouts/import/tokenizeCsv'
import type { EscrowRailRegistry } from '../rails/EscrowRail'
import { createEscrow } from './createEscrow'
import { listEscrows } from './escrowViews'

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
type Column = (typeof ESCROW_CSV_COLUMNS)[number]
const ESCROW_LEVEL: readonly Column[] = ['reference', 'rail', 'network', 'asset', 'payee', 'payee_name', 'expires_at']
const ESCROW_CSV_ROWS_MAX = 5_000

export async function importEscrowCsv(
  ctx: CoreContext,
  actor: Actor,
  rails: EscrowRailRegistry,
  input: { csv: string; autoRelease: boolean },
): Promise<EscrowSummary[]> {
  const records = readRecords(input.csv)
  const groups = groupRows(records)
  const inputs = [...groups.values()].map((rows) => toCreateInput(rows, input.autoRelease))
  const ids = await ctx.db.tx(async () => {
    const made: string[] = []
    for (const one of inputs) made.push((await createEscrow(ctx, actor, rails, one.value)).escrowId)
    return made
  })
  const all = await listEscrows(ctx, {})
  return all.escrows.filter((e) => ids.includes(e.id))
}

type Row = { row: number; cells: Record<Column, string> }

function readRecords(text: string): Row[] {
  const issues: RowIssue[] = []
  const csv = readCsvText(text, issues)
  const records: CsvRecord[] = []
  // The tokenizer reuses its record between calls: keep a copy.
  if (csv)
    tokenizeCsv(csv, issues, (rec) => records.push({ row: rec.row, cells: [...rec.cells], quoted: rec.quoted }) <= ESCROW_CSV_ROWS_MAX)
  if (issues.length > 0 || !csv)
    throw new CsError(
      'ESCROW_INVALID',
      issues[0]?.message ?? 'The file is not a CSV text — export it from your spreadsheet as CSV (UTF-8).',
    )
  const [header, ...body] = records
  if (!header) throw new CsError('ESCROW_INVALID', `The file is empty — its first row names the columns: ${ESCROW_CSV_COLUMNS.join(',')}.`)
  const names = header.cells.map((c) => c.trim().toLowerCase())
  const missing = ESCROW_CSV_COLUMNS.filter((c) => c !== 'reference' && c !== 'payee_name' && !names.includes(c))
  if (missing.length > 0)
    throw new CsError('ESCROW_INVALID', `The header lacks ${missing.join(', ')} — the columns are ${ESCROW_CSV_COLUMNS.join(',')}.`, {
      details: { field: missing[0] },
    })
  return body
    .filter((rec) => rec.cells.some((c) => c.trim() !== ''))
    .map((rec) => {
      const cells = {} as Record<Column, string>
      for (const col of ESCROW_CSV_COLUMNS) {
        const i = names.indexOf(col)
        cells[col] = i < 0 ? '' : (rec.cells[i] ?? '').trim()
      }
      return { row: rec.row, cells }
    })
}

function groupRows(rows: readonly Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>()
  for (const r of rows) {
    const name = r.cells.escrow_name
    if (name === '')
      throw new CsError('ESCROW_INVALID', `Row ${r.row}, escrow_name: empty — name the escrow this milestone belongs to.`, {
        details: { field: 'escrow_name' },
      })
    const group = groups.get(name) ?? []
    const first = group[0]
    if (first) {
      for (const col of ESCROW_LEVEL)
        if (r.cells[col] !== first.cells[col])
          throw new CsError(
            'ESCROW_INVALID',
            `Row ${r.row}, ${col}: "${r.cells[col].slice(0, 40)}" differs from row ${first.row} of the same escrow "${name.slice(0, 40)}" — one escrow has one ${col}.`,
            {
              details: { field: col },
            },
          )
    }
    group.push(r)
    groups.set(name, group)
  }
  return groups
}

function toCreateInput(rows: readonly Row[], autoRelease: boolean): { value: EscrowCreateInput } {
  const first = rows[0]!.cells
  const raw = {
    name: first.escrow_name,
    ...(first.reference === '' ? {} : { reference: first.reference }),
    rail: first.rail,
    network: first.network,
    assetId: first.asset,
    payee: first.payee,
    ...(first.payee_name === '' ? {} : { payeeName: first.payee_name }),
    funding: 'treasury',
    autoRelease,
    expiresAt: first.expires_at,
    milestones: rows.map((r) => ({
      title: r.cells.milestone_title,
      amount: r.cells.amount,
      reviewWindowHours: Number(r.cells.review_window_hours),
      reviewEndsAt: r.cells.review_ends_at,
    })),
  }
  const parsed = EscrowCreateInput.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const milestoneIndex = issue.path[0] === 'milestones' && typeof issue.path[1] === 'number' ? issue.path[1] : 0
    const row = rows[milestoneIndex]?.row ?? rows[0]!.row
    throw new CsError('ESCROW_INVALID', `Row ${row}, ${issue.path.join('.')}: ${issue.message}.`, {
      details: { field: issue.path.join('.') },
    })
  }
  return { value: parsed.data }
}
