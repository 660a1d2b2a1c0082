/**
 * Row seals: every audit row commits to what its change wrote, so an SQL edit of the books — not
 * only of the audit log — fails `audit verify`.
 *
 * A write site opens a RowSeals inside its transaction (openRowSeals), seals each row it writes
 * (the journal writes an entry's seal into the entry row itself and hands it here; holds and
 * payouts get a row in row_seals), and passes the RowSeals to the appendAudit that records the
 * change. appendAudit folds exactly these seals — kept in memory, in this object, never found
 * by querying the table — into the audit row's `rows_digest`. So a seal row an attacker inserts
 * is never folded into a later legitimate audit row: it stands out as a seal no digest covers.
 *
 * The seals are explicit (an object the caller passes along) rather than hidden per-transaction
 * state: a write that seals but forgets to record it cannot slip through, because the seals name
 * the audit row they belong to (the next one, read when they are opened under the write lock)
 * and appendAudit asserts it is that row.
 *
 * rows_digest = "<entries sealed>:<rows sealed>:" + sha256(JSON [version, entries sealed, sha256 of
 * their "seq seal" lines, rows sealed, sha256 of their JSON [table, key, hash] lines]), in the
 * order they were sealed (entries by seq, row seals by idx); '' stands for an empty part. The two
 * parts are hashed separately so `audit verify` can recompute each in its own paged pass, and the
 * counts are readable so it can say "an entry this row sealed is gone" rather than only "differs".
 */
import { createHash, type Hash } from 'node:crypto'
import type { CoreContext } from '../context'
import { invariant, unreachable } from '../util/invariant'
import { readAuditHead } from './appendAudit'
import { rowSealOf, type HoldSealContent, type PayoutSealContent, type RowSealedTable } from './sealContent'

export const ROWS_DIGEST_VERSION = 'rows-digest-1'
const ROW_SEAL_COLUMNS = ['audit_seq', 'idx', 'table_name', 'row_key', 'hash'] as const
/** Characters of seal lines gathered before they are handed to the hash. */
const SEAL_CHUNK_CHARS = 64 * 1024
/** "<entries>:<rows>:<hex sha256>" */
const ROWS_DIGEST_RE = /^(\d{1,15}):(\d{1,15}):[0-9a-f]{64}$/

export interface SealContentOf {
  holds: HoldSealContent
  payouts: PayoutSealContent
}

/** One part of a digest: a count and a running sha256 of its lines (each followed by "\n"). */
export class SealPart {
  /** Made on the first full chunk: most parts (one call's seals) never fill one. */
  private hash: Hash | null = null
  private chunk = ''
  private done: string | null = null
  count = 0

  add(line: string): void {
    if (this.done !== null) unreachable('a seal was added to a digest part that was already finished')
    this.chunk += line + '\n'
    this.count++
    if (this.chunk.length >= SEAL_CHUNK_CHARS) {
      this.hash ??= createHash('sha256')
      this.hash.update(this.chunk)
      this.chunk = ''
    }
  }

  /** The count and the hex sha256 of the lines ('' when there were none). */
  finish(): SealPartSum {
    this.done ??= this.count === 0 ? '' : (this.hash ?? createHash('sha256')).update(this.chunk).digest('hex')
    return { count: this.count, hex: this.done }
  }
}

export function entrySealLine(seq: number, seal: string): string {
  return `${seq} ${seal}`
}

export function rowSealLine(table: string, key: string, hash: string | null): string {
  return JSON.stringify([table, key, hash])
}

/** What a part of a digest holds: how many seals, and the hash of their lines ('' for none). */
export interface SealPartSum {
  count: number
  hex: string
}
const EMPTY_PART: SealPartSum = { count: 0, hex: '' }

/** The digest of one audit row's seals; null when it sealed nothing. */
export function rowsDigestOf(entries: SealPartSum = EMPTY_PART, rows: SealPartSum = EMPTY_PART): string | null {
  if (entries.count === 0 && rows.count === 0) return null
  const hex = createHash('sha256')
    .update(JSON.stringify([ROWS_DIGEST_VERSION, entries.count, entries.hex, rows.count, rows.hex]))
    .digest('hex')
  return `${entries.count}:${rows.count}:${hex}`
}

/** The counts a stored rows_digest says it covers (null when it is not one we wrote). */
export function rowsDigestCounts(digest: string): { entries: number; rows: number } | null {
  const m = ROWS_DIGEST_RE.exec(digest)
  return m ? { entries: Number(m[1]), rows: Number(m[2]) } : null
}

export class RowSeals {
  private readonly entries = new SealPart()
  private readonly rows = new SealPart()
  private lastEntrySeq = 0
  /** table + "\0" + key: a row is sealed at most once per audit row (row_seals_row is unique). */
  private readonly sealedRows = new Set<string>()
  private folded = false

  /** `auditSeq`: the audit row these seals belong to — the next one when they were opened. */
  constructor(readonly auditSeq: number) {}

  /** The journal stores an entry's seal in the entry row; here it joins the digest. Entries come in seq order. */
  addEntry(seq: number, seal: string): void {
    this.assertOpen()
    if (seq <= this.lastEntrySeq) unreachable(`entry seq ${seq} sealed after ${this.lastEntrySeq}`)
    this.lastEntrySeq = seq
    this.entries.add(entrySealLine(seq, seal))
  }

  /** Seal rows of a table as they are now written (or re-seal them after an edit). */
  async seal<T extends RowSealedTable>(ctx: CoreContext, table: T, rows: readonly SealContentOf[T][]): Promise<void> {
    await this.write(
      ctx,
      table,
      rows.map((row) => [row.id, rowSealOf(table, row as unknown as Record<string, unknown>)]),
    )
  }

  /** Record that these rows were removed: their seal becomes a removal, which this audit row vouches for. */
  async unseal(ctx: CoreContext, table: RowSealedTable, keys: readonly string[]): Promise<void> {
    await this.write(
      ctx,
      table,
      keys.map((key) => [key, null]),
    )
  }

  /** Called by appendAudit for the row it appends: the digest, or null when nothing was sealed. */
  fold(seq: number): string | null {
    this.assertOpen()
    if (seq !== this.auditSeq)
      unreachable(`seals opened for audit row ${this.auditSeq} were recorded in row ${seq} — another audit row was appended in between`)
    this.folded = true
    return rowsDigestOf(this.entries.finish(), this.rows.finish())
  }

  private async write(ctx: CoreContext, table: RowSealedTable, seals: readonly (readonly [string, string | null])[]): Promise<void> {
    this.assertOpen()
    invariant(ctx.db.inTransaction(), 'rows are sealed inside the transaction that writes them')
    const values: unknown[][] = []
    for (const [key, hash] of seals) {
      const id = `${table}\0${key}`
      if (this.sealedRows.has(id)) unreachable(`${table} row ${key} was sealed twice for audit row ${this.auditSeq}`)
      this.sealedRows.add(id)
      values.push([this.auditSeq, this.rows.count, table, key, hash])
      this.rows.add(rowSealLine(table, key, hash))
    }
    await ctx.db.insertRows('row_seals', ROW_SEAL_COLUMNS, values)
  }

  private assertOpen(): void {
    if (this.folded) unreachable(`the seals of audit row ${this.auditSeq} were already recorded`)
  }
}

/** Open the seals of the audit row this transaction will append next (under the write lock, nobody else takes it). */
export async function openRowSeals(ctx: CoreContext): Promise<RowSeals> {
  invariant(ctx.db.inTransaction(), 'seals are opened inside the transaction of the change they seal')
  return new RowSeals((await readAuditHead(ctx)).seq + 1)
}
