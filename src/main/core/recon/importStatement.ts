/**
 * Import one statement file: refuse it if the same file (by the SHA-256 of its text) was imported
 * before, parse it exactly, check every statement against its own balances and declared totals,
 * then store the file, its statements and every line in ONE transaction with its audit row — a
 * file is either wholly imported or not at all. What does not stop an import (a gap in the
 * statement sequence, an opening balance that differs from the last closing, no balances to
 * check, an account not linked to the ledger yet) comes back as warnings and stays with the
 * statement, so whoever reconciles later sees them too.
 */
import { createHash } from 'node:crypto'
import { CsError } from '../../../shared/errors'
import { formatAmount } from '../../../shared/money'
import type { ImportStatementResult, StatementSummary, StatementWarning } from '../../../shared/reconApi'
import { STATEMENT_CHARS_MAX } from '../../../shared/limits'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { checkStatement, type StatementTotals } from './statements/checkStatements'
import { parseStatementFile } from './statements/parseStatementFile'
import { currencyScale, type ParsedStatement, type StatementFormat } from './statements/statementModel'
import { requireLedgerAccountFor } from './reconAccounts'

/** Lines written per insert while storing (keeps one statement's parameters bounded). */
const LINES_PER_INSERT = 500

export interface ImportStatementRequest {
  text: string
  fileName: string
  format?: StatementFormat | undefined
  /** Name of a saved CSV column mapping. */
  mapping?: string | undefined
  ledgerAccountId?: string | undefined
  dryRun?: boolean | undefined
}

interface PreparedStatement {
  id: string
  index: number
  st: ParsedStatement
  accountId: string
  scale: number
  totals: StatementTotals
  warnings: StatementWarning[]
}

/** The columns of a statement line as a file gives it (rail records add their external_key). */
export const LINE_COLUMNS = [
  'id',
  'statement_id',
  'account_id',
  'idx',
  'booking_date',
  'value_date',
  'amount',
  'currency',
  'reversal',
  'status',
  'bank_ref',
  'end_to_end_id',
  'customer_ref',
  'counterparty_name',
  'counterparty_account',
  'counterparty_bic',
  'remittance',
  'structured_ref',
  'type_code',
  'details',
  'state',
  'location',
] as const

/** Our id of a statement account: the bank's account id without spaces, and the currency. */
export function reconAccountIdOf(externalId: string, currency: string): string {
  return `${externalId.replace(/\s+/g, '').toUpperCase()}:${currency.toUpperCase()}`
}

/** The first number of a sequence ("17", "17/1", "00017"), or null when there is none. */
function sequenceNumber(sequence: string | null): number | null {
  const m = sequence === null ? null : /^0*(\d{1,9})/.exec(sequence.trim())
  return m ? Number(m[1]) : null
}

export async function importStatement(ctx: CoreContext, actor: Actor, req: ImportStatementRequest): Promise<ImportStatementResult> {
  const { text, fileName } = req
  if (text.length > STATEMENT_CHARS_MAX) {
    throw new CsError(
      'STATEMENT_TOO_LARGE',
      `${fileName} has ${text.length} characters, more than the ${STATEMENT_CHARS_MAX / (1024 * 1024)} Mi one import may carry — ask the bank for shorter periods.`,
    )
  }
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex')
  const fileId = `stf_${sha256.slice(0, 20)}`
  await refuseDuplicate(ctx, sha256, fileName)

  let mapping: unknown
  if (req.mapping !== undefined) {
    const row = await ctx.db.first(ctx.db.k.selectFrom('recon_csv_mappings').selectAll().where('name', '=', req.mapping))
    if (!row)
      throw new CsError(
        'STATEMENT_MAPPING_INVALID',
        `There is no saved column mapping "${req.mapping}" — see recon mappings, or save one first.`,
      )
    mapping = JSON.parse(row.mapping) as unknown
  }
  const parsed = parseStatementFile(text, { fileName, format: req.format, mapping })

  const now = ctx.clock.now().toISOString()
  const prepared: PreparedStatement[] = []
  const last = new Map<string, { sequence: number | null; closing: bigint | null; label: string }>()
  for (const [i, st] of parsed.statements.entries()) {
    const label = `${fileName}, statement ${i + 1}${st.statementId ? ` (${st.statementId})` : ''}`
    const { totals, warnings } = checkStatement(st, label)
    const accountId = reconAccountIdOf(st.account.id, st.account.currency)
    const previous = last.get(accountId) ?? (await lastStatementOf(ctx, accountId))
    warnings.push(...continuityWarnings(st, label, previous))
    last.set(accountId, { sequence: sequenceNumber(st.sequence), closing: st.closing?.amount ?? null, label })
    prepared.push({
      id: `st_${sha256.slice(0, 20)}_${i + 1}`,
      index: i,
      st,
      accountId,
      scale: currencyScale(st.account.currency, label),
      totals,
      warnings,
    })
  }

  const linkTo = req.ledgerAccountId
  if (linkTo !== undefined) {
    for (const p of prepared) await requireLedgerAccountFor(ctx, linkTo, p.st.account.currency)
  }
  for (const p of prepared) {
    const existing = await ctx.db.first(ctx.db.k.selectFrom('recon_accounts').select('ledger_account_id').where('id', '=', p.accountId))
    if (existing?.ledger_account_id && linkTo !== undefined && existing.ledger_account_id !== linkTo) {
      throw new CsError(
        'RECON_ACCOUNT_MISMATCH',
        `${p.accountId} is linked to the ledger account ${existing.ledger_account_id}, not ${linkTo} — leave out the ledger account, or change the link first (recon link).`,
      )
    }
    if (!existing?.ledger_account_id && linkTo === undefined) {
      p.warnings.push({
        code: 'ACCOUNT_UNLINKED',
        where: p.accountId,
        message: `The statement account ${p.accountId} is not linked to a ledger account yet — link it to the ledger account it shows (Reconciliation → Statement accounts, or recon link) so its lines can be matched.`,
      })
    }
  }

  const lines = prepared.reduce((s, p) => s + p.st.entries.length, 0)
  const summaries = prepared.map((p) => summaryOf(p, fileId, fileName, parsed.format, now, actor))
  const result: ImportStatementResult = {
    fileId,
    sha256,
    fileName,
    format: parsed.format,
    dryRun: req.dryRun === true,
    statements: summaries,
    lines,
    warnings: prepared.flatMap((p) => p.warnings),
  }
  if (req.dryRun === true) return result

  await ctx.db.tx(async () => {
    await refuseDuplicate(ctx, sha256, fileName)
    for (const p of prepared) {
      const existing = await ctx.db.first(ctx.db.k.selectFrom('recon_accounts').select('ledger_account_id').where('id', '=', p.accountId))
      if (!existing) {
        await ctx.db.run(
          ctx.db.k.insertInto('recon_accounts').values({
            id: p.accountId,
            external_id: p.st.account.id,
            currency: p.st.account.currency.toUpperCase(),
            name: p.st.account.ownerName,
            bic: p.st.account.bic,
            ledger_account_id: linkTo ?? null,
            created_at: now,
            created_by: actor,
            updated_at: now,
          }),
        )
      } else if (existing.ledger_account_id === null && linkTo !== undefined) {
        await ctx.db.run(
          ctx.db.k.updateTable('recon_accounts').set({ ledger_account_id: linkTo, updated_at: now }).where('id', '=', p.accountId),
        )
      }
    }
    await ctx.db.run(
      ctx.db.k.insertInto('statement_files').values({
        id: fileId,
        sha256,
        file_name: fileName,
        format: parsed.format,
        chars: text.length,
        statements: prepared.length,
        lines,
        imported_at: now,
        imported_by: actor,
      }),
    )
    for (const p of prepared) {
      const { st, scale } = p
      await ctx.db.run(
        ctx.db.k.insertInto('statements').values({
          id: p.id,
          file_id: fileId,
          idx: p.index + 1,
          account_id: p.accountId,
          format: st.format,
          currency: st.account.currency.toUpperCase(),
          scale,
          statement_ref: st.statementId,
          sequence: st.sequence,
          bank_created_at: st.createdAt,
          from_date: st.fromDate,
          to_date: st.toDate,
          opening: st.opening?.amount.toString() ?? null,
          opening_date: st.opening?.date ?? null,
          closing: st.closing?.amount.toString() ?? null,
          closing_date: st.closing?.date ?? null,
          credits: p.totals.credits.toString(),
          debits: p.totals.debits.toString(),
          lines: st.entries.length,
          warnings: JSON.stringify(p.warnings),
          imported_at: now,
        }),
      )
      for (let start = 0; start < st.entries.length; start += LINES_PER_INSERT) {
        const rows = st.entries.slice(start, start + LINES_PER_INSERT).map((e) => [
          `${p.id}:${e.index + 1}`,
          p.id,
          p.accountId,
          e.index + 1,
          e.bookingDate,
          e.valueDate,
          e.amount.toString(),
          e.currency.toUpperCase(),
          e.reversal ? 1 : 0,
          e.status,
          e.bankRef,
          e.endToEndId,
          e.customerRef,
          e.counterpartyName,
          e.counterpartyAccount,
          e.counterpartyBic,
          e.remittance,
          e.structuredRef,
          e.typeCode,
          JSON.stringify(
            e.details.map((d) => ({
              amount: d.amount === null ? null : d.amount.toString(),
              endToEndId: d.endToEndId,
              bankRef: d.bankRef,
              instructionId: d.instructionId,
              counterpartyName: d.counterpartyName,
              counterpartyAccount: d.counterpartyAccount,
              remittance: d.remittance,
              structuredRef: d.structuredRef,
            })),
          ),
          'unmatched',
          e.where,
        ])
        await ctx.db.insertRows('statement_lines', LINE_COLUMNS, rows)
      }
    }
    await appendAudit(ctx, {
      actor,
      action: 'recon.import',
      subject: `statement-file:${fileId}`,
      change: {
        fileName,
        sha256,
        format: parsed.format,
        lines,
        statements: summaries.map((s) => ({
          id: s.id,
          account: s.accountId,
          sequence: s.sequence,
          opening: s.opening,
          closing: s.closing,
          credits: s.credits,
          debits: s.debits,
          lines: s.lines,
        })),
        ledgerAccountId: linkTo ?? null,
      },
    })
  })
  ctx.events.emit('recon.changed', { fileId })
  return result
}

async function refuseDuplicate(ctx: CoreContext, sha256: string, fileName: string): Promise<void> {
  const before = await ctx.db.first(
    ctx.db.k
      .selectFrom('statement_files')
      .leftJoin('operators', 'operators.id', 'statement_files.imported_by')
      .selectAll('statement_files')
      .select('operators.name as importer')
      .where('sha256', '=', sha256),
  )
  if (before) {
    throw new CsError(
      'STATEMENT_DUPLICATE',
      `${fileName} was imported already (as ${before.file_name} on ${before.imported_at.slice(0, 10)} by ${before.importer ?? before.imported_by}, ${before.id}) — nothing was imported again.`,
      { details: { fileId: before.id, importedAt: before.imported_at } },
    )
  }
}

async function lastStatementOf(
  ctx: CoreContext,
  accountId: string,
): Promise<{ sequence: number | null; closing: bigint | null; label: string } | undefined> {
  const row = await ctx.db.first(
    ctx.db.k
      .selectFrom('statements')
      .innerJoin('statement_files', 'statement_files.id', 'statements.file_id')
      .select(['statements.sequence', 'statements.closing', 'statements.statement_ref', 'statement_files.file_name'])
      .where('statements.account_id', '=', accountId)
      .orderBy('statements.imported_at', 'desc')
      .orderBy('statements.idx', 'desc'),
  )
  if (!row) return undefined
  return {
    sequence: sequenceNumber(row.sequence),
    closing: row.closing === null ? null : BigInt(row.closing),
    label: `${row.file_name}${row.statement_ref ? ` (${row.statement_ref})` : ''}`,
  }
}

function continuityWarnings(
  st: ParsedStatement,
  label: string,
  previous: { sequence: number | null; closing: bigint | null; label: string } | undefined,
): StatementWarning[] {
  if (!previous) return []
  const warnings: StatementWarning[] = []
  const seq = sequenceNumber(st.sequence)
  if (seq !== null && previous.sequence !== null && seq > previous.sequence + 1) {
    const missing = seq - previous.sequence - 1
    warnings.push({
      code: 'SEQUENCE_GAP',
      where: label,
      message: `Statement ${seq} follows ${previous.sequence} (${previous.label}): ${missing === 1 ? `statement ${previous.sequence + 1} is` : `statements ${previous.sequence + 1}–${seq - 1} are`} missing — import ${missing === 1 ? 'it' : 'them'} so no movement is left out.`,
    })
  }
  if (st.opening !== null && previous.closing !== null && st.opening.amount !== previous.closing) {
    const scale = currencyScale(st.account.currency, label)
    warnings.push({
      code: 'OPENING_DIFFERS',
      where: label,
      message: `The opening balance ${formatAmount(st.opening.amount, scale)} differs from the closing balance ${formatAmount(previous.closing, scale)} of the statement before it (${previous.label}) — a statement in between may be missing.`,
    })
  }
  return warnings
}

function summaryOf(
  p: PreparedStatement,
  fileId: string,
  fileName: string,
  format: StatementFormat,
  now: string,
  actor: Actor,
): StatementSummary {
  const { st, scale } = p
  return {
    id: p.id,
    fileId,
    fileName,
    format,
    accountId: p.accountId,
    currency: st.account.currency.toUpperCase(),
    statementRef: st.statementId,
    sequence: st.sequence,
    fromDate: st.fromDate,
    toDate: st.toDate,
    opening: st.opening === null ? null : formatAmount(st.opening.amount, scale),
    closing: st.closing === null ? null : formatAmount(st.closing.amount, scale),
    credits: formatAmount(p.totals.credits, scale),
    debits: formatAmount(p.totals.debits, scale),
    lines: st.entries.length,
    unmatched: st.entries.length,
    warnings: p.warnings,
    importedAt: now,
    importedBy: actor,
  }
}
