/** Read side of statements: the list (newest first) and one statement's lines, a page at a time. */
import { CsError } from '../../../shared/errors'
import { formatAmount } from '../../../shared/money'
import { RECON_LINES_PAGE_MAX, RECON_LIST_MAX } from '../../../shared/limits'
import type { StatementFormatName, StatementLine, StatementSummary, StatementWarning } from '../../../shared/reconApi'
import type { CoreContext } from '../context'
import { evmExplorerTxUrl } from '../rails/evm/evmRailConfig'
import { getRailsSetting } from '../rails/getRailsSetting'
import { railReferenceOfLine } from './railLineReference'

const DEFAULT_LIST = 100
const DEFAULT_PAGE = 200

export async function listStatements(
  ctx: CoreContext,
  input: { accountId?: string | undefined; limit?: number | undefined },
): Promise<StatementSummary[]> {
  const { db } = ctx
  let q = db.k
    .selectFrom('statements')
    .innerJoin('statement_files', 'statement_files.id', 'statements.file_id')
    .selectAll('statements')
    .select(['statement_files.file_name', 'statement_files.imported_by'])
    .orderBy('statements.imported_at', 'desc')
    .orderBy('statements.id', 'desc')
    .limit(Math.min(input.limit ?? DEFAULT_LIST, RECON_LIST_MAX))
  if (input.accountId !== undefined) q = q.where('statements.account_id', '=', input.accountId)
  const rows = await db.all(q)
  // Unmatched lines of every listed statement, in one query.
  const unmatched = new Map<string, number>()
  if (rows.length > 0) {
    const counts = await db.all(
      db.k
        .selectFrom('statement_lines')
        .select(['statement_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where(
          'statement_id',
          'in',
          rows.map((r) => r.id),
        )
        .where('state', '=', 'unmatched')
        .groupBy('statement_id'),
    )
    for (const c of counts) unmatched.set(c.statement_id, Number(c.n))
  }
  const out: StatementSummary[] = []
  for (const r of rows) {
    const scale = Number(r.scale)
    out.push({
      id: r.id,
      fileId: r.file_id,
      fileName: r.file_name,
      format: r.format as StatementFormatName,
      accountId: r.account_id,
      currency: r.currency,
      statementRef: r.statement_ref,
      sequence: r.sequence,
      fromDate: r.from_date,
      toDate: r.to_date,
      opening: r.opening === null ? null : formatAmount(BigInt(r.opening), scale),
      closing: r.closing === null ? null : formatAmount(BigInt(r.closing), scale),
      credits: formatAmount(BigInt(r.credits), scale),
      debits: formatAmount(BigInt(r.debits), scale),
      lines: Number(r.lines),
      unmatched: unmatched.get(r.id) ?? 0,
      warnings: JSON.parse(r.warnings) as StatementWarning[],
      importedAt: r.imported_at,
      importedBy: r.imported_by,
    })
  }
  return out
}

export async function listStatementLines(
  ctx: CoreContext,
  input: { statementId: string; offset?: number | undefined; limit?: number | undefined },
): Promise<{ lines: StatementLine[]; total: number }> {
  const { db } = ctx
  const st = await db.first(db.k.selectFrom('statements').select(['id', 'scale', 'lines']).where('id', '=', input.statementId))
  if (!st) throw new CsError('STATEMENT_NOT_FOUND', `There is no statement "${input.statementId}" — recon statements lists them.`)
  const scale = Number(st.scale)
  const rows = await db.all(
    db.k
      .selectFrom('statement_lines')
      .selectAll()
      .where('statement_id', '=', st.id)
      .orderBy('idx')
      .offset(input.offset ?? 0)
      .limit(Math.min(input.limit ?? DEFAULT_PAGE, RECON_LINES_PAGE_MAX)),
  )
  // Explorer links of the chains in the rails setting (read once for the page).
  const explorers = new Map((await getRailsSetting(ctx)).rails.evm?.chains.map((c) => [String(c.chainId), c.explorerUrl]) ?? [])
  const lines = rows.map((r): StatementLine => {
    const rail = railReferenceOfLine({ externalKey: r.external_key, structuredRef: r.structured_ref, customerRef: r.customer_ref })
    const details = JSON.parse(r.details) as {
      amount: string | null
      endToEndId: string | null
      bankRef: string | null
      counterpartyName: string | null
      remittance: string | null
    }[]
    return {
      id: r.id,
      statementId: r.statement_id,
      index: Number(r.idx),
      bookingDate: r.booking_date,
      valueDate: r.value_date,
      amount: formatAmount(BigInt(r.amount), scale),
      currency: r.currency,
      reversal: Number(r.reversal) === 1,
      status: r.status as StatementLine['status'],
      bankRef: r.bank_ref,
      endToEndId: r.end_to_end_id,
      customerRef: r.customer_ref,
      counterpartyName: r.counterparty_name,
      counterpartyAccount: r.counterparty_account,
      counterpartyBic: r.counterparty_bic,
      remittance: r.remittance,
      structuredRef: r.structured_ref,
      typeCode: r.type_code,
      details: details.map((d) => ({
        amount: d.amount === null ? null : formatAmount(BigInt(d.amount), scale),
        endToEndId: d.endToEndId,
        bankRef: d.bankRef,
        counterpartyName: d.counterpartyName,
        remittance: d.remittance,
      })),
      state: r.state as StatementLine['state'],
      where: r.location,
      railRef:
        rail === null ? null : { ...rail, url: rail.rail === 'evm' ? evmExplorerTxUrl(explorers.get(rail.network), rail.reference) : null },
    }
  })
  return { lines, total: Number(st.lines) }
}
