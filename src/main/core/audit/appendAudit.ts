/**
 * Append one row to the hash-chained audit log. Must run inside the same DB transaction as the
 * state change it records, so a change and its audit row commit or vanish together.
 * hash = sha256(prevHash + "\n" + canonicalJson({seq, at, actor, action, subject, change[, rowsDigest]})).
 * The head (seq and hash of the last row) is also kept in `meta`, so deleting the newest row is
 * detected too. rowsDigest (0009) is the digest of the rows the change wrote (./rowSeals.ts): it
 * is hashed in only when the row has one, so every row written before it keeps its hash.
 */
import { createHash } from 'node:crypto'
import type { CompiledQuery } from 'kysely'
import type { CoreContext, Actor } from '../context'
import type { Db } from '../db/Db'
import { canonicalJson } from '../util/canonicalJson'
import { unreachable } from '../util/invariant'
import type { RowSeals } from './rowSeals'

export const AUDIT_GENESIS_HASH = '0'.repeat(64)
export const AUDIT_HEAD_KEY = 'audit_head'

export interface AuditRecord {
  actor: Actor
  /** Verb-first, dotted: 'ledger.entries.post', 'operators.add'. */
  action: string
  /** What changed: 'entry:opening-1', 'account:treasury-usdc', 'batch:b_12'. */
  subject: string
  /** The change itself: JSON-able, amounts as strings. */
  change: unknown
  /** The seals of the rows the change wrote (openRowSeals): folded into this row's rows_digest. */
  seals?: RowSeals | undefined
}

export interface AppendedAudit {
  seq: number
  hash: string
}

export function auditRowHash(
  prevHash: string,
  row: { seq: number; at: string; actor: string; action: string; subject: string; change: string; rows_digest?: string | null },
): string {
  const content = canonicalJson({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    change: row.change,
    // Absent (not null) when there is none: canonicalJson drops undefined members.
    rowsDigest: row.rows_digest ?? undefined,
  })
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex')
}

/**
 * The head query, compiled once per database: it runs twice per write (the seals of a change are
 * opened for the next row, then the row is appended), and compiling it cost more than running it.
 */
const headQueries = new WeakMap<Db, CompiledQuery<{ value: string }>>()

export async function readAuditHead(ctx: CoreContext): Promise<{ seq: number; hash: string }> {
  let query = headQueries.get(ctx.db)
  if (!query) headQueries.set(ctx.db, (query = ctx.db.k.selectFrom('meta').select('value').where('key', '=', AUDIT_HEAD_KEY).compile()))
  const row = await ctx.db.first(query)
  if (!row) return { seq: 0, hash: AUDIT_GENESIS_HASH }
  const [seq, hash] = row.value.split(':')
  return { seq: Number(seq), hash: hash! }
}

export async function appendAudit(ctx: CoreContext, record: AuditRecord): Promise<AppendedAudit> {
  if (!ctx.db.inTransaction()) unreachable('appendAudit must run inside the transaction of the change it records')
  const head = await readAuditHead(ctx)
  const seq = head.seq + 1
  const at = ctx.clock.now().toISOString()
  const change = canonicalJson(record.change ?? null)
  const rows_digest = record.seals ? record.seals.fold(seq) : null
  const row = { seq, at, actor: record.actor, action: record.action, subject: record.subject, change, rows_digest }
  const hash = auditRowHash(head.hash, row)
  await ctx.db.run(ctx.db.k.insertInto('audit_log').values({ ...row, prev_hash: head.hash, hash }))
  await ctx.db.run(
    ctx.db.k
      .insertInto('meta')
      .values({ key: AUDIT_HEAD_KEY, value: `${seq}:${hash}` })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: `${seq}:${hash}` })),
  )
  return { seq, hash }
}
