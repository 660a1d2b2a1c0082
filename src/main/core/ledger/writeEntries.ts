/**
 * The journal's write engine, run inside the caller's transaction with the caller's LedgerBook:
 * for each entry, parse it (parseEntry.ts), insert it — or, when its id exists, compare it with the
 * stored one (diffStoredEntry.ts: same content is a replay, anything else a conflict) — check it
 * balances, insert its postings, move balances in the book, refuse an overdraft (entryGuards.ts),
 * and add its canonical line to the digest (entryLineBuilder.ts). Each entry is sealed with its
 * postings as it is written (audit/journalSeal.ts, one hash over that same line): the seal goes
 * into the entry row itself (no extra row per entry) and into the caller's RowSeals, which its
 * audit row folds into its digest.
 * postEntries (manual and upstream batches) and postHold (hold:<id>:post) both write through here.
 *
 * The hot path is bigint arithmetic in memory and bulk writes: one query finds which ids are
 * already stored, one loads the accounts, and the new entries and postings go in with
 * `db.insertRows` (prepared statements on SQLite, multi-row statements on PostgreSQL). Entry seq
 * numbers are assigned here, from the highest stored seq: the write transaction is serialised
 * against every other writer (db/Db.ts), so nobody else can take them meanwhile. The API layer
 * has already validated shapes with zod, so the checks here are the cheap ones that guard the
 * books (programmatic callers inside the core skip zod).
 */
import { createHash } from 'node:crypto'
import type { EntryInput } from '../../../shared/ledgerApi'
import { formatAmount } from '../../../shared/money'
import { POSTING_CHECKS_SEPARATOR, entrySeal, postingCheck } from '../audit/journalSeal'
import type { RowSeals } from '../audit/rowSeals'
import type { Actor, CoreContext } from '../context'
import { invariant } from '../util/invariant'
import { conflictError, diffStoredEntry } from './diffStoredEntry'
import { assertBalanced, assertInRange, assertNoOverdraft } from './entryGuards'
import { EntryLineBuilder, memoJsonText } from './entryLineBuilder'
import type { LedgerBook } from './ledgerBook'
import { parseEntry, type ParsedEntry } from './parseEntry'

/** An entry as written, amounts as signed decimal strings at the asset's scale (for the audit log). */
export interface WrittenEntry {
  id: string
  date: string
  kind: string
  description: string
  metadata: Record<string, string>
  postings: { account: string; asset: string; amount: string }[]
}

export interface WriteEntriesResult {
  posted: string[]
  replayed: string[]
  /**
   * sha256 (hex) of the posted entries' canonical JSON lines joined by "\n", in posting order.
   * A line is canonicalJson([id, date, kind, description, metadata, [[account, amount], …]])
   * with amounts as signed integer minor units ("-1500000"), so anyone can recompute it from the
   * stored rows. (An array, not an object: the digest is computed once per entry on the bulk
   * path, and key names would be most of the bytes hashed.)
   */
  digest: string
  /** The first posted entry in full: audited whole when it is the only one. */
  firstPosted: WrittenEntry | null
}

export interface WriteEntriesOptions {
  kind: string
  actorId: Actor
  nowIso: string
  /** Date of entries that give none (UTC, YYYY-MM-DD). */
  today: string
  /** The seals of the audit row that will record this write (audit/rowSeals.ts). */
  seals: RowSeals
}

/** Characters of canonical lines gathered before they are handed to the hash. */
const DIGEST_CHUNK_CHARS = 64 * 1024

const ENTRY_COLUMNS = [
  'seq',
  'id',
  'date',
  'kind',
  'description',
  'metadata',
  'created_at',
  'created_by',
  'seal',
  'posting_checks',
  'audit_seq',
] as const
const POSTING_COLUMNS = ['entry_seq', 'idx', 'account_id', 'asset_id', 'amount'] as const
/** Entry ids per "which are stored?" query. */
const STORED_IDS_CHUNK = 5_000
/**
 * Posting rows buffered before they go in: big enough that PostgreSQL gets few, large
 * statements; small enough that a 10,000-entry call does not hold 30,000 row arrays at once
 * (the garbage collector's share of a large call fell by half).
 */
const FLUSH_POSTING_ROWS = 2_000

export async function writeEntries(
  ctx: CoreContext,
  book: LedgerBook,
  inputs: readonly EntryInput[],
  options: WriteEntriesOptions,
): Promise<WriteEntriesResult> {
  invariant(ctx.db.inTransaction(), 'writeEntries must run inside the write transaction')
  const { kind, today } = options
  const total = inputs.length
  const posted: string[] = []
  const replayed: string[] = []
  const digest = createHash('sha256')
  // Lines go to the hash in chunks: one native call per chunk, and no batch-long array of strings.
  let chunk = ''
  const line = new EntryLineBuilder(kind)
  let firstPosted: WrittenEntry | null = null
  const knownDates = new Set<string>()
  const stored = await storedIds(ctx, inputs)
  await book.load(accountIdsOf(inputs))
  const head = await ctx.db.first(ctx.db.k.selectFrom('entries').select((eb) => eb.fn.max('seq').as('seq')))
  let nextSeq = Number(head?.seq ?? 0) + 1
  const entryRows: unknown[][] = []
  const postingRows: unknown[][] = []
  const flush = async (): Promise<void> => {
    await ctx.db.insertRows('entries', ENTRY_COLUMNS, entryRows.splice(0))
    await ctx.db.insertRows('postings', POSTING_COLUMNS, postingRows.splice(0))
  }

  for (let e = 0; e < total; e++) {
    const entry = parseEntry(book, inputs[e], e, total, kind, knownDates)
    const date = entry.date ?? today
    if (stored.has(entry.id)) {
      // The id exists (from an earlier call or earlier in this batch): same content is a replay
      // and writes nothing; anything else is a conflict. The stored one is compared as stored,
      // so what this call buffered goes in first.
      await flush()
      const diff = await diffStoredEntry(ctx, entry, kind)
      if (diff) throw conflictError(entry.id, e, total, diff)
      replayed.push(entry.id)
      continue
    }
    stored.add(entry.id)
    assertBalanced(entry, e, total)
    const text = bufferEntry(book, line, options, { entryRows, postingRows }, entry, nextSeq++, date)
    if (postingRows.length >= FLUSH_POSTING_ROWS) await flush()
    assertInRange(entry, e, total)
    assertNoOverdraft(book, entry, e, total)
    chunk += (posted.length > 0 ? '\n' : '') + text
    if (chunk.length >= DIGEST_CHUNK_CHARS) {
      digest.update(chunk)
      chunk = ''
    }
    if (firstPosted === null) firstPosted = writtenEntry(entry, date, kind)
    posted.push(entry.id)
  }
  await flush()
  return { posted, replayed, digest: digest.update(chunk).digest('hex'), firstPosted }
}

/**
 * Buffer a new entry's rows, sealed (audit/journalSeal.ts: the seal into the entry row and the
 * caller's RowSeals, a check per posting beside it); apply its postings to the book. Returns the
 * entry's canonical line (for the digest; the seal is a hash over it).
 */
function bufferEntry(
  book: LedgerBook,
  line: EntryLineBuilder,
  options: WriteEntriesOptions,
  rows: { entryRows: unknown[][]; postingRows: unknown[][] },
  entry: ParsedEntry,
  seq: number,
  date: string,
): string {
  const { kind, nowIso, actorId, seals } = options
  const { accounts, amounts } = entry
  let assets = ''
  let checks = ''
  line.begin(entry.id, date, entry.description, entry.metadataJson)
  for (let i = 0; i < accounts.length; i++) {
    const acc = accounts[i]!
    const amount = amounts[i]!
    const amountText = amount.toString()
    rows.postingRows.push([seq, i, acc.id, acc.assetId, amountText])
    book.post(acc, amount)
    line.posting(acc.id, amountText)
    assets += (i > 0 ? ',' : '') + assetJson(acc.assetId)
    checks += (i > 0 ? POSTING_CHECKS_SEPARATOR : '') + postingCheck(i, acc.id, acc.assetId, amountText)
  }
  const text = line.end()
  const seal = entrySeal(seq, nowIso, actorId, assets, text)
  rows.entryRows.push([seq, entry.id, date, kind, entry.description, entry.metadataJson, nowIso, actorId, seal, checks, seals.auditSeq])
  seals.addEntry(seq, seal)
  return text
}

/** Asset ids repeat from posting to posting: their JSON text is remembered. */
const assetJson = memoJsonText()

/** Which of the inputs' ids are already in the journal. */
async function storedIds(ctx: CoreContext, inputs: readonly EntryInput[]): Promise<Set<string>> {
  const ids = [
    ...new Set(inputs.map((input) => (input as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string')),
  ]
  const out = new Set<string>()
  for (let i = 0; i < ids.length; i += STORED_IDS_CHUNK) {
    const rows = await ctx.db.all(
      ctx.db.k
        .selectFrom('entries')
        .select('id')
        .where('id', 'in', ids.slice(i, i + STORED_IDS_CHUNK)),
    )
    for (const row of rows) out.add(row.id)
  }
  return out
}

/** Every account id the inputs name (shape errors are left for parseEntry to report). */
function accountIdsOf(inputs: readonly EntryInput[]): Set<string> {
  const ids = new Set<string>()
  for (const input of inputs) {
    const postings = (input as { postings?: unknown } | null)?.postings
    if (!Array.isArray(postings)) continue
    for (const p of postings) {
      const account = (p as { account?: unknown } | null)?.account
      if (typeof account === 'string') ids.add(account)
    }
  }
  return ids
}

function writtenEntry(entry: ParsedEntry, date: string, kind: string): WrittenEntry {
  return {
    id: entry.id,
    date,
    kind,
    description: entry.description,
    metadata: JSON.parse(entry.metadataJson) as Record<string, string>,
    postings: entry.accounts.map((acc, i) => ({ account: acc.id, asset: acc.assetId, amount: formatAmount(entry.amounts[i]!, acc.scale) })),
  }
}
