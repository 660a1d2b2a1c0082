/**
 * The generic balanced journal: every posting of the range (CSV, or JSON lines), the ledger
 * accounts they name, and manifest.json — each file with its SHA-256, bytes and row count, and the
 * debits and credits per asset, which are equal: the bundle balances to zero per asset. That is
 * asserted before anything is built (./journalChecks.ts); an unbalanced journal yields no files.
 *
 * An accountant (or a script) checks the bundle with nothing but sha256sum and a sum per asset.
 */
import { createHash } from 'node:crypto'
import type { ExportFormat } from '../../../shared/exportsApi'
import { formatAmount } from '../../../shared/money'
import type { CoreContext } from '../context'
import { inChunks } from '../payouts/inChunks'
import { JSON_LINES_MIME, JSON_MIME, sampleOf, tableFile, type BuiltFile, type ExportColumn, type ExportRecord } from './exportFiles'
import type { AssetTotals } from './journalChecks'
import { JOURNAL_COLUMNS, journalRecords } from './journalRecords'
import type { JournalEntry } from './readJournal'

export const JOURNAL_BUNDLE_SCHEMA = 'countersign.journal-bundle/1'
export const MANIFEST_NAME = 'manifest.json'

const ACCOUNT_COLUMNS: readonly ExportColumn[] = [
  { key: 'id', header: 'Account' },
  { key: 'name', header: 'Name' },
  { key: 'kind', header: 'Kind' },
  { key: 'asset', header: 'Asset' },
  { key: 'address', header: 'Address' },
]

export interface BundleContext {
  format: ExportFormat
  range: string
  generatedAt: string
  filters: Record<string, string>
}

async function accountRecords(ctx: CoreContext, entries: readonly JournalEntry[]): Promise<ExportRecord[]> {
  const ids = [...new Set(entries.flatMap((e) => e.lines.map((l) => l.accountId)))].sort()
  const rows = []
  for (const chunk of inChunks(ids)) {
    rows.push(
      ...(await ctx.db.all(ctx.db.k.selectFrom('accounts').select(['id', 'name', 'kind', 'asset_id', 'address']).where('id', 'in', chunk))),
    )
  }
  return rows
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((a) => ({ id: a.id, name: a.name, kind: a.kind, asset: a.asset_id, address: a.address }))
}

/** JSON lines: one record per line, keys in column order. */
function jsonLinesFile(name: string, columns: readonly ExportColumn[], records: readonly ExportRecord[]): BuiltFile {
  const text = records.map((r) => JSON.stringify(Object.fromEntries(columns.map((c) => [c.key, r[c.key] ?? null]))) + '\n').join('')
  return { name, mime: JSON_LINES_MIME, text, rows: records.length, columns: columns.map((c) => c.key), sample: sampleOf(columns, records) }
}

function dataFile(base: string, b: BundleContext, columns: readonly ExportColumn[], records: readonly ExportRecord[]): BuiltFile {
  return b.format === 'json' ? jsonLinesFile(`${base}.jsonl`, columns, records) : tableFile(base, 'csv', columns, records, {})
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

export async function buildJournalBundle(
  ctx: CoreContext,
  entries: readonly JournalEntry[],
  totals: readonly AssetTotals[],
  b: BundleContext,
): Promise<BuiltFile[]> {
  const files = [
    dataFile(`journal-postings-${b.range}`, b, JOURNAL_COLUMNS, journalRecords(entries)),
    dataFile(`journal-accounts-${b.range}`, b, ACCOUNT_COLUMNS, await accountRecords(ctx, entries)),
  ]
  const manifest = {
    schema: JOURNAL_BUNDLE_SCHEMA,
    generatedAt: b.generatedAt,
    filters: b.filters,
    files: files.map((f) => ({ name: f.name, sha256: sha256Hex(f.text), bytes: Buffer.byteLength(f.text, 'utf8'), rows: f.rows })),
    // Equal per asset by construction (balancedTotals refused otherwise); written for the reader to check.
    totals: totals.map((t) => ({
      asset: t.assetId,
      code: t.code,
      scale: t.scale,
      postings: t.lines,
      debits: formatAmount(t.debits, t.scale),
      credits: formatAmount(t.credits, t.scale),
    })),
  }
  const text = JSON.stringify(manifest, null, 2) + '\n'
  const manifestFile: BuiltFile = {
    name: MANIFEST_NAME,
    mime: JSON_MIME,
    text,
    rows: manifest.files.length,
    columns: ['name', 'sha256', 'rows'],
    sample: manifest.files.map((f) => [f.name, f.sha256, String(f.rows)]),
  }
  return [...files, manifestFile]
}
