/**
 * The journal's write engine, run inside the caller's transaction with the caller's LedgerBook:
 * validates each entry, parses its amounts exactly at each account's scale, detects replays by
 * id, refuses unbalanced entries and overdrafts, inserts rows and moves balances in the book.
 * postEntries (manual and upstream batches) and postHold (hold:<id>:post) both write through here.
 *
 * The hot path is plain prepared statements and bigint arithmetic: the API layer has already
 * validated shapes with zod, so the checks here are the cheap ones that guard the books
 * (programmatic callers inside the core skip zod).
 */
import { createHash } from 'node:crypto'
import { POSTINGS_PER_ENTRY_MAX, type EntryInput } from '../../../shared/api'
import { CsError } from '../../../shared/errors'
import { formatAmount, parseAmount, parseMinor } from '../../../shared/money'
import type { Actor, CoreContext } from '../context'
import { canonicalJson } from '../util/canonicalJson'
import {
  DESCRIPTION_CHARS_MAX,
  ENTRY_ID_CHARS_MAX,
  HOLD_ENTRY_ID_PREFIX,
  isIsoDate,
  isRef,
  METADATA_KEY_CHARS_MAX,
  METADATA_VALUE_CHARS_MAX,
} from './ids'
import type { BookAccount, LedgerBook } from './ledgerBook'

/** Postings an entry needs at least: one side and the other. */
export const POSTINGS_PER_ENTRY_MIN = 2
/** The entry kind only postHold writes, and the only kind allowed to use "hold:" ids. */
export const HOLD_ENTRY_KIND = 'hold'

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
const SELECT_ENTRY_SQL = `SELECT seq, kind, date, description, metadata FROM entries WHERE id = ?`
const SELECT_POSTINGS_SQL = `SELECT account_id, amount FROM postings WHERE entry_seq = ? ORDER BY idx`

interface StoredEntry {
  seq: number
  kind: string
  date: string
  description: string
  metadata: string
}
interface StoredPosting {
  account_id: string
  amount: string
}

/** A parsed, validated entry not yet written. */
interface ParsedEntry {
  id: string
  date: string | undefined
  description: string
  metadataJson: string
  accounts: BookAccount[]
  /** Signed minor units: + debit, − credit. */
  amounts: bigint[]
}

export function writeEntries(
  ctx: CoreContext,
  book: LedgerBook,
  inputs: readonly EntryInput[],
  options: WriteEntriesOptions,
): WriteEntriesResult {
  if (!ctx.db.sqlite.inTransaction) throw new Error('invariant: writeEntries must run inside the write transaction')
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
      const diff = differenceFromStored(ctx, entry, kind)
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

function where(id: string, e: number, total: number): string {
  return total > 1 ? `Entry "${id}" (${e + 1} of ${total})` : `Entry "${id}"`
}

function invalid(message: string, details: Record<string, unknown>): CsError {
  return new CsError('ENTRY_INVALID', message, { details })
}

function parseEntry(
  book: LedgerBook,
  input: EntryInput | undefined,
  e: number,
  total: number,
  kind: string,
  knownDates: Set<string>,
): ParsedEntry {
  if (input === null || typeof input !== 'object')
    throw invalid(`Entry ${e + 1} of ${total} is not an entry — give an object with id, description and postings.`, { entryIndex: e })
  const id: unknown = input.id
  if (!isRef(id, ENTRY_ID_CHARS_MAX)) {
    throw invalid(
      `Entry ${e + 1} of ${total}: id "${String(id).slice(0, 40)}" is not valid — use 1–${ENTRY_ID_CHARS_MAX} letters, digits and . _ : / @ - (no spaces), starting with a letter or digit.`,
      { entryIndex: e, field: 'id' },
    )
  }
  if (kind !== HOLD_ENTRY_KIND && id.startsWith(HOLD_ENTRY_ID_PREFIX)) {
    throw invalid(`${where(id, e, total)}: ids starting with "${HOLD_ENTRY_ID_PREFIX}" are reserved for holds — choose another id.`, {
      entryId: id,
      entryIndex: e,
      field: 'id',
    })
  }
  const description: unknown = input.description
  if (typeof description !== 'string' || description.length === 0 || description.length > DESCRIPTION_CHARS_MAX) {
    throw invalid(`${where(id, e, total)}: description must be 1–${DESCRIPTION_CHARS_MAX} characters — say what the entry is for.`, {
      entryId: id,
      entryIndex: e,
      field: 'description',
    })
  }
  const date: unknown = input.date
  if (date !== undefined && !(typeof date === 'string' && knownDates.has(date))) {
    if (!isIsoDate(date)) {
      throw invalid(
        `${where(id, e, total)}: date "${String(date).slice(0, 20)}" is not a calendar date — use YYYY-MM-DD, e.g. 2026-01-31.`,
        { entryId: id, entryIndex: e, field: 'date' },
      )
    }
    knownDates.add(date)
  }
  const metadataJson = canonicalMetadata(input.metadata, id, e, total)
  const postings: unknown = input.postings
  if (!Array.isArray(postings) || postings.length < POSTINGS_PER_ENTRY_MIN || postings.length > POSTINGS_PER_ENTRY_MAX) {
    throw invalid(
      `${where(id, e, total)}: an entry needs ${POSTINGS_PER_ENTRY_MIN} to ${POSTINGS_PER_ENTRY_MAX} postings — at least one debit and one credit.`,
      { entryId: id, entryIndex: e, field: 'postings' },
    )
  }
  const count = postings.length
  const accounts = new Array<BookAccount>(count)
  const amounts = new Array<bigint>(count)
  for (let i = 0; i < count; i++) {
    const p = postings[i] as { account?: unknown; debit?: unknown; credit?: unknown } | null
    if (p === null || typeof p !== 'object') {
      throw invalid(`${where(id, e, total)}, postings[${i}]: give an object with account and debit or credit.`, {
        entryId: id,
        entryIndex: e,
        field: `postings[${i}]`,
      })
    }
    const accountId = p.account
    const acc = typeof accountId === 'string' ? book.account(accountId) : undefined
    if (!acc) {
      throw new CsError(
        'ACCOUNT_NOT_FOUND',
        `${where(id, e, total)}, postings[${i}].account: there is no account "${String(accountId).slice(0, 60)}" — open it first, or fix the id.`,
        { details: { entryId: id, entryIndex: e, field: `postings[${i}].account` } },
      )
    }
    const hasDebit = p.debit !== undefined
    if (hasDebit === (p.credit !== undefined)) {
      throw invalid(`${where(id, e, total)}, postings[${i}]: give exactly one of debit or credit.`, {
        entryId: id,
        entryIndex: e,
        field: `postings[${i}]`,
      })
    }
    const magnitude = parsePostingAmount(hasDebit ? p.debit : p.credit, hasDebit ? 'debit' : 'credit', acc, id, e, total, i)
    accounts[i] = acc
    amounts[i] = hasDebit ? magnitude : -magnitude
  }
  return { id, date: date as string | undefined, description, metadataJson, accounts, amounts }
}

function parsePostingAmount(
  text: unknown,
  side: 'debit' | 'credit',
  acc: BookAccount,
  id: string,
  e: number,
  total: number,
  i: number,
): bigint {
  const field = `postings[${i}].${side}`
  const details = { entryId: id, entryIndex: e, field }
  if (typeof text !== 'string')
    throw invalid(`${where(id, e, total)}, ${field}: give the amount as a decimal string such as "12.50".`, details)
  if (text.startsWith('-')) {
    const other = side === 'debit' ? 'credit' : 'debit'
    throw new CsError(
      'AMOUNT_INVALID',
      `${where(id, e, total)}, ${field}: ${text.slice(0, 40)} is negative — posting amounts are always positive; to move the money the other way, put ${text.slice(1, 41)} in ${other} instead.`,
      { details },
    )
  }
  try {
    return parseAmount(text, acc.scale, { assetLabel: acc.assetCode })
  } catch (error) {
    if (error instanceof CsError)
      throw new CsError(error.code, `${where(id, e, total)}, ${field}: ${error.message}`, { cause: error, details })
    throw error
  }
}

/** Canonical JSON of the metadata ("{}" when absent), so a replay compares by string. */
function canonicalMetadata(metadata: unknown, id: string, e: number, total: number): string {
  if (metadata === undefined) return '{}'
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw invalid(`${where(id, e, total)}: metadata must be an object of text values.`, { entryId: id, entryIndex: e, field: 'metadata' })
  }
  const keys = Object.keys(metadata)
  if (keys.length === 0) return '{}'
  for (const key of keys) {
    const value = (metadata as Record<string, unknown>)[key]
    if (key.length > METADATA_KEY_CHARS_MAX || typeof value !== 'string' || value.length > METADATA_VALUE_CHARS_MAX) {
      throw invalid(
        `${where(id, e, total)}, metadata.${key.slice(0, METADATA_KEY_CHARS_MAX)}: metadata keys are at most ${METADATA_KEY_CHARS_MAX} characters and values text of at most ${METADATA_VALUE_CHARS_MAX}.`,
        { entryId: id, entryIndex: e, field: `metadata.${key.slice(0, METADATA_KEY_CHARS_MAX)}` },
      )
    }
  }
  return canonicalJson(metadata)
}

/** Postings must sum to zero in every asset. Single-asset entries (the common case) skip the map. */
function assertBalanced(entry: ParsedEntry, e: number, total: number): void {
  const { accounts, amounts } = entry
  const firstAsset = accounts[0]!.assetId
  let sum = 0n
  let mixed = false
  for (let i = 0; i < accounts.length; i++) {
    if (accounts[i]!.assetId === firstAsset) sum += amounts[i]!
    else mixed = true
  }
  if (!mixed) {
    if (sum !== 0n) throw unbalancedError(entry, firstAsset, e, total)
    return
  }
  const sums = new Map<string, bigint>()
  for (let i = 0; i < accounts.length; i++) {
    const assetId = accounts[i]!.assetId
    sums.set(assetId, (sums.get(assetId) ?? 0n) + amounts[i]!)
  }
  for (const [assetId, assetSum] of sums) {
    if (assetSum !== 0n) throw unbalancedError(entry, assetId, e, total)
  }
}

function unbalancedError(entry: ParsedEntry, assetId: string, e: number, total: number): CsError {
  let debits = 0n
  let credits = 0n
  let acc: BookAccount | undefined
  for (let i = 0; i < entry.accounts.length; i++) {
    if (entry.accounts[i]!.assetId !== assetId) continue
    acc = entry.accounts[i]!
    const amount = entry.amounts[i]!
    if (amount > 0n) debits += amount
    else credits -= amount
  }
  const scale = acc!.scale
  const code = acc!.assetCode
  const heavier = debits > credits ? 'debits exceed credits' : 'credits exceed debits'
  const difference = debits > credits ? debits - credits : credits - debits
  return new CsError(
    'ENTRY_UNBALANCED',
    `${where(entry.id, e, total)} does not balance in ${assetId}: debits ${formatAmount(debits, scale)}, credits ${formatAmount(credits, scale)} — ${heavier} by ${formatAmount(difference, scale)} ${code}. Each asset's postings must sum to zero; fix an amount or add the missing posting.`,
    { details: { entryId: entry.id, entryIndex: e, field: 'postings', assetId, difference: formatAmount(debits - credits, scale) } },
  )
}

/**
 * After the entry is applied, an account that may not go negative must not be below zero —
 * unless this entry did not take anything from it (it was already below, which only a change of
 * rules could cause; refusing a deposit then would make things worse).
 */
function assertNoOverdraft(book: LedgerBook, entry: ParsedEntry, e: number, total: number): void {
  const { accounts, amounts } = entry
  for (let i = 0; i < accounts.length; i++) {
    const acc = accounts[i]!
    // Only a posting against the normal side can make the entry's net effect a reduction.
    if (acc.allowNegative || (acc.side === 'debit' ? amounts[i]! > 0n : amounts[i]! < 0n)) continue
    const available = book.available(acc)
    if (available >= 0n) continue
    let net = 0n
    for (let j = 0; j < accounts.length; j++) if (accounts[j] === acc) net += amounts[j]!
    const effect = acc.side === 'debit' ? net : -net
    if (effect >= 0n) continue
    const before = available - effect
    throw new CsError(
      'INSUFFICIENT_FUNDS',
      `${where(entry.id, e, total)}: account "${acc.id}" has ${formatAmount(before, acc.scale)} ${acc.assetCode} available but the entry needs ${formatAmount(-effect, acc.scale)} ${acc.assetCode} — fund the account first, release a hold, or lower the amount.`,
      {
        details: {
          entryId: entry.id,
          entryIndex: e,
          accountId: acc.id,
          available: formatAmount(before, acc.scale),
          needed: formatAmount(-effect, acc.scale),
        },
      },
    )
  }
}

interface Difference {
  field: string
  stored: string
  given: string
}

/** The first field in which `entry` differs from the stored entry of the same id, or null if none. */
function differenceFromStored(ctx: CoreContext, entry: ParsedEntry, kind: string): Difference | null {
  const stored = ctx.db.prepare(SELECT_ENTRY_SQL).get(entry.id) as StoredEntry | undefined
  if (!stored) throw new Error(`invariant: entry ${entry.id} was refused as a duplicate but is not stored`)
  if (stored.kind !== kind) return { field: 'kind', stored: stored.kind, given: kind }
  if (stored.description !== entry.description)
    return { field: 'description', stored: quote(stored.description), given: quote(entry.description) }
  if (entry.date !== undefined && stored.date !== entry.date) return { field: 'date', stored: stored.date, given: entry.date }
  if (stored.metadata !== entry.metadataJson) {
    const a = JSON.parse(stored.metadata) as Record<string, string>
    const b = JSON.parse(entry.metadataJson) as Record<string, string>
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    for (const key of keys) {
      if (a[key] !== b[key])
        return {
          field: `metadata.${key}`,
          stored: a[key] === undefined ? '(none)' : quote(a[key]),
          given: b[key] === undefined ? '(none)' : quote(b[key]),
        }
    }
  }
  const postings = ctx.db.prepare(SELECT_POSTINGS_SQL).all(stored.seq) as StoredPosting[]
  if (postings.length !== entry.accounts.length)
    return { field: 'postings count', stored: String(postings.length), given: String(entry.accounts.length) }
  for (let i = 0; i < postings.length; i++) {
    const p = postings[i]!
    const acc = entry.accounts[i]!
    if (p.account_id !== acc.id) return { field: `postings[${i}].account`, stored: p.account_id, given: acc.id }
    const storedAmount = parseMinor(p.amount)
    const givenAmount = entry.amounts[i]!
    if (storedAmount > 0n !== givenAmount > 0n) {
      return { field: `postings[${i}].side`, stored: storedAmount > 0n ? 'debit' : 'credit', given: givenAmount > 0n ? 'debit' : 'credit' }
    }
    if (storedAmount !== givenAmount) {
      const abs = (x: bigint): bigint => (x < 0n ? -x : x)
      return {
        field: `postings[${i}].amount`,
        stored: formatAmount(abs(storedAmount), acc.scale),
        given: formatAmount(abs(givenAmount), acc.scale),
      }
    }
  }
  return null
}

function conflictError(id: string, e: number, total: number, diff: Difference): CsError {
  return new CsError(
    'ENTRY_CONFLICT',
    `${where(id, e, total)} was already posted with a different ${diff.field} (stored: ${diff.stored}; now: ${diff.given}) — an entry id is used once: resend the original unchanged to retry, or give a new entry a new id.`,
    { details: { entryId: id, entryIndex: e, field: diff.field } },
  )
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? text.slice(0, 57) + '…' : text)
}

/**
 * Builds, byte for byte, what canonicalJson([id, date, kind, description, metadata,
 * [[account, amount], …]]) gives, by hand because it runs once per entry on the bulk path (the
 * test asserts the equality). Dates, descriptions and account ids repeat across a batch, so
 * their JSON text is remembered.
 */
export class EntryLineBuilder {
  private readonly kindJson: string
  private readonly date = memoJsonText()
  private readonly description = memoJsonText()
  private readonly accounts = new Map<string, string>()
  private text = ''
  private postings = 0

  constructor(kind: string) {
    this.kindJson = jsonText(kind)
  }
  begin(id: string, date: string, description: string, metadataJson: string): void {
    this.text = `[${jsonText(id)},${this.date(date)},${this.kindJson},${this.description(description)},${metadataJson},[`
    this.postings = 0
  }
  /** `amount`: signed minor units as an integer string. */
  posting(accountId: string, amount: string): void {
    let idJson = this.accounts.get(accountId)
    if (idJson === undefined) {
      idJson = jsonText(accountId)
      this.accounts.set(accountId, idJson)
    }
    this.text += `${this.postings++ > 0 ? ',' : ''}[${idJson},"${amount}"]`
  }
  end(): string {
    return this.text + ']]'
  }
}

function memoJsonText(): (text: string) => string {
  let last: string | undefined
  let lastJson = ''
  return (text) => {
    if (text !== last) {
      last = text
      lastJson = jsonText(text)
    }
    return lastJson
  }
}

/** Text JSON.stringify would leave as it is: no quote, backslash, control character or surrogate. */
const JSON_PLAIN_TEXT_RE = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/
/** JSON.stringify for a string, skipping the general encoder for the usual plain text. */
function jsonText(text: string): string {
  return JSON_PLAIN_TEXT_RE.test(text) ? `"${text}"` : JSON.stringify(text)
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
