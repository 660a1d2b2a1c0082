/**
 * Proving who you are: unlock with your passphrase, first unlock with an admin's one-time invite
 * code (you choose your own passphrase; your approval key is made and sealed by it), and
 * changing your passphrase. The caller (./operatorHandlers.ts) binds the result to the channel.
 *
 * Failed unlocks back off exponentially per operator — counted in the database, so every desk
 * and every CLI process shares one count — and each one is recorded in the audit log. The slow
 * KDF runs outside any transaction (it would hold the write lock for half a second).
 */
import type { Operator } from '../../../shared/blocks'
import { CsError } from '../../../shared/errors'
import { UNLOCK_BACKOFF_SECONDS_MAX, UNLOCK_FAILURES_FREE_MAX } from '../../../shared/limits'
import { appendAudit } from '../audit/appendAudit'
import type { CoreContext } from '../context'
import type { OperatorRow } from '../db/schema'
import { fingerprintOf, newEd25519Key, newKeyId } from './approvalKeys'
import { assertPassphraseStrong, checkPassphrase, hashInviteCode, hashPassphrase, kdfParamsFor, seal, unseal } from './credentials'
import { activeKeyOf, findOperatorRow, toOperator } from './operators'

export interface UnlockResult {
  operator: Operator
  approvalSecret: Uint8Array | null
}

/** Seconds an operator must wait after `failures` wrong passphrases in a row. */
export function backoffSeconds(failures: number): number {
  if (failures < UNLOCK_FAILURES_FREE_MAX) return 0
  return Math.min(UNLOCK_BACKOFF_SECONDS_MAX, 2 ** (failures - UNLOCK_FAILURES_FREE_MAX + 1))
}

async function requireRow(ctx: CoreContext, idOrName: string): Promise<OperatorRow> {
  const row = await findOperatorRow(ctx, idOrName)
  if (!row) throw new CsError('OPERATOR_NOT_FOUND', `There is no operator "${idOrName}" in this workspace — pick a profile from the list.`)
  if (row.status === 'deactivated')
    throw new CsError('OPERATOR_INACTIVE', `${row.name} was deactivated and can no longer unlock — ask an admin if this is a mistake.`)
  return row
}

function assertNotThrottled(ctx: CoreContext, row: OperatorRow): void {
  if (row.locked_until === null) return
  const wait = Math.ceil((Date.parse(row.locked_until) - ctx.clock.now().getTime()) / 1000)
  if (wait > 0)
    throw new CsError(
      'UNLOCK_THROTTLED',
      `Too many wrong passphrases for ${row.name} — wait ${wait} s before trying again. Each further mistake doubles the wait.`,
      { details: { retryAfterSeconds: wait } },
    )
}

async function recordFailure(ctx: CoreContext, row: OperatorRow, what: string): Promise<never> {
  const { failures, lockedUntil } = await ctx.db.tx(async () => {
    const fresh = await ctx.db.first(ctx.db.k.selectFrom('operators').select('failed_unlocks').where('id', '=', row.id))
    const failures = Number(fresh?.failed_unlocks ?? 0) + 1
    const wait = backoffSeconds(failures)
    const lockedUntil = wait > 0 ? new Date(ctx.clock.now().getTime() + wait * 1000).toISOString() : null
    await ctx.db.run(
      ctx.db.k.updateTable('operators').set({ failed_unlocks: failures, locked_until: lockedUntil }).where('id', '=', row.id),
    )
    await appendAudit(ctx, {
      actor: row.id,
      action: 'operators.unlock.failed',
      subject: `operator:${row.id}`,
      change: { what, failures, lockedUntil },
    })
    return { failures, lockedUntil }
  })
  const then = lockedUntil ? ` Wait ${backoffSeconds(failures)} s before the next try.` : ''
  if (what === 'invite code')
    throw new CsError(
      'INVITE_INVALID',
      `That is not the invite code for ${row.name} (${failures} wrong in a row; this is recorded).${then} Check it with the admin who invited you.`,
    )
  throw new CsError(
    'PASSPHRASE_WRONG',
    `That is not ${row.name}'s passphrase (${failures} wrong in a row; this is recorded).${then} Forgotten it? An admin can re-invite you.`,
  )
}

async function clearFailures(ctx: CoreContext, row: OperatorRow): Promise<void> {
  if (Number(row.failed_unlocks) === 0 && row.locked_until === null) return
  await ctx.db.tx(async () => {
    await ctx.db.run(ctx.db.k.updateTable('operators').set({ failed_unlocks: 0, locked_until: null }).where('id', '=', row.id))
    await appendAudit(ctx, {
      actor: row.id,
      action: 'operators.unlock',
      subject: `operator:${row.id}`,
      change: { afterFailures: Number(row.failed_unlocks) },
    })
  })
}

export async function unlockOperator(ctx: CoreContext, idOrName: string, passphrase: string): Promise<UnlockResult> {
  const row = await requireRow(ctx, idOrName)
  if (row.passphrase === null) {
    throw new CsError(
      'OPERATOR_SETUP_REQUIRED',
      `${row.name} has no passphrase yet — set one with the invite code an admin gave you (CLI: countersign operators activate --as "${row.name}" --invite CODE).`,
    )
  }
  assertNotThrottled(ctx, row)
  const sealKey = await checkPassphrase(row.passphrase, passphrase)
  if (!sealKey) return await recordFailure(ctx, row, 'unlock')
  await clearFailures(ctx, row)
  const key = await activeKeyOf(ctx, row.id)
  const approvalSecret = key?.kind === 'ed25519' && key.sealed_secret ? unseal(sealKey, key.sealed_secret, row.id) : null
  sealKey.fill(0)
  return { operator: toOperator(row, key), approvalSecret }
}

/**
 * First unlock. An invited operator proves the invite code and chooses their passphrase; an
 * operator of a workspace made before passphrases existed (active, none set) claims theirs.
 * Either way an ed25519 approval key is made, sealed by the new passphrase, and its public half
 * recorded in the audit chain.
 */
export async function activateOperator(
  ctx: CoreContext,
  idOrName: string,
  input: { inviteCode?: string | undefined; passphrase: string },
): Promise<UnlockResult> {
  const row = await requireRow(ctx, idOrName)
  if (row.passphrase !== null)
    throw new CsError('INVITE_INVALID', `${row.name} already has a passphrase — unlock with it instead (or ask an admin to re-invite you).`)
  assertNotThrottled(ctx, row)
  if (row.status === 'invited') {
    const invite = row.invite ? (JSON.parse(row.invite) as { hash: string; expiresAt: string }) : null
    if (!invite || input.inviteCode === undefined || input.inviteCode === '') {
      throw new CsError('INVITE_INVALID', `${row.name} was invited: enter the one-time invite code the admin gave you.`)
    }
    if (Date.parse(invite.expiresAt) < ctx.clock.now().getTime())
      throw new CsError('INVITE_INVALID', `The invite for ${row.name} expired — ask an admin to re-invite you.`)
    if (hashInviteCode(input.inviteCode) !== invite.hash) return await recordFailure(ctx, row, 'invite code')
  }
  assertPassphraseStrong(input.passphrase, row.name)
  const params = kdfParamsFor()
  const { record, sealKey } = await hashPassphrase(input.passphrase, params)
  const { secret, publicKey } = newEd25519Key()
  const keyId = newKeyId()
  const fingerprint = fingerprintOf('ed25519', publicKey)
  const sealed = seal(sealKey, secret, row.id)
  sealKey.fill(0)
  const now = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    const fresh = await findOperatorRow(ctx, row.id)
    if (!fresh || fresh.passphrase !== null || fresh.status === 'deactivated')
      throw new CsError('INVITE_INVALID', `${row.name} was set up or changed meanwhile — unlock with the passphrase, or ask an admin.`)
    await ctx.db.run(
      ctx.db.k
        .updateTable('operators')
        .set({ status: 'active', passphrase: JSON.stringify(record), invite: null, failed_unlocks: 0, locked_until: null, updated_at: now })
        .where('id', '=', row.id),
    )
    await ctx.db.run(
      ctx.db.k.updateTable('operator_keys').set({ revoked_at: now }).where('operator_id', '=', row.id).where('revoked_at', 'is', null),
    )
    await ctx.db.run(
      ctx.db.k.insertInto('operator_keys').values({
        id: keyId,
        operator_id: row.id,
        kind: 'ed25519',
        public_key: publicKey,
        path: null,
        fingerprint,
        sealed_secret: JSON.stringify(sealed),
        created_at: now,
        revoked_at: null,
      }),
    )
    await appendAudit(ctx, {
      actor: row.id,
      action: row.status === 'invited' ? 'operators.activate' : 'operators.claim',
      subject: `operator:${row.id}`,
      change: {
        kdf: { alg: params.alg, N: params.N, r: params.r, p: params.p },
        key: { id: keyId, kind: 'ed25519', publicKey, fingerprint },
      },
    })
  })
  ctx.events.emit('operators.changed', {})
  const updated = (await findOperatorRow(ctx, row.id))!
  return { operator: toOperator(updated, await activeKeyOf(ctx, row.id)), approvalSecret: secret }
}

/** Change your own passphrase: the approval key is re-sealed with the new one (it does not change). */
export async function changePassphrase(ctx: CoreContext, operatorId: string, current: string, next: string): Promise<UnlockResult> {
  const row = await requireRow(ctx, operatorId)
  if (row.passphrase === null) throw new CsError('OPERATOR_SETUP_REQUIRED', `${row.name} has no passphrase yet — activate first.`)
  assertNotThrottled(ctx, row)
  const oldKey = await checkPassphrase(row.passphrase, current)
  if (!oldKey) return await recordFailure(ctx, row, 'change passphrase')
  assertPassphraseStrong(next, row.name)
  const key = await activeKeyOf(ctx, row.id)
  const secret = key?.kind === 'ed25519' && key.sealed_secret ? unseal(oldKey, key.sealed_secret, row.id) : null
  oldKey.fill(0)
  const params = kdfParamsFor()
  const { record, sealKey } = await hashPassphrase(next, params)
  const now = ctx.clock.now().toISOString()
  await ctx.db.tx(async () => {
    await ctx.db.run(
      ctx.db.k
        .updateTable('operators')
        .set({ passphrase: JSON.stringify(record), failed_unlocks: 0, locked_until: null, updated_at: now })
        .where('id', '=', row.id),
    )
    // Every unrevoked sealed key of this operator is re-sealed (a pending rotation's key included).
    if (key && secret) {
      await ctx.db.run(
        ctx.db.k
          .updateTable('operator_keys')
          .set({ sealed_secret: JSON.stringify(seal(sealKey, secret, row.id)) })
          .where('id', '=', key.id),
      )
    }
    await appendAudit(ctx, {
      actor: row.id,
      action: 'operators.passphrase',
      subject: `operator:${row.id}`,
      change: { kdf: { alg: params.alg, N: params.N, r: params.r, p: params.p } },
    })
  })
  sealKey.fill(0)
  return { operator: toOperator((await findOperatorRow(ctx, row.id))!, key), approvalSecret: secret }
}
