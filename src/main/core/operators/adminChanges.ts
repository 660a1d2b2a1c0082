/**
 * Admin changes: inviting an operator, changing roles, deactivating, re-inviting (a forgotten
 * passphrase) and replacing an approval key. Each is a change record with a digest; where the
 * workspace has two active admins it waits for a second admin, whose approval is a signature
 * over that digest with their approval key. With one admin it applies at once, signed by them.
 *
 * Rules, enforced here whatever a window shows:
 *  - only an active admin asks for a change (an operator may ask to replace their own key);
 *  - nobody approves their own request, nor a change that gives them more (a role, a new key);
 *  - the last active admin cannot lose the admin role or be deactivated;
 *  - operators are deactivated, never deleted: their keys and signatures stay verifiable.
 */
import crypto from 'node:crypto'
import type { Operator, Role } from '../../../shared/blocks'
import { CsError } from '../../../shared/errors'
import type { AdminChange, AdminChangeKind, AdminChangeResult } from '../../../shared/operatorsApi'
import { appendAudit } from '../audit/appendAudit'
import type { CoreContext } from '../context'
import type { AdminChangeRow } from '../db/schema'
import { canonicalJson } from '../util/canonicalJson'
import { verifyApprovalSignature } from './approvalKeys'
import type { ApprovalSignature, ApprovalSigner } from './approvalSigning'
import { hashInviteCode, newInviteCode } from './credentials'
import {
  activeAdmins,
  BOOTSTRAP_ACTOR,
  countOperators,
  findOperator,
  findOperatorRow,
  getOperator,
  slug,
  uniqueOperatorId,
} from './operators'
import { adminChangeTypedData } from './typedData'
import type { ApprovalPolicy, RailsConfigSetting } from '../../../shared/payoutsApi'
import { setApprovalPolicy } from '../payouts/policy/setApprovalPolicy'
import { railsAuditView, setRailsSetting } from '../rails/setRailsSetting'
import type { RailUrlPolicy } from '../rails/checkRailUrl'

/** How long a one-time invite code is good for. */
export const INVITE_VALID_DAYS = 7
/** Payload members that are stored but never shown (the invite code's hash, a sealed key). */
const PRIVATE_PAYLOAD = new Set(['inviteHash', 'sealedSecret'])

export interface ChangeRequest {
  kind: AdminChangeKind
  subjectId: string
  payload: Record<string, unknown>
  summary: string
}

export interface ChangeOutcome {
  result: AdminChangeResult
  /** Operators whose sessions must end now (deactivated, re-invited, key replaced). */
  lockOperators: string[]
}

export function changeDigest(
  row: Pick<AdminChangeRow, 'id' | 'kind' | 'subject_id' | 'payload' | 'requested_by' | 'requested_at' | 'summary'>,
): string {
  const doc = canonicalJson({
    kind: 'countersign.admin-change/v1',
    id: row.id,
    change: row.kind,
    subject: row.subject_id,
    summary: row.summary,
    payload: JSON.parse(row.payload) as unknown,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
  })
  return crypto.createHash('sha256').update(doc).digest('hex')
}

function typedDataOf(row: AdminChangeRow) {
  return () => adminChangeTypedData({ changeId: row.id, summary: row.summary, digest: row.digest })
}

export async function toAdminChange(ctx: CoreContext, row: AdminChangeRow): Promise<AdminChange> {
  const payload = JSON.parse(row.payload) as Record<string, unknown>
  for (const k of PRIVATE_PAYLOAD) delete payload[k]
  // An RPC URL's path often carries the provider's API key: shown as its origin and a fingerprint.
  if (row.kind === 'settings.rails' && payload.rails) payload.rails = railsAuditView(payload.rails as RailsConfigSetting)
  let signatureVerified: boolean | null = null
  if (row.signature !== null && row.key_id !== null) {
    const key = await ctx.db.first(ctx.db.k.selectFrom('operator_keys').selectAll().where('id', '=', row.key_id))
    signatureVerified =
      key !== undefined &&
      key.operator_id === row.decided_by &&
      (await verifyApprovalSignature(key, row.digest, row.signature, typedDataOf(row)))
  }
  return {
    id: row.id,
    kind: row.kind as AdminChangeKind,
    subjectId: row.subject_id,
    summary: row.summary,
    payload,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    state: row.state as AdminChange['state'],
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    signatureVerified,
  }
}

export async function listAdminChanges(ctx: CoreContext, state?: AdminChange['state']): Promise<AdminChange[]> {
  let q = ctx.db.k.selectFrom('admin_changes').selectAll()
  if (state) q = q.where('state', '=', state)
  const rows = await ctx.db.all(q.orderBy('requested_at', 'desc').limit(500))
  rows.sort((a, b) => Number(b.state === 'pending') - Number(a.state === 'pending'))
  const out: AdminChange[] = []
  for (const r of rows) out.push(await toAdminChange(ctx, r))
  return out
}

/** Does the change give its subject more than they had (so the subject may not approve it)? */
function grants(row: Pick<AdminChangeRow, 'kind' | 'payload'>, subject: Operator | undefined): boolean {
  if (row.kind === 'operator.deactivate' || row.kind.startsWith('settings.')) return false
  if (row.kind === 'operator.roles') {
    const roles = (JSON.parse(row.payload) as { roles: Role[] }).roles
    return roles.some((r) => !(subject?.roles.includes(r) ?? false))
  }
  return true
}

async function assertNotLastAdmin(ctx: CoreContext, subjectId: string, rolesAfter: readonly Role[] | null): Promise<void> {
  const admins = await activeAdmins(ctx)
  const stays = rolesAfter !== null && rolesAfter.includes('admin')
  if (!stays && admins.length === 1 && admins[0]!.id === subjectId) {
    throw new CsError('LAST_ADMIN', `${admins[0]!.name} is the last admin of this workspace — make someone else an admin first.`)
  }
}

/** Validate a request against the workspace as it is now (again when a second admin applies it). */
async function validate(ctx: CoreContext, kind: AdminChangeKind, subjectId: string, payload: Record<string, unknown>): Promise<void> {
  // Settings were checked and made canonical when asked for; they are checked again as they are applied.
  if (kind === 'settings.policy' || kind === 'settings.rails') return
  if (kind === 'operator.add') {
    const name = payload.name as string
    if ((await findOperator(ctx, name)) !== undefined || (await findOperatorRow(ctx, subjectId)) !== undefined)
      throw new CsError('OPERATOR_EXISTS', `An operator named "${name}" already exists — pick another name.`)
    const pending = await ctx.db.all(
      ctx.db.k.selectFrom('admin_changes').select(['payload']).where('kind', '=', 'operator.add').where('state', '=', 'pending'),
    )
    if (pending.some((p) => (JSON.parse(p.payload) as { id: string }).id === subjectId))
      throw new CsError('OPERATOR_EXISTS', `"${name}" is already waiting for a second admin's approval — approve or reject that change.`)
    // Imported here: its Unicode tables load only when an operator is being added.
    const { assertNotConfusable } = await import('./confusable')
    await assertNotConfusable(ctx, name, subjectId)
    return
  }
  const subject = await getOperator(ctx, subjectId)
  if (subject.status === 'deactivated')
    throw new CsError(
      'OPERATOR_INACTIVE',
      `${subject.name} is deactivated — operators are never reactivated; invite a new profile instead.`,
    )
  if (kind === 'operator.roles') await assertNotLastAdmin(ctx, subjectId, payload.roles as Role[])
  if (kind === 'operator.deactivate') await assertNotLastAdmin(ctx, subjectId, null)
}

async function apply(ctx: CoreContext, row: AdminChangeRow, actor: string): Promise<{ operatorId: string; lock: boolean }> {
  const payload = JSON.parse(row.payload) as Record<string, unknown>
  const now = ctx.clock.now().toISOString()
  await validate(ctx, row.kind as AdminChangeKind, row.subject_id, payload)
  switch (row.kind as AdminChangeKind) {
    case 'operator.add': {
      await ctx.db.run(
        ctx.db.k.insertInto('operators').values({
          id: row.subject_id,
          name: payload.name as string,
          roles: JSON.stringify(payload.roles),
          created_at: now,
          status: 'invited',
          passphrase: null,
          invite: JSON.stringify({ hash: payload.inviteHash, expiresAt: payload.inviteExpiresAt }),
          failed_unlocks: 0,
          locked_until: null,
          updated_at: now,
        }),
      )
      await appendAudit(ctx, {
        actor,
        action: 'operators.add',
        subject: `operator:${row.subject_id}`,
        change: { name: payload.name, roles: payload.roles, status: 'invited', changeId: row.id },
      })
      return { operatorId: row.subject_id, lock: false }
    }
    case 'operator.roles': {
      await ctx.db.run(
        ctx.db.k
          .updateTable('operators')
          .set({ roles: JSON.stringify(payload.roles), updated_at: now })
          .where('id', '=', row.subject_id),
      )
      await appendAudit(ctx, {
        actor,
        action: 'operators.roles',
        subject: `operator:${row.subject_id}`,
        change: { from: payload.previous, to: payload.roles, changeId: row.id },
      })
      return { operatorId: row.subject_id, lock: false }
    }
    case 'operator.deactivate': {
      await ctx.db.run(
        ctx.db.k.updateTable('operators').set({ status: 'deactivated', invite: null, updated_at: now }).where('id', '=', row.subject_id),
      )
      await appendAudit(ctx, { actor, action: 'operators.deactivate', subject: `operator:${row.subject_id}`, change: { changeId: row.id } })
      return { operatorId: row.subject_id, lock: true }
    }
    case 'operator.reinvite': {
      await ctx.db.run(
        ctx.db.k
          .updateTable('operators')
          .set({
            status: 'invited',
            passphrase: null,
            invite: JSON.stringify({ hash: payload.inviteHash, expiresAt: payload.inviteExpiresAt }),
            failed_unlocks: 0,
            locked_until: null,
            updated_at: now,
          })
          .where('id', '=', row.subject_id),
      )
      // Their sealed key cannot be opened without the old passphrase: it is revoked (kept for verifying old approvals).
      await ctx.db.run(
        ctx.db.k
          .updateTable('operator_keys')
          .set({ revoked_at: now })
          .where('operator_id', '=', row.subject_id)
          .where('revoked_at', 'is', null),
      )
      await appendAudit(ctx, { actor, action: 'operators.reinvite', subject: `operator:${row.subject_id}`, change: { changeId: row.id } })
      return { operatorId: row.subject_id, lock: true }
    }
    case 'settings.policy': {
      await setApprovalPolicy(ctx, actor, payload.policy as ApprovalPolicy)
      return { operatorId: row.subject_id, lock: false }
    }
    case 'settings.rails': {
      await setRailsSetting(ctx, actor, payload.rails as RailsConfigSetting, payload.urlPolicy as RailUrlPolicy)
      return { operatorId: row.subject_id, lock: false }
    }
    case 'operator.key': {
      await ctx.db.run(
        ctx.db.k
          .updateTable('operator_keys')
          .set({ revoked_at: now })
          .where('operator_id', '=', row.subject_id)
          .where('revoked_at', 'is', null),
      )
      await ctx.db.run(
        ctx.db.k.insertInto('operator_keys').values({
          id: payload.keyId as string,
          operator_id: row.subject_id,
          kind: payload.kind as string,
          public_key: payload.publicKey as string,
          path: (payload.path as string | null) ?? null,
          fingerprint: payload.fingerprint as string,
          sealed_secret: (payload.sealedSecret as string | null) ?? null,
          created_at: now,
          revoked_at: null,
        }),
      )
      await appendAudit(ctx, {
        actor,
        action: 'operators.key',
        subject: `operator:${row.subject_id}`,
        change: {
          key: {
            id: payload.keyId,
            kind: payload.kind,
            publicKey: payload.publicKey,
            path: payload.path ?? null,
            fingerprint: payload.fingerprint,
          },
          changeId: row.id,
        },
      })
      return { operatorId: row.subject_id, lock: true }
    }
  }
}

/**
 * Ask for a change. `requester` is null only for the first operator of an empty workspace.
 * `sign` signs the change when it applies at once (one admin); a second admin signs it otherwise.
 */
export async function requestAdminChange(
  ctx: CoreContext,
  requester: Operator | null,
  sign: ApprovalSigner | null,
  request: ChangeRequest,
): Promise<ChangeOutcome> {
  const now = ctx.clock.now().toISOString()
  const row: AdminChangeRow = {
    id: `chg_${crypto.randomBytes(8).toString('hex')}`,
    kind: request.kind,
    subject_id: request.subjectId,
    summary: request.summary,
    payload: canonicalJson(request.payload),
    digest: '',
    requested_by: requester?.id ?? BOOTSTRAP_ACTOR,
    requested_at: now,
    state: 'pending',
    decided_by: null,
    decided_at: null,
    key_id: null,
    signature: null,
  }
  row.digest = changeDigest(row)
  const admins = await activeAdmins(ctx)
  const secondAdminExists = admins.some((a) => a.id !== requester?.id && (a.id !== request.subjectId || !grants(row, a)))
  const requesterIsAdmin = requester !== null && requester.roles.includes('admin') && requester.status === 'active'
  // Applies at once when the requester is the only admin who could approve (or the bootstrap).
  const immediate = requester === null || (requesterIsAdmin && !secondAdminExists)
  let signature: ApprovalSignature | null = null
  if (immediate && requester && sign) signature = await sign({ digest: row.digest, typedData: typedDataOf(row) })
  const lockOperators: string[] = []
  await ctx.db.tx(async () => {
    if (requester === null && (await countOperators(ctx)) > 0) {
      throw new CsError('OPERATOR_REQUIRED', 'This workspace already has operators — unlock an admin to invite more.')
    }
    await validate(ctx, request.kind, request.subjectId, request.payload)
    if (immediate) {
      row.state = 'applied'
      row.decided_by = row.requested_by
      row.decided_at = now
      row.key_id = signature?.keyId ?? null
      row.signature = signature?.signature ?? null
    }
    await ctx.db.run(ctx.db.k.insertInto('admin_changes').values(row))
    await appendAudit(ctx, {
      actor: row.requested_by,
      action: 'operators.change.request',
      subject: `change:${row.id}`,
      change: {
        kind: row.kind,
        subject: row.subject_id,
        summary: row.summary,
        digest: row.digest,
        state: row.state,
        keyId: row.key_id,
        signature: row.signature,
      },
    })
    if (immediate) {
      const applied = await apply(ctx, row, row.requested_by)
      if (applied.lock) lockOperators.push(applied.operatorId)
    }
  })
  ctx.events.emit('operators.changed', {})
  return { result: await resultOf(ctx, row, request), lockOperators }
}

async function resultOf(ctx: CoreContext, row: AdminChangeRow, request: { payload: Record<string, unknown> }): Promise<AdminChangeResult> {
  const fresh = (await ctx.db.first(ctx.db.k.selectFrom('admin_changes').selectAll().where('id', '=', row.id))) ?? row
  return {
    change: await toAdminChange(ctx, fresh),
    operator: (await findOperator(ctx, row.subject_id)) ?? null,
    inviteCode: typeof request.payload.__inviteCode === 'string' ? request.payload.__inviteCode : null,
  }
}

async function pendingChange(ctx: CoreContext, id: string): Promise<AdminChangeRow> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('admin_changes').selectAll().where('id', '=', id))
  if (!row) throw new CsError('CHANGE_NOT_FOUND', `There is no admin change "${id}" — list them with: countersign operators changes.`)
  if (row.state !== 'pending') throw new CsError('CHANGE_STATE', `Change ${id} was already ${row.state} — nothing to do.`)
  return row
}

export async function approveAdminChange(ctx: CoreContext, approver: Operator, sign: ApprovalSigner, id: string): Promise<ChangeOutcome> {
  const row = await pendingChange(ctx, id)
  if (!approver.roles.includes('admin') || approver.status !== 'active')
    throw new CsError('ROLE_REQUIRED', `${approver.name} cannot approve admin changes: that needs the admin role.`)
  if (row.requested_by === approver.id)
    throw new CsError('SELF_APPROVAL', 'You asked for this change, so you cannot approve it — another admin must.')
  if (row.subject_id === approver.id && grants(row, approver))
    throw new CsError('SELF_APPROVAL', 'This change gives you more than you have, so you cannot approve it — another admin must.')
  const signature = await sign({ digest: row.digest, typedData: typedDataOf(row) })
  const lockOperators: string[] = []
  await ctx.db.tx(async () => {
    const fresh = await pendingChange(ctx, id)
    if (changeDigest(fresh) !== fresh.digest)
      throw new CsError('APPROVAL_SIGNATURE_INVALID', `Change ${id} was altered after it was requested — reject it and ask again.`)
    const now = ctx.clock.now().toISOString()
    await ctx.db.run(
      ctx.db.k
        .updateTable('admin_changes')
        .set({ state: 'applied', decided_by: approver.id, decided_at: now, key_id: signature.keyId, signature: signature.signature })
        .where('id', '=', id),
    )
    await appendAudit(ctx, {
      actor: approver.id,
      action: 'operators.change.approve',
      subject: `change:${id}`,
      change: { digest: fresh.digest, keyId: signature.keyId, signature: signature.signature },
    })
    const applied = await apply(ctx, fresh, approver.id)
    if (applied.lock) lockOperators.push(applied.operatorId)
  })
  ctx.events.emit('operators.changed', {})
  return { result: await resultOf(ctx, row, { payload: {} }), lockOperators }
}

export async function rejectAdminChange(ctx: CoreContext, actor: Operator, id: string): Promise<ChangeOutcome> {
  const row = await pendingChange(ctx, id)
  const isAdmin = actor.roles.includes('admin') && actor.status === 'active'
  if (!isAdmin && row.requested_by !== actor.id)
    throw new CsError('ROLE_REQUIRED', `${actor.name} cannot reject admin changes: that needs the admin role (you may withdraw your own).`)
  await ctx.db.tx(async () => {
    await pendingChange(ctx, id)
    await ctx.db.run(
      ctx.db.k
        .updateTable('admin_changes')
        .set({ state: 'rejected', decided_by: actor.id, decided_at: ctx.clock.now().toISOString() })
        .where('id', '=', id),
    )
    await appendAudit(ctx, { actor: actor.id, action: 'operators.change.reject', subject: `change:${id}`, change: { digest: row.digest } })
  })
  ctx.events.emit('operators.changed', {})
  return { result: await resultOf(ctx, row, { payload: {} }), lockOperators: [] }
}

// ---------------------------------------------------------------------------------------------
// The requests, one per call.

function newInvite(ctx: CoreContext): { code: string; hash: string; expiresAt: string } {
  const code = newInviteCode()
  return { code, hash: hashInviteCode(code), expiresAt: new Date(ctx.clock.now().getTime() + INVITE_VALID_DAYS * 86_400_000).toISOString() }
}

export async function inviteOperator(
  ctx: CoreContext,
  requester: Operator | null,
  sign: ApprovalSigner | null,
  input: { name: string; roles: Role[] },
): Promise<ChangeOutcome> {
  const roles = [...new Set(input.roles)].sort() as Role[]
  const name = input.name.trim()
  const empty = (await countOperators(ctx)) === 0
  if (!empty) requireAdmin(requester, 'invite operators')
  if (empty && !roles.includes('admin'))
    throw new CsError('ROLE_REQUIRED', 'The first operator of a workspace must have the admin role — add it with --role admin.')
  const id = await uniqueOperatorId(ctx, slug(name))
  const invite = newInvite(ctx)
  const outcome = await requestAdminChange(ctx, requester, sign, {
    kind: 'operator.add',
    subjectId: id,
    payload: { id, name, roles, inviteHash: invite.hash, inviteExpiresAt: invite.expiresAt },
    summary: `Invite ${name} as ${roles.join(', ')}`,
  })
  outcome.result.inviteCode = invite.code
  return outcome
}

export async function setOperatorRoles(
  ctx: CoreContext,
  requester: Operator,
  sign: ApprovalSigner,
  input: { operatorId: string; roles: Role[] },
): Promise<ChangeOutcome> {
  requireAdmin(requester, 'change roles')
  const subject = await getOperator(ctx, input.operatorId)
  const roles = [...new Set(input.roles)].sort() as Role[]
  return await requestAdminChange(ctx, requester, sign, {
    kind: 'operator.roles',
    subjectId: subject.id,
    payload: { roles, previous: subject.roles },
    summary: `Set ${subject.name}'s roles to ${roles.join(', ')} (was ${subject.roles.join(', ')})`,
  })
}

export async function deactivateOperator(
  ctx: CoreContext,
  requester: Operator,
  sign: ApprovalSigner,
  operatorId: string,
): Promise<ChangeOutcome> {
  requireAdmin(requester, 'deactivate operators')
  const subject = await getOperator(ctx, operatorId)
  return await requestAdminChange(ctx, requester, sign, {
    kind: 'operator.deactivate',
    subjectId: subject.id,
    payload: {},
    summary: `Deactivate ${subject.name}`,
  })
}

export async function reinviteOperator(
  ctx: CoreContext,
  requester: Operator,
  sign: ApprovalSigner,
  operatorId: string,
): Promise<ChangeOutcome> {
  requireAdmin(requester, 're-invite operators')
  const subject = await getOperator(ctx, operatorId)
  const invite = newInvite(ctx)
  const outcome = await requestAdminChange(ctx, requester, sign, {
    kind: 'operator.reinvite',
    subjectId: subject.id,
    payload: { inviteHash: invite.hash, inviteExpiresAt: invite.expiresAt },
    summary: `Re-invite ${subject.name} (their passphrase and approval key are reset)`,
  })
  outcome.result.inviteCode = invite.code
  return outcome
}

export async function requestKeyChange(
  ctx: CoreContext,
  requester: Operator,
  sign: ApprovalSigner,
  key: { keyId: string; kind: string; publicKey: string; path: string | null; fingerprint: string; sealedSecret: string | null },
): Promise<ChangeOutcome> {
  return await requestAdminChange(ctx, requester, sign, {
    kind: 'operator.key',
    subjectId: requester.id,
    payload: key,
    summary: `Replace ${requester.name}'s approval key with ${key.fingerprint}`,
  })
}

function requireAdmin(operator: Operator | null, what: string): Operator {
  if (!operator) throw new CsError('OPERATOR_REQUIRED', `Unlock an admin profile before you ${what}.`)
  if (operator.status !== 'active' || !operator.roles.includes('admin'))
    throw new CsError('ROLE_REQUIRED', `${operator.name} cannot ${what}: that needs the admin role — ask an admin.`)
  return operator
}

/** A setting change (policy, rails): applied at once with one admin, else waiting for the second. */
export async function requestSettingChange(
  ctx: CoreContext,
  requester: Operator,
  sign: ApprovalSigner,
  change: { kind: 'settings.policy' | 'settings.rails'; payload: Record<string, unknown>; summary: string },
): Promise<ChangeOutcome> {
  requireAdmin(requester, change.kind === 'settings.policy' ? 'change the approval policy' : 'change the rails configuration')
  return await requestAdminChange(ctx, requester, sign, {
    kind: change.kind,
    subjectId: change.kind === 'settings.policy' ? 'settings:approval_policy' : 'settings:rails',
    payload: change.payload,
    summary: change.summary,
  })
}
