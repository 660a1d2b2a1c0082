/**
 * Post journal entries atomically: the whole batch is one synchronous transaction, so any
 * invalid entry leaves nothing written, and the error names that entry's id and field.
 * Ids are idempotency keys: resending an entry unchanged is a replay that writes nothing;
 * resending an id with different content is ENTRY_CONFLICT.
 */
import { ENTRIES_PER_CALL_MAX } from '../../../shared/limits'
import type { EntryInput } from '../../../shared/ledgerApi'
import { CsError } from '../../../shared/errors'
import { appendAudit } from '../audit/appendAudit'
import { openRowSeals } from '../audit/rowSeals'
import type { Actor, CoreContext } from '../context'
import { unreachable } from '../util/invariant'
import { HOLD_ENTRY_KIND, todayUtc } from './ids'
import { LedgerBook } from './ledgerBook'
import { writeEntries } from './writeEntries'

export interface PostEntriesOptions {
  /** What kind of booking this is: 'manual' from the API; the payout engine uses its own. */
  kind: string
}
export interface PostEntriesReturnType {
  posted: string[]
  replayed: string[]
}

/** Entry ids listed in full in one audit row; the digest covers the rest. */
export const AUDIT_ENTRY_IDS_MAX = 100
const KIND_RE = /^[a-z][a-z0-9_.-]{0,31}$/

export async function postEntries(
  ctx: CoreContext,
  actorId: Actor,
  inputs: readonly EntryInput[],
  options: PostEntriesOptions,
): Promise<PostEntriesReturnType> {
  if (!KIND_RE.test(options.kind) || options.kind === HOLD_ENTRY_KIND) {
    unreachable(`entry kind "${options.kind}" is not a kind postEntries may write`)
  }
  if (!Array.isArray(inputs)) throw new CsError('ENTRY_INVALID', 'Give the entries as a list.')
  if (inputs.length > ENTRIES_PER_CALL_MAX) {
    throw new CsError(
      'ENTRY_INVALID',
      `${inputs.length} entries are more than one call may post (${ENTRIES_PER_CALL_MAX}) — split them into smaller batches.`,
    )
  }
  if (inputs.length === 0) return { posted: [], replayed: [] }

  const out = await ctx.db.tx(async () => {
    const now = ctx.clock.now()
    const nowIso = now.toISOString()
    const book = new LedgerBook(ctx)
    const seals = await openRowSeals(ctx)
    const written = await writeEntries(ctx, book, inputs, { kind: options.kind, actorId, nowIso, today: todayUtc(ctx.clock), seals })
    const touched = await book.flush(nowIso)
    const { posted } = written
    // A call that only replays changes nothing, so it leaves no audit row: retrying is free.
    if (posted.length > 0) {
      const first = posted[0]!
      await appendAudit(ctx, {
        actor: actorId,
        action: 'ledger.entries.post',
        subject: posted.length === 1 ? `entry:${first}` : `entries:${first}..${posted.at(-1)!}`,
        change: {
          kind: options.kind,
          count: posted.length,
          replayed: written.replayed.length,
          ids: posted.slice(0, AUDIT_ENTRY_IDS_MAX),
          idsOmitted: Math.max(0, posted.length - AUDIT_ENTRY_IDS_MAX),
          digest: written.digest,
          ...(posted.length === 1 ? { entry: written.firstPosted } : {}),
        },
        seals,
      })
    }
    return { posted, replayed: written.replayed, touched }
  })
  if (out.posted.length > 0) ctx.events.emit('ledger.changed', { accountIds: out.touched })
  return { posted: out.posted, replayed: out.replayed }
}
