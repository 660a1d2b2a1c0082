/**
 * The operator calls of the contract: who works in this workspace, how they prove it (a
 * passphrase per operator, unlocked per session), the key their approvals are signed with, and
 * the admin changes (new operators, roles, deactivation, key rotation) a second admin approves.
 * Gathered into `calls` by ./api.ts.
 */
import { z } from 'zod'
import { ApprovalKeyInfo, Empty, Id, IsoTimestamp, Operator, Role, ROLES } from './blocks'
import { call } from './callSpec'
import {
  IDLE_LOCK_MINUTES_MAX,
  INVITE_CODE_CHARS_MAX,
  OPERATOR_NAME_CHARS_MAX,
  PASSPHRASE_CHARS_MAX,
  SIGNING_PATH_CHARS_MAX,
} from './limits'
import { SafeText } from './safeText'

/** A passphrase as typed. Its length floor is checked by the core (PASSPHRASE_WEAK) so the message can say why. */
const Passphrase = z.string().min(1).max(PASSPHRASE_CHARS_MAX)

export const OperatorSession = z.object({
  /** The operator unlocked on this window / connection / command; null when locked. */
  operator: Operator.nullable(),
  /** The desk locks again after this many idle minutes. */
  idleLockMinutes: z.number().int(),
  /** When the session locks if nothing more happens; null when locked. */
  locksAt: IsoTimestamp.nullable(),
})
export type OperatorSession = z.infer<typeof OperatorSession>

export const ADMIN_CHANGE_KINDS = [
  'operator.add',
  'operator.roles',
  'operator.deactivate',
  'operator.reinvite',
  'operator.key',
  'settings.policy',
  'settings.rails',
] as const
export const AdminChangeKind = z.enum(ADMIN_CHANGE_KINDS)
export type AdminChangeKind = z.infer<typeof AdminChangeKind>
export const ADMIN_CHANGE_STATES = ['pending', 'applied', 'rejected'] as const

export const AdminChange = z.object({
  id: z.string(),
  kind: AdminChangeKind,
  /** The operator the change is about, or the setting ("settings:approval_policy", "settings:rails"). */
  subjectId: z.string(),
  /** What is asked, in words: "Grant Bob Approver the roles approver, admin". */
  summary: z.string(),
  payload: z.record(z.string(), z.unknown()),
  requestedBy: z.string(),
  requestedAt: IsoTimestamp,
  state: z.enum(ADMIN_CHANGE_STATES),
  decidedBy: z.string().nullable(),
  decidedAt: IsoTimestamp.nullable(),
  /** The deciding admin's signature over the change digest verifies against their registered key. */
  signatureVerified: z.boolean().nullable(),
})
export type AdminChange = z.infer<typeof AdminChange>

/** What an admin change call did: applied at once (one admin), or waiting for a second admin. */
export const AdminChangeResult = z.object({
  change: AdminChange,
  operator: Operator.nullable(),
  /** For a new operator: the one-time invite code to hand them (shown once, never stored in clear). */
  inviteCode: z.string().nullable(),
})
export type AdminChangeResult = z.infer<typeof AdminChangeResult>

export const KeyVerification = z.object({
  operators: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: z.string(),
      fingerprint: z.string().nullable(),
      /** Each registered key is recorded in the audit chain with the same public key. */
      ok: z.boolean(),
      problem: z.string().nullable(),
    }),
  ),
  approvals: z.object({
    checked: z.number().int(),
    valid: z.number().int(),
    broken: z.array(z.object({ batchId: z.string(), version: z.number().int(), operatorId: z.string(), problem: z.string() })),
  }),
})
export type KeyVerification = z.infer<typeof KeyVerification>

const Roles = z.array(Role).min(1).max(ROLES.length)

export const operatorCalls = {
  'operators.list': call({
    summary: 'Operator profiles of this workspace, with the public half of their approval keys.',
    mutates: false,
    whileLocked: true,
    input: Empty,
    output: z.array(Operator),
  }),
  'operators.session': call({
    summary: 'Who is unlocked on this window, connection or command, and when it locks.',
    mutates: false,
    whileLocked: true,
    input: Empty,
    output: OperatorSession,
  }),
  'operators.unlock': call({
    summary: 'Unlock an operator with their passphrase for this session. Failed attempts back off and are audited.',
    mutates: false,
    whileLocked: true,
    input: z.object({ operatorId: Id, passphrase: Passphrase }).strict(),
    output: OperatorSession,
  }),
  'operators.activate': call({
    summary:
      "First unlock: an invited operator sets their own passphrase with the admin's one-time invite code; their approval key is made and sealed by it.",
    mutates: false,
    whileLocked: true,
    input: z
      .object({ operatorId: Id, inviteCode: z.string().trim().max(INVITE_CODE_CHARS_MAX).optional(), passphrase: Passphrase })
      .strict(),
    output: OperatorSession,
  }),
  'operators.lock': call({
    summary: 'Lock this session (the operator must unlock again).',
    mutates: false,
    whileLocked: true,
    input: Empty,
    output: OperatorSession,
  }),
  'operators.add': call({
    summary:
      'Invite an operator (admin; on an empty workspace, the first admin). Approved by a second admin where there are two. Returns a one-time invite code.',
    mutates: true,
    input: z.object({ name: SafeText(OPERATOR_NAME_CHARS_MAX), roles: Roles }).strict(),
    output: AdminChangeResult,
  }),
  'operators.setRoles': call({
    summary: "Change an operator's roles (admin; approved by a second admin where there are two). The last admin stays an admin.",
    mutates: true,
    input: z.object({ operatorId: Id, roles: Roles }).strict(),
    output: AdminChangeResult,
  }),
  'operators.deactivate': call({
    summary:
      'Deactivate an operator (admin; approved by a second admin where there are two). Never deleted: their signatures stay verifiable.',
    mutates: true,
    input: z.object({ operatorId: Id }).strict(),
    output: AdminChangeResult,
  }),
  'operators.reinvite': call({
    summary: 'Issue a fresh one-time invite code for an operator who has not set their passphrase yet (admin).',
    mutates: true,
    input: z.object({ operatorId: Id }).strict(),
    output: AdminChangeResult,
  }),
  'operators.changePassphrase': call({
    summary: 'Change your own passphrase; your approval key is re-sealed with it.',
    mutates: true,
    input: z.object({ current: Passphrase, next: Passphrase }).strict(),
    output: Operator,
  }),
  'operators.rotateKey': call({
    summary:
      'Replace your approval key: a new sealed ed25519 key, or a Ledger account (EVM app) verified on the device. An admin-approved change.',
    mutates: true,
    input: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('ed25519'), passphrase: Passphrase }).strict(),
      z.object({ kind: z.literal('ledger-evm'), path: z.string().min(1).max(SIGNING_PATH_CHARS_MAX) }).strict(),
    ]),
    output: AdminChangeResult,
  }),
  'operators.keys': call({
    summary: "Every operator's approval keys, current and revoked, with fingerprints.",
    mutates: false,
    input: Empty,
    output: z.array(z.object({ operatorId: z.string(), name: z.string(), keys: z.array(ApprovalKeyInfo) })),
  }),
  'operators.verify': call({
    summary: 'Check every approval key against the audit chain and every stored approval signature against its key.',
    mutates: false,
    input: Empty,
    output: KeyVerification,
  }),
  'operators.changes.list': call({
    summary: 'Admin changes: pending first, then the decided ones.',
    mutates: false,
    input: z.object({ state: z.enum(ADMIN_CHANGE_STATES).optional() }).strict(),
    output: z.array(AdminChange),
  }),
  'operators.changes.approve': call({
    summary: "Approve another admin's change (signed with your approval key). Nobody approves their own change or their own promotion.",
    mutates: true,
    input: z.object({ id: Id }).strict(),
    output: AdminChangeResult,
  }),
  'operators.changes.reject': call({
    summary: 'Reject a pending admin change (admin; the requester may withdraw their own).',
    mutates: true,
    input: z.object({ id: Id }).strict(),
    output: AdminChangeResult,
  }),
  'settings.security.set': call({
    summary: 'Minutes of inactivity before an unlocked desk locks (admin).',
    mutates: true,
    input: z.object({ idleLockMinutes: z.number().int().min(1).max(IDLE_LOCK_MINUTES_MAX) }).strict(),
    output: OperatorSession,
  }),
} as const
