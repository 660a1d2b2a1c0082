/**
 * CSV -> a draft batch of pending payouts, all or nothing.
 *
 * A file with problems stores nothing, unless the person asks to keep the valid rows as a draft
 * (`keepValidAsDraft`): then only the valid rows are stored and the result still lists every
 * problem, so the rest can be fixed and imported (their ids stay protected against duplicates).
 * Whole-file problems (encoding, header, more than ROWS_PER_BATCH_MAX rows) store nothing even
 * then: the "valid rows" of a misread file are not trustworthy, and a cut at 10,000 is arbitrary.
 *
 * Validation runs inside the write transaction, so an id checked as unused cannot be taken by
 * another window between the check and the insert. It awaits only the database inside it.
 * The batch starts in 'draft'; submitting it for approval belongs to the batches module.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type { ImportPayoutCsvResult, ParsedPayoutRow, RowIssue } from '../../../../shared/payoutImport'
import { BATCH_NAME_CHARS_MAX } from '../../../../shared/limits'
import { appendAudit } from '../../audit/appendAudit'
import { openRowSeals, type RowSeals } from '../../audit/rowSeals'
import { PAYOUT_SEALED_COLUMNS, type PayoutSealContent } from '../../audit/sealContent'
import type { Actor, CoreContext } from '../../context'
import { invariant, unreachable } from '../../util/invariant'
import { countByCode, storeImportWarnings } from '../batches/batchWarnings'
import { parsePayoutCsv } from './parsePayoutCsv'
import { sortIssues, sortWarnings } from './rowIssues'
import { validatePayoutRows, type ValidPayoutRow } from './validatePayoutRows'

/** Fresh batch ids tried before giving up (a clash of 48 random bits is already ~never). */
const batchIdAttemptsMax = 3
/** Random bytes in a batch id: `b_` + 12 hex characters. */
const batchIdRandomBytes = 6

export interface ImportPayoutCsvParameters {
  csv: string | Buffer | Uint8Array
  fileName?: string | undefined
  batchName?: string | undefined
  /** Chain id for the Safe airdrop layout ("8453"). */
  network?: string | undefined
  keepValidAsDraft?: boolean | undefined
}

export interface ImportPayoutCsvOptions {
  /** Deterministic ids for tests. */
  newBatchId?: () => string
}

export type ImportPayoutCsvReturnType = ImportPayoutCsvResult

/** Codes that make the whole file untrustworthy: nothing is stored, even with keepValidAsDraft. */
const WHOLE_FILE_CODES: ReadonlySet<RowIssue['code']> = new Set([
  'FILE_ENCODING',
  'FILE_TOO_LARGE',
  'FILE_EMPTY',
  'ROWS_TOO_MANY',
  'HEADER_MISSING_COLUMNS',
  'HEADER_UNKNOWN_COLUMN',
  'HEADER_DUPLICATE_COLUMN',
  'NETWORK_REQUIRED',
])

export function newBatchId(): string {
  return 'b_' + randomBytes(batchIdRandomBytes).toString('hex')
}

export async function importPayoutCsv(
  ctx: CoreContext,
  actorId: Actor,
  input: ImportPayoutCsvParameters,
  options: ImportPayoutCsvOptions = {},
): Promise<ImportPayoutCsvReturnType> {
  const fileName = input.fileName !== undefined ? path.basename(input.fileName.replaceAll('\\', '/')) : undefined
  const parsed = parsePayoutCsv(input.csv, { fileName, network: input.network })

  return await ctx.db.tx(async () => {
    const checked = await validatePayoutRows(ctx, parsed.rows)
    const issues = sortIssues([...parsed.issues, ...checked.issues])
    const warnings = sortWarnings([...parsed.warnings, ...checked.warnings])
    const result = (batchId: string | null): ImportPayoutCsvReturnType => ({
      batchId,
      rowsTotal: parsed.rowsTotal,
      valid: checked.valid.map(toContractRow),
      issues,
      warnings,
    })
    const wholeFileBroken = issues.some((i) => WHOLE_FILE_CODES.has(i.code))
    if (checked.valid.length === 0 || wholeFileBroken || (issues.length > 0 && input.keepValidAsDraft !== true)) return result(null)

    const batchId = await pickBatchId(ctx, options.newBatchId ?? newBatchId)
    const now = ctx.clock.now().toISOString()
    const name = (input.batchName?.trim() || fileName || `Import ${now.slice(0, 10)}`).slice(0, BATCH_NAME_CHARS_MAX)
    const source = fileName !== undefined ? `csv:${fileName}` : 'csv'
    await ctx.db.run(
      ctx.db.k.insertInto('batches').values({
        id: batchId,
        name,
        state: 'draft',
        version: 1,
        source,
        created_by: actorId,
        editors: JSON.stringify([actorId]),
        created_at: now,
        updated_at: now,
      }),
    )
    const seals = await openRowSeals(ctx)
    await insertPayouts(ctx, seals, batchId, checked.valid, now)
    const stored = await storeImportWarnings(ctx, batchId, warnings, new Map(checked.valid.map((v) => [v.row, v.id])))
    await appendAudit(ctx, {
      actor: actorId,
      action: 'payouts.import',
      subject: `batch:${batchId}`,
      change: {
        name,
        source,
        state: 'draft',
        rowsTotal: parsed.rowsTotal,
        payouts: checked.valid.length,
        // Rows left out because they had problems (kept as a draft with the rest).
        rowsWithIssues: new Set(issues.filter((i) => i.row !== null).map((i) => i.row)).size,
        totals: totalsByAsset(checked.valid),
        warnings: countByCode(stored),
      },
      seals,
    })
    return result(batchId)
  })
}

async function pickBatchId(ctx: CoreContext, generate: () => string): Promise<string> {
  for (let attempt = 0; attempt < batchIdAttemptsMax; attempt++) {
    const id = generate()
    if (!(await ctx.db.first(ctx.db.k.selectFrom('batches').select('id').where('id', '=', id)))) return id
  }
  unreachable(`${batchIdAttemptsMax} batch ids in a row were taken — the id generator is broken`)
}

/** The columns insertPayouts writes (the sealed ones first); the rest (submission, entry, failure) start NULL. */
const PAYOUT_COLUMNS = [...PAYOUT_SEALED_COLUMNS, 'state', 'attempt', 'created_at', 'updated_at'] as const

/** One bulk insert (the database's fastest way in), not a statement per row; every row sealed. */
async function insertPayouts(
  ctx: CoreContext,
  seals: RowSeals,
  batchId: string,
  rows: readonly ValidPayoutRow[],
  now: string,
): Promise<void> {
  const stored = rows.map((r): PayoutSealContent => {
    // Invariant: what we store is exactly the validated amount, positive, as canonical integer text.
    invariant(r.amountMinor > 0n, () => `payout ${r.id} has a non-positive amount`)
    return {
      id: r.id,
      batch_id: batchId,
      row_no: r.row,
      rail: r.rail,
      network: r.network,
      asset_id: r.assetId,
      recipient: r.recipient,
      amount: r.amountMinor.toString(),
      memo: r.memo ?? null,
      reference: r.reference ?? null,
      name: r.name ?? null,
    }
  })
  const values = stored.map((p) => [...PAYOUT_SEALED_COLUMNS.map((c) => p[c]), 'pending', 0, now, now])
  await ctx.db.insertRows('payouts', PAYOUT_COLUMNS, values)
  await seals.seal(ctx, 'payouts', stored)
}

/** Minor units per asset, as decimal integer strings (the audit row is JSON). */
function totalsByAsset(rows: readonly ValidPayoutRow[]): Record<string, string> {
  const totals = new Map<string, bigint>()
  for (const r of rows) totals.set(r.assetId, (totals.get(r.assetId) ?? 0n) + r.amountMinor)
  return Object.fromEntries([...totals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.toString()]))
}

function toContractRow(r: ValidPayoutRow): ParsedPayoutRow {
  const { amountMinor: _amountMinor, scale: _scale, ...rest } = r
  return rest
}
