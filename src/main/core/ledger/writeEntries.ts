/**
 * The journal's write engine, run inside the caller's transaction with the caller's LedgerBook:
 * for each entry, parse it (parseEntry.ts), insert it — or, when its id exists, compare it with the
 * stored one (diffStoredEntry.ts: same content is a replay, anything else a conflict) — check it
 * balances, insert its postings, move balances in the book, refuse an overdraft (entryGuards.ts),
 * and add its canonical line to the digest (entryLineBuilder.ts).
 * postEntries (manual and upstream batches) and postHold (hold:<id>:post) both write through here.
 *
 * The hot path is plain prepared statements and bigint arithmetic: the API layer has already
 * validated shapes with zod, so the checks here are the cheap ones that guard the books
 * (programmatic callers inside the core skip zod).
 */
import { createHash } from 'node:crypto'
import type { EntryInput } from '../../../shared/ledgerApi'
import { formatAmount } from '../../../shared/money'
import type { Actor, CoreContext } from '../context'
import { invariant } from '../util/invariant'
import { conflictError, diffStoredEntry } from './diffStoredEntry'
import { assertBalanced, assertNoOverdraft } from './entryGuards'
import { EntryLineBuilder } from './entryLineBuilder'
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
}

/** Characters of canonical lines gathered before they are handed to the hash. */
const DIGEST_CHUNK_CHARS = 64 * 1024

const INSERT_ENTRY_SQL = `INSERT INTO entries (id, date, kind, description, metadata, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`
const INSERT_POSTING_SQL = `INSERT INTO postings (entry_seq, idx, account_id, asset_id, amount) VALUES (?, ?, ?, ?, ?)`

export function writeEntries(
  ctx: CoreContext,
  book: LedgerBook,
  inputs: readonly EntryInput[],
  options: WriteEntriesOptions,
): WriteEntriesResult {
  invariant(ctx.db.sqlite.inTransaction, 'writeEntries must run inside the write transaction')
  const insertEntry = ctx.db.prepare(INSERT_ENTRY_SQL)
  const insertPosting = ctx.db.prepare(INSERT_POSTING_SQL)
  const { kind, actorId, nowIso, today } = options
  const total = inputs.length
  const posted: string[] = []
  const replayed: string[] = []
  const digest = createHash('sha256')
  // Lines go to the hash in chunks: one native call per chunk, and no batch-long array of strings.
  let chunk = ''
  const line = new EntryLineBuilder(kind)
  let firstPosted: WrittenEntry | null = null
  const knownDates = new Set<string>()

  for (let e = 0; e < total; e++) {
    const entry = parseEntry(book, inputs[e], e, total, kind, knownDates)
    const date = entry.date ?? today
    // INSERT … ON CONFLICT DO NOTHING finds a replay with the unique index alone: only then is
    // the stored entry loaded and compared. (A refused insert may still use up a seq number, so
    // seq increases but is not contiguous; nothing relies on contiguity.)
    const inserted = insertEntry.run(entry.id, date, kind, entry.description, entry.metadataJson, nowIso, actorId)
    if (inserted.changes === 0) {
      // The id exists (from an earlier call or earlier in this batch): same content is a replay
      // and writes nothing; anything else is a conflict.
      const diff = diffStoredEntry(ctx, entry, kind)
      if (diff) throw conflictError(entry.id, e, total, diff)
      replayed.push(entry.id)
      continue
    }
    assertBalanced(entry, e, total)
    const seq = Number(inserted.lastInsertRowid)
    const { accounts, amounts } = entry
    line.begin(entry.id, date, entry.description, entry.metadataJson)
    for (let i = 0; i < accounts.length; i++) {
      const acc = accounts[i]!
      const amount = amounts[i]!
      const amountText = amount.toString()
      insertPosting.run(seq, i, acc.id, acc.assetId, amountText)
      book.post(acc, amount)
      line.posting(acc.id, amountText)
    }
    assertNoOverdraft(book, entry, e, total)
    chunk += (posted.length > 0 ? '\n' : '') + line.end()
    if (chunk.length >= DIGEST_CHUNK_CHARS) {
      digest.update(chunk)
      chunk = ''
    }
    if (firstPosted === null) firstPosted = writtenEntry(entry, date, kind)
    posted.push(entry.id)
  }
  return { posted, replayed, digest: digest.update(chunk).digest('hex'), firstPosted }
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
