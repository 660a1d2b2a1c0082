/**
 * Stores one pull's rail records as statement lines (issue 15, part 2): the records no earlier
 * pull stored become ONE new statement file (format 'stripe' | 'stellar' | 'evm'), with one
 * statement per statement account they belong to (no opening or closing balance: a rail record
 * set is not a bank statement) and the lines themselves, each carrying its rail's own id in
 * `external_key` — all in one transaction with its `recon.pull` audit row.
 *
 * A record is stored once however often it is pulled: the known external keys are filtered out
 * inside the transaction (writers of a workspace are serialised, so the check and the insert see
 * the same books, on SQLite and PostgreSQL alike), and the unique index on external_key stands
 * behind it. Nothing new: no file, no audit row — only `afterWrite` (the EVM cursor) runs.
 *
 * Statement accounts are made on first use and linked to the ledger account the caller names
 * (the rail's treasury account of that asset) when they are not linked yet; an existing link is
 * never changed here.
 */
import { createHash } from 'node:crypto'
import type { Rail } from '../../../../shared/blocks'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import { canonicalJson } from '../../util/canonicalJson'
import { invariant } from '../../util/invariant'
import { LINE_COLUMNS as FILE_LINE_COLUMNS, reconAccountIdOf } from '../importStatement'

/** Lines written per insert, and external keys looked up per query. */
const LINES_PER_INSERT = 500

/** The statement account a rail record belongs to: a treasury address (or the Stripe platform) in one asset. */
export interface RailAccount {
  /** "stripe:platform", "evm:31337:0xdad7…", "stellar:standalone:GCNC…". */
  externalId: string
  currency: string
  scale: number
  name: string
  /** The ledger's treasury account of this asset and address, when there is one. */
  ledgerAccountId: string | null
}

/** One statement line made from a rail record; amount positive = money in to the treasury. */
export interface RailLine {
  /** The rail's own id: "stripe:txn_…", "evm:31337:0xhash:3", "stellar:standalone:123…". Unique forever. */
  externalKey: string
  account: RailAccount
  bookingDate: string
  amount: bigint
  bankRef: string | null
  endToEndId: string | null
  customerRef: string | null
  structuredRef: string | null
  counterpartyAccount: string | null
  remittance: string | null
  typeCode: string
  /** Where the record is on its rail, for a person ("tx 0xab…, log 3"). */
  location: string
}

export interface StoreRailLinesParameters {
  rail: Rail
  network: string
  /** "Stripe balance transactions 2026-12-04" */
  fileName: string
  /** Rail records read this pull (a record may give two lines: a Stripe fee). */
  records: number
  lines: readonly RailLine[]
  /** Inside the same transaction, whether or not anything was new (the EVM cursor moves with what it read). */
  afterWrite?: () => Promise<void>
}

export interface StoredRailLines {
  fileId: string | null
  lines: number
}

const LINE_COLUMNS = [...FILE_LINE_COLUMNS, 'external_key'] as const

export async function storeRailLines(ctx: CoreContext, actor: Actor, p: StoreRailLinesParameters): Promise<StoredRailLines> {
  const stored = await ctx.db.tx(async () => {
    const fresh = await unknownLines(ctx, p.lines)
    const result = fresh.length === 0 ? { fileId: null, lines: 0 } : await writeFile(ctx, actor, p, fresh)
    await p.afterWrite?.()
    return result
  })
  if (stored.fileId !== null) ctx.events.emit('recon.changed', { fileId: stored.fileId })
  return stored
}

/** The lines whose external key no statement line carries yet (and each key once). */
async function unknownLines(ctx: CoreContext, lines: readonly RailLine[]): Promise<RailLine[]> {
  const known = new Set<string>()
  const keys = [...new Set(lines.map((l) => l.externalKey))]
  for (let start = 0; start < keys.length; start += LINES_PER_INSERT) {
    const rows = await ctx.db.all(
      ctx.db.k
        .selectFrom('statement_lines')
        .select('external_key')
        .where('external_key', 'in', keys.slice(start, start + LINES_PER_INSERT)),
    )
    for (const r of rows) if (r.external_key !== null) known.add(r.external_key)
  }
  const out: RailLine[] = []
  for (const l of lines) {
    if (known.has(l.externalKey)) continue
    known.add(l.externalKey)
    out.push(l)
  }
  return out
}

interface Group {
  id: string
  accountId: string
  account: RailAccount
  lines: RailLine[]
  credits: bigint
  debits: bigint
  fromDate: string
  toDate: string
}

async function writeFile(ctx: CoreContext, actor: Actor, p: StoreRailLinesParameters, lines: RailLine[]): Promise<StoredRailLines> {
  const canonical = canonicalJson({ rail: p.rail, network: p.network, records: lines.map(recordOf) })
  const sha256 = createHash('sha256').update(canonical, 'utf8').digest('hex')
  const fileId = `stf_${sha256.slice(0, 20)}`
  // The same new records twice cannot happen (their keys are filtered above); a hash seen before means nothing new.
  if (await ctx.db.first(ctx.db.k.selectFrom('statement_files').select('id').where('sha256', '=', sha256)))
    return { fileId: null, lines: 0 }
  const now = ctx.clock.now().toISOString()
  const groups = groupLines(lines, sha256)
  const linked: { account: string; ledgerAccountId: string }[] = []
  for (const g of groups) {
    const link = await ensureAccount(ctx, actor, g, now)
    if (link) linked.push({ account: g.accountId, ledgerAccountId: link })
  }
  await ctx.db.run(
    ctx.db.k.insertInto('statement_files').values({
      id: fileId,
      sha256,
      file_name: p.fileName,
      format: p.rail,
      chars: canonical.length,
      statements: groups.length,
      lines: lines.length,
      imported_at: now,
      imported_by: actor,
    }),
  )
  for (const [i, g] of groups.entries()) {
    await ctx.db.run(
      ctx.db.k.insertInto('statements').values({
        id: g.id,
        file_id: fileId,
        idx: i + 1,
        account_id: g.accountId,
        format: p.rail,
        currency: g.account.currency,
        scale: g.account.scale,
        statement_ref: `${p.rail}:${p.network}`,
        sequence: null,
        bank_created_at: now,
        from_date: g.fromDate,
        to_date: g.toDate,
        opening: null,
        opening_date: null,
        closing: null,
        closing_date: null,
        credits: g.credits.toString(),
        debits: g.debits.toString(),
        lines: g.lines.length,
        warnings: '[]',
        imported_at: now,
      }),
    )
    await insertLines(ctx, g)
  }
  await appendAudit(ctx, {
    actor,
    action: 'recon.pull',
    subject: `statement-file:${fileId}`,
    change: {
      rail: p.rail,
      network: p.network,
      fileName: p.fileName,
      sha256,
      records: p.records,
      lines: lines.length,
      statements: groups.map((g) => ({
        id: g.id,
        account: g.accountId,
        lines: g.lines.length,
        credits: g.credits.toString(),
        debits: g.debits.toString(),
      })),
      linked,
    },
  })
  return { fileId, lines: lines.length }
}

/** What a line says, in the file's hash: everything but our row ids. */
function recordOf(l: RailLine): Record<string, unknown> {
  return {
    key: l.externalKey,
    account: l.account.externalId,
    currency: l.account.currency,
    date: l.bookingDate,
    amount: l.amount.toString(),
    bankRef: l.bankRef,
    endToEndId: l.endToEndId,
    customerRef: l.customerRef,
    structuredRef: l.structuredRef,
    counterparty: l.counterpartyAccount,
    type: l.typeCode,
  }
}

function groupLines(lines: readonly RailLine[], sha256: string): Group[] {
  const byAccount = new Map<string, Group>()
  for (const l of lines) {
    const accountId = reconAccountIdOf(l.account.externalId, l.account.currency)
    let g = byAccount.get(accountId)
    if (!g) {
      g = { id: '', accountId, account: l.account, lines: [], credits: 0n, debits: 0n, fromDate: l.bookingDate, toDate: l.bookingDate }
      byAccount.set(accountId, g)
    }
    invariant(g.account.scale === l.account.scale, () => `two scales for statement account ${accountId}`)
    g.lines.push(l)
    if (l.amount >= 0n) g.credits += l.amount
    else g.debits += l.amount
    if (l.bookingDate < g.fromDate) g.fromDate = l.bookingDate
    if (l.bookingDate > g.toDate) g.toDate = l.bookingDate
  }
  const groups = [...byAccount.values()].sort((a, b) => a.accountId.localeCompare(b.accountId))
  groups.forEach((g, i) => (g.id = `st_${sha256.slice(0, 20)}_${i + 1}`))
  return groups
}

/** Makes the statement account if it is new; links it when it is not linked yet. Returns the link it made. */
async function ensureAccount(ctx: CoreContext, actor: Actor, g: Group, now: string): Promise<string | null> {
  const { db } = ctx
  const link = g.account.ledgerAccountId
  const existing = await db.first(db.k.selectFrom('recon_accounts').select('ledger_account_id').where('id', '=', g.accountId))
  if (!existing) {
    await db.run(
      db.k.insertInto('recon_accounts').values({
        id: g.accountId,
        external_id: g.account.externalId,
        currency: g.account.currency,
        name: g.account.name,
        bic: null,
        ledger_account_id: link,
        created_at: now,
        created_by: actor,
        updated_at: now,
      }),
    )
    return link
  }
  if (existing.ledger_account_id !== null || link === null) return null
  await db.run(db.k.updateTable('recon_accounts').set({ ledger_account_id: link, updated_at: now }).where('id', '=', g.accountId))
  return link
}

async function insertLines(ctx: CoreContext, g: Group): Promise<void> {
  for (let start = 0; start < g.lines.length; start += LINES_PER_INSERT) {
    const rows = g.lines.slice(start, start + LINES_PER_INSERT).map((l, k) => {
      const idx = start + k + 1
      return [
        `${g.id}:${idx}`,
        g.id,
        g.accountId,
        idx,
        l.bookingDate,
        l.bookingDate,
        l.amount.toString(),
        g.account.currency,
        0,
        'booked',
        l.bankRef,
        l.endToEndId,
        l.customerRef,
        null,
        l.counterpartyAccount,
        null,
        l.remittance,
        l.structuredRef,
        l.typeCode,
        '[]',
        'unmatched',
        l.location,
        l.externalKey,
      ]
    })
    await ctx.db.insertRows('statement_lines', LINE_COLUMNS, rows)
  }
}
