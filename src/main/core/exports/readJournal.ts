/**
 * The journal for an export: whole entries (never half of one) in the date range, with their
 * postings, account names and kinds and each asset's scale. Filters pick entries:
 * - account: entries with a posting on it (all their postings come along, so each still balances);
 * - batch: entries booking one of the batch's payouts or fees (their metadata names the batch or
 *   the payout — reversals after a reorg name only the payout);
 * - payee: entries on the payee's ledger account (by address) or booking a payout to them;
 * - asset: only postings in that asset (an entry balances per asset, so each part still does).
 *
 * Entries are read a page at a time in seq order and kept only when they match; entries never
 * change once written, so a page read later cannot disagree with one read before. The result is
 * ordered by date, then by seq.
 */
import { CsError } from '../../../shared/errors'
import { EXPORT_ROWS_MAX } from '../../../shared/limits'
import { parseMinor } from '../../../shared/money'
import type { AccountKind } from '../../../shared/blocks'
import type { CoreContext } from '../context'
import { inChunks } from '../payouts/inChunks'
import type { ExportFilters } from './checkExportRequest'
import { columnIsPayee } from './payeeMatch'

export interface JournalLine {
  idx: number
  accountId: string
  accountName: string
  accountKind: AccountKind
  assetId: string
  assetCode: string
  scale: number
  /** Signed minor units: positive = debit, negative = credit. */
  amount: bigint
}

export interface JournalEntry {
  seq: number
  id: string
  /** YYYY-MM-DD. */
  date: string
  kind: string
  description: string
  lines: JournalLine[]
}

/** Entries read per page. */
const ENTRIES_PAGE_ROWS = 2_000

/** Which entries the batch and payee filters keep, worked out once before the pages are read. */
interface EntryPicker {
  batch: string | null
  batchPayouts: ReadonlySet<string>
  payeePayouts: ReadonlySet<string> | null
  payeeSeqs: ReadonlySet<number> | null
}

async function payoutIds(ctx: CoreContext, f: ExportFilters): Promise<{ batch: Set<string>; payee: Set<string> | null }> {
  const { k } = ctx.db
  const batch = f.batch === null ? [] : await ctx.db.all(k.selectFrom('payouts').select('id').where('batch_id', '=', f.batch))
  const payee = f.payee
  const ofPayee =
    payee === null
      ? null
      : await ctx.db.all(
          k
            .selectFrom('payouts')
            .select('id')
            .where((eb) => eb.or([columnIsPayee('payouts.name', payee), columnIsPayee('payouts.recipient', payee)])),
        )
  return { batch: new Set(batch.map((r) => r.id)), payee: ofPayee === null ? null : new Set(ofPayee.map((r) => r.id)) }
}

/** Seqs of the entries with a posting on a payee account whose address is the payee. */
async function payeeAccountSeqs(ctx: CoreContext, payee: string): Promise<Set<number>> {
  const { k } = ctx.db
  const accounts = await ctx.db.all(
    k.selectFrom('accounts').select('id').where('kind', '=', 'payee').where(columnIsPayee('accounts.address', payee)),
  )
  const seqs = new Set<number>()
  for (const ids of inChunks(accounts.map((a) => a.id))) {
    const rows = await ctx.db.all(k.selectFrom('postings').select('entry_seq').distinct().where('account_id', 'in', ids))
    for (const r of rows) seqs.add(Number(r.entry_seq))
  }
  return seqs
}

async function openPicker(ctx: CoreContext, f: ExportFilters): Promise<EntryPicker> {
  const ids = await payoutIds(ctx, f)
  return {
    batch: f.batch,
    batchPayouts: ids.batch,
    payeePayouts: ids.payee,
    payeeSeqs: f.payee === null ? null : await payeeAccountSeqs(ctx, f.payee),
  }
}

function picks(p: EntryPicker, seq: number, metadataJson: string): boolean {
  if (p.batch === null && p.payeePayouts === null) return true
  const meta = JSON.parse(metadataJson) as Record<string, string | undefined>
  const payoutId = meta.payoutId
  if (p.batch !== null && meta.batchId !== p.batch && (payoutId === undefined || !p.batchPayouts.has(payoutId))) return false
  if (p.payeePayouts !== null && !p.payeeSeqs!.has(seq) && (payoutId === undefined || !p.payeePayouts.has(payoutId))) return false
  return true
}

async function entriesPage(ctx: CoreContext, f: ExportFilters, afterSeq: number) {
  let q = ctx.db.k
    .selectFrom('entries')
    .select(['seq', 'id', 'date', 'kind', 'description', 'metadata'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(ENTRIES_PAGE_ROWS)
  if (f.from !== null) q = q.where('date', '>=', f.from)
  if (f.to !== null) q = q.where('date', '<=', f.to)
  const account = f.account
  if (account !== null)
    q = q.where('seq', 'in', (eb) => eb.selectFrom('postings').select('postings.entry_seq').where('postings.account_id', '=', account))
  return await ctx.db.all(q)
}

async function linesOf(ctx: CoreContext, seqs: readonly number[], asset: string | null): Promise<Map<number, JournalLine[]>> {
  let q = ctx.db.k
    .selectFrom('postings')
    .innerJoin('accounts', 'accounts.id', 'postings.account_id')
    .innerJoin('assets', 'assets.id', 'postings.asset_id')
    .select([
      'postings.entry_seq',
      'postings.idx',
      'postings.account_id',
      'postings.asset_id',
      'postings.amount',
      'accounts.name',
      'accounts.kind',
      'assets.code',
      'assets.scale',
    ])
    .where('postings.entry_seq', 'in', seqs)
  if (asset !== null) q = q.where('postings.asset_id', '=', asset)
  const out = new Map<number, JournalLine[]>()
  for (const r of await ctx.db.all(q)) {
    const seq = Number(r.entry_seq)
    const list = out.get(seq) ?? []
    list.push({
      idx: r.idx,
      accountId: r.account_id,
      accountName: r.name,
      accountKind: r.kind as AccountKind,
      assetId: r.asset_id,
      assetCode: r.code,
      scale: r.scale,
      amount: parseMinor(r.amount),
    })
    out.set(seq, list)
  }
  for (const list of out.values()) list.sort((a, b) => a.idx - b.idx)
  return out
}

function tooLarge(): never {
  throw new CsError(
    'EXPORT_TOO_LARGE',
    `More than ${EXPORT_ROWS_MAX} postings match — export a shorter date range (--from / --to), one asset or one account at a time.`,
  )
}

export async function readJournal(ctx: CoreContext, f: ExportFilters): Promise<JournalEntry[]> {
  const picker = await openPicker(ctx, f)
  const entries: JournalEntry[] = []
  let lines = 0
  let afterSeq = -1
  for (;;) {
    const page = await entriesPage(ctx, f, afterSeq)
    if (page.length === 0) break
    afterSeq = Number(page.at(-1)!.seq)
    const kept = page.filter((e) => picks(picker, Number(e.seq), e.metadata))
    const bySeq =
      kept.length === 0
        ? new Map<number, JournalLine[]>()
        : await linesOf(
            ctx,
            kept.map((e) => Number(e.seq)),
            f.asset,
          )
    for (const e of kept) {
      const entryLines = bySeq.get(Number(e.seq)) ?? []
      if (entryLines.length === 0) continue // none in the asset asked for
      lines += entryLines.length
      if (lines > EXPORT_ROWS_MAX) tooLarge()
      entries.push({ seq: Number(e.seq), id: e.id, date: e.date, kind: e.kind, description: e.description, lines: entryLines })
    }
    if (page.length < ENTRIES_PAGE_ROWS) break
  }
  return entries.sort((a, b) => (a.date !== b.date ? (a.date < b.date ? -1 : 1) : a.seq - b.seq))
}
