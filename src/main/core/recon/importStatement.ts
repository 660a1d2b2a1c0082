/**
 * Import one statement file: refuse it if the same file (by the SHA-256 of its text) was imported
 * before, then read it and store it in ONE transaction with its audit row — a file is either
 * wholly imported or not at all. The file is stored as it is read: each chunk of lines goes into
 * the database as soon as it is parsed (camt is read as a stream, streamCamt.ts), so a 100 MB
 * file is never held as all its lines; the checks that need every line (opening + lines =
 * closing, the file's declared count and sums) run at each statement's end, and a failure there —
 * or anywhere — rolls back everything already written. What does not stop an import (a gap in the
 * statement sequence, an opening balance that differs from the last closing, no balances to
 * check, an account not linked to the ledger yet) comes back as warnings and stays with the
 * statement, so whoever reconciles later sees them too.
 *
 * While a large file is read the transaction stays open (SQLite: ~2 s for 100,000 camt entries);
 * it awaits only this database, as every transaction must.
 */
import { CsError } from '../../../shared/errors'
import { fileTooLargeMessage } from '../../../shared/fileSize'
import { formatAmount } from '../../../shared/money'
import type { ImportStatementResult, StatementSummary, StatementWarning } from '../../../shared/reconApi'
import { STATEMENT_CHARS_MAX } from '../../../shared/limits'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { assertNever, invariant } from '../util/invariant'
import { checkTally, emptyTally, tallyEntries, type StatementTally, type StatementTotals } from './statements/checkStatements'
import { hashStatementText } from './statements/hashStatementText'
import { streamStatementFile } from './statements/parseStatementFile'
import type { StatementEvent } from './statements/statementStream'
import { currencyScale, type StatementEntry, type StatementFormat, type StatementHeader } from './statements/statementModel'
import { requireLedgerAccountFor } from './reconAccounts'

/**
 * Lines parsed, then written, at a time: one insert per chunk (SQLite: one cached statement run per
 * row; PostgreSQL: one unnest statement). Bounds what is held between reading and storing.
 */
export const LINES_PER_INSERT = 500

export interface ImportStatementRequest {
  text: string
  fileName: string
  format?: StatementFormat | undefined
  /** Name of a saved CSV column mapping. */
  mapping?: string | undefined
  ledgerAccountId?: string | undefined
  dryRun?: boolean | undefined
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
      // The limit counts characters; a plain-text statement has a byte per character, so both read as a file size.
      fileTooLargeMessage({
        name: fileName,
        bytes: text.length,
        limitBytes: STATEMENT_CHARS_MAX,
        kind: 'a statement file',
        fix: 'Ask the bank for shorter periods and import each.',
      }),
    )
  }
  const sha256 = hashStatementText(text)
  await refuseDuplicate(ctx, sha256, fileName)
  const mapping = await savedMapping(ctx, req.mapping)
  // Recognising the format (and refusing one the person contradicts) happens here; the content is read as it is stored.
  const events = streamStatementFile(text, { fileName, format: req.format, mapping }, LINES_PER_INSERT)
  const run: ImportRun = {
    ctx,
    actor,
    fileId: `stf_${sha256.slice(0, 20)}`,
    sha256,
    fileName,
    chars: text.length,
    now: ctx.clock.now().toISOString(),
    linkTo: req.ledgerAccountId,
    store: req.dryRun !== true,
  }
  if (!run.store) return await readStatements(run, events)
  const result = await ctx.db.tx(async () => {
    await refuseDuplicate(ctx, sha256, fileName)
    return await readStatements(run, events)
  })
  ctx.events.emit('recon.changed', { fileId: run.fileId })
  return result
}

/** What one import knows from the start; `store` false is a dry run (every check, nothing written). */
interface ImportRun {
  ctx: CoreContext
  actor: Actor
  fileId: string
  sha256: string
  fileName: string
  chars: number
  now: string
  linkTo: string | undefined
  store: boolean
}

interface PreviousStatement {
  sequence: number | null
  closing: bigint | null
  label: string
}

/** A statement whose lines are being read. */
interface OpenStatement {
  id: string
  index: number
  label: string
  accountId: string
  currency: string
  scale: number
  tally: StatementTally
  previous: PreviousStatement | undefined
  /** ACCOUNT_UNLINKED, known at the start, reported after the checks' warnings. */
  unlinked: StatementWarning | null
}

/** Reads every event, storing as it goes (in the caller's transaction) unless this is a dry run. */
async function readStatements(run: ImportRun, events: Iterable<StatementEvent>): Promise<ImportStatementResult> {
  let format: StatementFormat | null = null
  let open: OpenStatement | null = null
  const summaries: StatementSummary[] = []
  const last = new Map<string, PreviousStatement>()
  let lines = 0
  for (const event of events) {
    switch (event.type) {
      case 'file':
        format = event.format
        if (run.store) await insertFile(run, format)
        break
      case 'start':
        open = await startStatement(run, event.header, summaries.length, last)
        break
      case 'entries':
        invariant(open !== null, 'lines outside a statement')
        tallyEntries(open.tally, event.entries, open.currency, open.label)
        if (run.store) await insertLines(run.ctx, open, event.entries)
        lines += event.entries.length
        break
      case 'end':
        invariant(open !== null && open.tally.count === event.entries, 'a statement ended with another count than was stored')
        summaries.push(await endStatement(run, open, event.header, format!, last))
        open = null
        break
      default:
        assertNever(event, 'statement event')
    }
  }
  invariant(format !== null && open === null, 'the statement stream ended inside a statement')
  if (run.store) await finishFile(run, format, summaries, lines)
  return {
    fileId: run.fileId,
    sha256: run.sha256,
    fileName: run.fileName,
    format,
    dryRun: !run.store,
    statements: summaries,
    lines,
    warnings: summaries.flatMap((s) => s.warnings),
  }
}

/** The account is checked against the ledger link asked for, made when new, and the statement row written (totals follow at its end). */
async function startStatement(
  run: ImportRun,
  header: StatementHeader,
  index: number,
  last: ReadonlyMap<string, PreviousStatement>,
): Promise<OpenStatement> {
  const label = `${run.fileName}, statement ${index + 1}${header.statementId ? ` (${header.statementId})` : ''}`
  const accountId = reconAccountIdOf(header.account.id, header.account.currency)
  const open: OpenStatement = {
    id: `st_${run.sha256.slice(0, 20)}_${index + 1}`,
    index,
    label,
    accountId,
    currency: header.account.currency,
    scale: currencyScale(header.account.currency, label),
    tally: emptyTally(),
    previous: last.get(accountId) ?? (await lastStatementOf(run.ctx, accountId)),
    unlinked: null,
  }
  const existing = await checkLink(run, accountId, header.account.currency)
  if (!existing?.ledger_account_id && run.linkTo === undefined) {
    open.unlinked = {
      code: 'ACCOUNT_UNLINKED',
      where: accountId,
      message: `The statement account ${accountId} is not linked to a ledger account yet — link it to the ledger account it shows (Reconciliation → Statement accounts, or recon link) so its lines can be matched.`,
    }
  }
  if (run.store) await storeStart(run, open, header, existing)
  return open
}

/** The ledger account asked for must hold the statement's currency and not contradict an existing link; answers the statement account's row. */
async function checkLink(run: ImportRun, accountId: string, currency: string): Promise<{ ledger_account_id: string | null } | undefined> {
  const { ctx, linkTo } = run
  if (linkTo !== undefined) await requireLedgerAccountFor(ctx, linkTo, currency)
  const existing = await ctx.db.first(ctx.db.k.selectFrom('recon_accounts').select('ledger_account_id').where('id', '=', accountId))
  if (existing?.ledger_account_id && linkTo !== undefined && existing.ledger_account_id !== linkTo) {
    throw new CsError(
      'RECON_ACCOUNT_MISMATCH',
      `${accountId} is linked to the ledger account ${existing.ledger_account_id}, not ${linkTo} — leave out the ledger account, or change the link first (recon link).`,
    )
  }
  return existing
}

/** The statement account made (or linked) when it is new, and the statement's row with its header. */
async function storeStart(
  run: ImportRun,
  open: OpenStatement,
  header: StatementHeader,
  existing: { ledger_account_id: string | null } | undefined,
): Promise<void> {
  const { ctx, linkTo } = run
  if (!existing) {
    await ctx.db.run(
      ctx.db.k.insertInto('recon_accounts').values({
        id: open.accountId,
        external_id: header.account.id,
        currency: header.account.currency.toUpperCase(),
        name: header.account.ownerName,
        bic: header.account.bic,
        ledger_account_id: linkTo ?? null,
        created_at: run.now,
        created_by: run.actor,
        updated_at: run.now,
      }),
    )
  } else if (existing.ledger_account_id === null && linkTo !== undefined) {
    await ctx.db.run(
      ctx.db.k.updateTable('recon_accounts').set({ ledger_account_id: linkTo, updated_at: run.now }).where('id', '=', open.accountId),
    )
  }
  await ctx.db.run(
    ctx.db.k.insertInto('statements').values({
      id: open.id,
      file_id: run.fileId,
      idx: open.index + 1,
      account_id: open.accountId,
      format: header.format,
      currency: header.account.currency.toUpperCase(),
      scale: open.scale,
      ...headerColumns(header),
      credits: '0',
      debits: '0',
      lines: 0,
      warnings: '[]',
      imported_at: run.now,
    }),
  )
}

/** The statement's own checks over all its lines, its warnings, and its row completed. */
async function endStatement(
  run: ImportRun,
  open: OpenStatement,
  header: StatementHeader,
  format: StatementFormat,
  last: Map<string, PreviousStatement>,
): Promise<StatementSummary> {
  const { totals, warnings } = checkTally(header, open.tally, open.label)
  warnings.push(...continuityWarnings(header, open.label, open.previous))
  if (open.unlinked) warnings.push(open.unlinked)
  last.set(open.accountId, { sequence: sequenceNumber(header.sequence), closing: header.closing?.amount ?? null, label: open.label })
  if (run.store) {
    await run.ctx.db.run(
      run.ctx.db.k
        .updateTable('statements')
        .set({
          ...headerColumns(header),
          credits: totals.credits.toString(),
          debits: totals.debits.toString(),
          lines: open.tally.count,
          warnings: JSON.stringify(warnings),
        })
        .where('id', '=', open.id),
    )
  }
  return summaryOf(run, open, header, format, totals, warnings)
}

/** The statement columns taken from its header as the file states it. */
function headerColumns(header: StatementHeader) {
  return {
    statement_ref: header.statementId,
    sequence: header.sequence,
    bank_created_at: header.createdAt,
    from_date: header.fromDate,
    to_date: header.toDate,
    opening: header.opening?.amount.toString() ?? null,
    opening_date: header.opening?.date ?? null,
    closing: header.closing?.amount.toString() ?? null,
    closing_date: header.closing?.date ?? null,
  }
}

/** The file's row, written first so statements can refer to it; its counts follow at the end. */
async function insertFile(run: ImportRun, format: StatementFormat): Promise<void> {
  await run.ctx.db.run(
    run.ctx.db.k.insertInto('statement_files').values({
      id: run.fileId,
      sha256: run.sha256,
      file_name: run.fileName,
      format,
      chars: run.chars,
      statements: 0,
      lines: 0,
      imported_at: run.now,
      imported_by: run.actor,
    }),
  )
}

async function finishFile(run: ImportRun, format: StatementFormat, summaries: readonly StatementSummary[], lines: number): Promise<void> {
  const { ctx } = run
  await ctx.db.run(ctx.db.k.updateTable('statement_files').set({ statements: summaries.length, lines }).where('id', '=', run.fileId))
  await appendAudit(ctx, {
    actor: run.actor,
    action: 'recon.import',
    subject: `statement-file:${run.fileId}`,
    change: {
      fileName: run.fileName,
      sha256: run.sha256,
      format,
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
      ledgerAccountId: run.linkTo ?? null,
    },
  })
}

/** One chunk of lines, in one insert. */
async function insertLines(ctx: CoreContext, open: OpenStatement, entries: readonly StatementEntry[]): Promise<void> {
  const rows: unknown[][] = new Array<unknown[]>(entries.length)
  for (let i = 0; i < entries.length; i++) rows[i] = lineRow(open, entries[i]!)
  await ctx.db.insertRows('statement_lines', LINE_COLUMNS, rows)
}

/** A line's values in LINE_COLUMNS order: amounts as exact minor units in decimal text. */
function lineRow(open: OpenStatement, e: StatementEntry): unknown[] {
  return [
    `${open.id}:${e.index + 1}`,
    open.id,
    open.accountId,
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
    e.details.length === 0 ? '[]' : detailsJson(e.details),
    'unmatched',
    e.where,
  ]
}

function detailsJson(details: StatementEntry['details']): string {
  return JSON.stringify(
    details.map((d) => ({
      amount: d.amount === null ? null : d.amount.toString(),
      endToEndId: d.endToEndId,
      bankRef: d.bankRef,
      instructionId: d.instructionId,
      counterpartyName: d.counterpartyName,
      counterpartyAccount: d.counterpartyAccount,
      remittance: d.remittance,
      structuredRef: d.structuredRef,
    })),
  )
}

/** The saved CSV column mapping named, read (checked when the CSV is parsed). */
async function savedMapping(ctx: CoreContext, name: string | undefined): Promise<unknown> {
  if (name === undefined) return undefined
  const row = await ctx.db.first(ctx.db.k.selectFrom('recon_csv_mappings').selectAll().where('name', '=', name))
  if (!row)
    throw new CsError('STATEMENT_MAPPING_INVALID', `There is no saved column mapping "${name}" — see recon mappings, or save one first.`)
  return JSON.parse(row.mapping) as unknown
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

async function lastStatementOf(ctx: CoreContext, accountId: string): Promise<PreviousStatement | undefined> {
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

function continuityWarnings(st: StatementHeader, label: string, previous: PreviousStatement | undefined): StatementWarning[] {
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
  run: ImportRun,
  open: OpenStatement,
  st: StatementHeader,
  format: StatementFormat,
  totals: StatementTotals,
  warnings: StatementWarning[],
): StatementSummary {
  const { scale } = open
  return {
    id: open.id,
    fileId: run.fileId,
    fileName: run.fileName,
    format,
    accountId: open.accountId,
    currency: st.account.currency.toUpperCase(),
    statementRef: st.statementId,
    sequence: st.sequence,
    fromDate: st.fromDate,
    toDate: st.toDate,
    opening: st.opening === null ? null : formatAmount(st.opening.amount, scale),
    closing: st.closing === null ? null : formatAmount(st.closing.amount, scale),
    credits: formatAmount(totals.credits, scale),
    debits: formatAmount(totals.debits, scale),
    lines: open.tally.count,
    unmatched: open.tally.count,
    warnings,
    importedAt: run.now,
    importedBy: run.actor,
  }
}
