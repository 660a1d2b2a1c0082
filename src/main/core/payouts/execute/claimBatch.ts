/**
 * Who is executing a batch, from which desktop (batch_claims, migration 0007). Execute, retry,
 * resume and external export take the claim in one write transaction BEFORE their pre-flight
 * checks: writers are serialised (db/Db.ts), so when two people press Execute on the same batch —
 * two windows, two terminals, two machines on one team database — exactly one gets it and the
 * other is told, in a sentence, who got there first. Without it the second one ran the pre-flight
 * against a treasury the first was already spending and was told to "check the balance".
 *
 * A claim lasts CLAIM_TTL_MS and is renewed while held; if its holder dies it expires — at once on
 * the holder's own host, where a claim whose process is gone is not live (a person pressing
 * Resume after a crash is not told to wait for the crashed process). Releasing
 * keeps the row (released_at set) as the record of who last ran the batch, for the message a
 * later caller sees.
 */
import os from 'node:os'
import { CsError } from '../../../../shared/errors'
import type { Actor, CoreContext } from '../../context'

/** How long a claim keeps others out before its holder must have moved the batch on. */
export const CLAIM_TTL_MS = 5 * 60_000
/** How often a held claim is renewed. */
const CLAIM_RENEW_MS = CLAIM_TTL_MS / 3

export type ClaimPurpose = 'execute' | 'retry' | 'resume' | 'external'

export interface BatchClaim {
  release(): Promise<void>
}

export interface ClaimHolder {
  operatorName: string
  host: string
  claimedAt: string
  purpose: string
}

/** This desktop's name, as the other desks see it in "already being executed by … on DESK-2". */
export function thisHost(): string {
  return os.hostname().slice(0, 64) || 'this computer'
}

/**
 * Decides, inside the claim's transaction, whether the batch may be taken at all (its state): an
 * error to throw, or null. `holder` is who last ran it, for "started by … on …".
 */
export type ClaimCheck = (batch: { name: string; state: string }, holder: ClaimHolder | null) => CsError | null

export async function claimBatch(
  ctx: CoreContext,
  batchId: string,
  actorId: Actor,
  purpose: ClaimPurpose,
  check: ClaimCheck = () => null,
): Promise<BatchClaim> {
  const host = thisHost()
  const token = await ctx.db.tx(async () => {
    const now = ctx.clock.now()
    const nowIso = now.toISOString()
    const batch = await ctx.db.first(ctx.db.k.selectFrom('batches').select(['name', 'state']).where('id', '=', batchId))
    if (!batch)
      throw new CsError('BATCH_NOT_FOUND', `There is no batch "${batchId}" — check the id (Payouts lists every batch).`, {
        cliHint: 'countersign batches list',
      })
    const current = await ctx.db.first(ctx.db.k.selectFrom('batch_claims').selectAll().where('batch_id', '=', batchId))
    if (current && isLive(current, nowIso)) {
      throw new CsError(
        'BATCH_BUSY',
        `Batch "${batch.name}" is already being ${verb(current.purpose)} by ${current.operator_name} on ${current.host} (since ${clock(current.claimed_at)}) — wait for it to finish; its progress shows on the batch page. Nothing was signed here.`,
        { details: { batchId, operatorName: current.operator_name, host: current.host, since: current.claimed_at } },
      )
    }
    const refusal = check(
      batch,
      current ? { operatorName: current.operator_name, host: current.host, claimedAt: current.claimed_at, purpose: current.purpose } : null,
    )
    if (refusal) throw refusal
    const operator = await ctx.db.first(ctx.db.k.selectFrom('operators').select('name').where('id', '=', actorId))
    const row = {
      batch_id: batchId,
      operator_id: actorId,
      operator_name: operator?.name ?? actorId,
      host,
      pid: process.pid,
      purpose,
      claimed_at: nowIso,
      expires_at: new Date(now.getTime() + CLAIM_TTL_MS).toISOString(),
      released_at: null,
    }
    await ctx.db.run(
      ctx.db.k
        .insertInto('batch_claims')
        .values(row)
        .onConflict((oc) => oc.column('batch_id').doUpdateSet({ ...row })),
    )
    return nowIso
  })
  let released = false
  // Held longer than its time to live (a long signing session on the device): renewed, so it never
  // lapses under a living holder.
  const renew = setInterval(() => {
    ctx.db
      .run(
        ctx.db.k
          .updateTable('batch_claims')
          .set({ expires_at: new Date(ctx.clock.now().getTime() + CLAIM_TTL_MS).toISOString() })
          .where('batch_id', '=', batchId)
          .where('claimed_at', '=', token)
          .where('host', '=', host)
          .where('released_at', 'is', null),
      )
      .catch(() => {})
  }, CLAIM_RENEW_MS)
  renew.unref?.()
  return {
    async release() {
      if (released) return
      released = true
      clearInterval(renew)
      await ctx.db.run(
        ctx.db.k
          .updateTable('batch_claims')
          .set({ released_at: ctx.clock.now().toISOString() })
          .where('batch_id', '=', batchId)
          .where('claimed_at', '=', token)
          .where('host', '=', host)
          .where('released_at', 'is', null),
      )
    },
  }
}

/** Run `fn` holding the batch's claim; released whatever happens. */
export async function withBatchClaim<T>(
  ctx: CoreContext,
  batchId: string,
  actorId: Actor,
  purpose: ClaimPurpose,
  check: ClaimCheck,
  fn: () => Promise<T>,
): Promise<T> {
  const claim = await claimBatch(ctx, batchId, actorId, purpose, check)
  try {
    return await fn()
  } finally {
    await claim.release()
  }
}

/** The batches someone holds a live claim on now. */
export async function liveClaims(ctx: CoreContext): Promise<Set<string>> {
  const nowIso = ctx.clock.now().toISOString()
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('batch_claims').selectAll().where('released_at', 'is', null).where('expires_at', '>', nowIso),
  )
  return new Set(rows.filter((r) => isLive(r, nowIso)).map((r) => r.batch_id))
}

/** Unreleased, unexpired, and — on this host — held by a process that still runs. */
function isLive(claim: { released_at: string | null; expires_at: string; host: string; pid: number }, nowIso: string): boolean {
  if (claim.released_at !== null || claim.expires_at <= nowIso) return false
  if (claim.host !== thisHost() || claim.pid === process.pid) return true
  try {
    process.kill(claim.pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs under another user — alive. ESRCH: gone.
    return (error as { code?: unknown }).code === 'EPERM'
  }
}

/** Who last claimed the batch (for "started by … on …" in later refusals), or null. */
export async function lastClaimHolder(ctx: CoreContext, batchId: string): Promise<ClaimHolder | null> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('batch_claims').selectAll().where('batch_id', '=', batchId))
  return row ? { operatorName: row.operator_name, host: row.host, claimedAt: row.claimed_at, purpose: row.purpose } : null
}

/** " — started by Carol Signer on DESK-2 at 10:02:11 UTC" for a refusal, or '' when nobody is on record. */
export function startedBy(holder: ClaimHolder | null): string {
  return holder ? ` — started by ${holder.operatorName} on ${holder.host} at ${clock(holder.claimedAt)}` : ''
}

function verb(purpose: string): string {
  return purpose === 'retry' ? 'retried' : purpose === 'resume' ? 'resumed' : purpose === 'external' ? 'exported for signing' : 'executed'
}

function clock(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`
}
