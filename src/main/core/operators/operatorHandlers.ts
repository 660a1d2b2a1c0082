/** The operator calls: sessions (unlock, activate, lock), admin changes, keys and their verification. */
import type { Operator } from '../../../shared/blocks'
import { CsError } from '../../../shared/errors'
import { IDLE_LOCK_MINUTES_DEFAULT } from '../../../shared/limits'
import type { OperatorSession } from '../../../shared/operatorsApi'
import { appendAudit } from '../audit/appendAudit'
import type { CallContext, Handlers } from '../api/createApi'
import type { CoreContext } from '../context'
import {
  approveAdminChange,
  deactivateOperator,
  inviteOperator,
  listAdminChanges,
  reinviteOperator,
  rejectAdminChange,
  requestKeyChange,
  setOperatorRoles,
  type ChangeOutcome,
} from './adminChanges'
import { fingerprintOf, newEd25519Key, newKeyId, toApprovalKeyInfo } from './approvalKeys'
import { checkPassphrase, seal } from './credentials'
import { findOperatorRow, listOperators, requireRole } from './operators'
import type { SessionStore } from './sessions'
import { activateOperator, changePassphrase, unlockOperator } from './unlock'
import { verifyOperatorKeys } from './verifyOperatorKeys'

export const SECURITY_SETTING_KEY = 'security'

/** The idle lock in minutes, as stored (settings 'security'), or the default. */
export async function readIdleLockMinutes(ctx: CoreContext): Promise<number> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('settings').select('value').where('key', '=', SECURITY_SETTING_KEY))
  if (!row) return IDLE_LOCK_MINUTES_DEFAULT
  const v = (JSON.parse(row.value) as { idleLockMinutes?: unknown }).idleLockMinutes
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : IDLE_LOCK_MINUTES_DEFAULT
}

export interface OperatorHandlerEnv {
  /** The idle-lock setting as the session store reads it (kept in memory, updated on change). */
  idleLock: { minutes: number }
  /** Resolve a Ledger account's address on the device (verify it there) for a Ledger approval key. */
  ledgerAddress: ((path: string) => Promise<string>) | null
  /** Told after a second admin applied a change (the rails are swapped at once). */
  onApplied?: (change: { kind: string }) => Promise<void>
}

function sessionOf(call: CallContext, operatorId: string | null, operator: Operator | null, env: OperatorHandlerEnv): OperatorSession {
  const entry = operatorId ? call.sessions.unlocked(call.channel).find((u) => u.operatorId === operatorId) : undefined
  return {
    operator: entry ? operator : null,
    idleLockMinutes: env.idleLock.minutes,
    locksAt: entry ? call.sessions.locksAt(entry).toISOString() : null,
  }
}

function endSessions(sessions: SessionStore, outcome: ChangeOutcome) {
  for (const id of outcome.lockOperators) sessions.lockAll(id)
  return outcome.result
}

function requireSigner(call: CallContext) {
  if (!call.sign || !call.operator)
    throw new CsError(
      'OPERATOR_LOCKED',
      'Unlock your operator profile with your passphrase first — this change is signed with your approval key.',
    )
  return { operator: call.operator, sign: call.sign }
}

type OperatorCallName =
  | 'operators.list'
  | 'operators.session'
  | 'operators.unlock'
  | 'operators.activate'
  | 'operators.lock'
  | 'operators.add'
  | 'operators.setRoles'
  | 'operators.deactivate'
  | 'operators.reinvite'
  | 'operators.changePassphrase'
  | 'operators.rotateKey'
  | 'operators.keys'
  | 'operators.verify'
  | 'operators.changes.list'
  | 'operators.changes.approve'
  | 'operators.changes.reject'
  | 'settings.security.set'

export function createOperatorHandlers(env: OperatorHandlerEnv): Pick<Handlers, OperatorCallName> {
  return {
    'operators.list': async ({ core }) => await listOperators(core),
    'operators.session': async (call) => {
      const mine = call.sessions.unlocked(call.channel)
      const first = mine[0]
      // Asking is activity: a window calls this when its person is still at the desk (input
      // without calls), so the core's idle timer and the window's agree.
      if (first) call.sessions.get(call.channel, first.operatorId)
      const op = first ? ((await listOperators(call.core)).find((o) => o.id === first.operatorId) ?? null) : null
      return sessionOf(call, first?.operatorId ?? null, op, env)
    },
    'operators.unlock': async (call, input) => {
      const { operator, approvalSecret } = await unlockOperator(call.core, input.operatorId, input.passphrase)
      call.sessions.unlock(call.channel, operator.id, approvalSecret)
      return sessionOf(call, operator.id, operator, env)
    },
    'operators.activate': async (call, input) => {
      const { operator, approvalSecret } = await activateOperator(call.core, input.operatorId, input)
      call.sessions.unlock(call.channel, operator.id, approvalSecret)
      return sessionOf(call, operator.id, operator, env)
    },
    'operators.lock': async (call) => {
      call.sessions.lock(call.channel)
      return sessionOf(call, null, null, env)
    },
    'operators.add': async (call, input) => {
      // On an empty workspace the first admin is invited by nobody (the bootstrap).
      return endSessions(call.sessions, await inviteOperator(call.core, call.operator, call.sign, input))
    },
    'operators.setRoles': async (call, input) => {
      const { operator, sign } = requireSigner(call)
      return endSessions(call.sessions, await setOperatorRoles(call.core, operator, sign, input))
    },
    'operators.deactivate': async (call, input) => {
      const { operator, sign } = requireSigner(call)
      return endSessions(call.sessions, await deactivateOperator(call.core, operator, sign, input.operatorId))
    },
    'operators.reinvite': async (call, input) => {
      const { operator, sign } = requireSigner(call)
      return endSessions(call.sessions, await reinviteOperator(call.core, operator, sign, input.operatorId))
    },
    'operators.changePassphrase': async (call, input) => {
      const { operator } = requireSigner(call)
      const result = await changePassphrase(call.core, operator.id, input.current, input.next)
      call.sessions.unlock(call.channel, operator.id, result.approvalSecret)
      return result.operator
    },
    'operators.rotateKey': async (call, input) => {
      const { operator, sign } = requireSigner(call)
      const keyId = newKeyId()
      if (input.kind === 'ed25519') {
        const row = await findOperatorRow(call.core, operator.id)
        const sealKey = row?.passphrase ? await checkPassphrase(row.passphrase, input.passphrase) : null
        if (!sealKey)
          throw new CsError('PASSPHRASE_WRONG', 'That is not your passphrase — the new key is sealed with it, so it must be right.')
        const { secret, publicKey } = newEd25519Key()
        const sealed = JSON.stringify(seal(sealKey, secret, operator.id))
        sealKey.fill(0)
        secret.fill(0)
        return endSessions(
          call.sessions,
          await requestKeyChange(call.core, operator, sign, {
            keyId,
            kind: 'ed25519',
            publicKey,
            path: null,
            fingerprint: fingerprintOf('ed25519', publicKey),
            sealedSecret: sealed,
          }),
        )
      }
      if (!env.ledgerAddress)
        throw new CsError('SIGNER_UNAVAILABLE', 'No Ledger can be reached from here — connect it, open the Ethereum app, and try again.')
      const address = await env.ledgerAddress(input.path)
      return endSessions(
        call.sessions,
        await requestKeyChange(call.core, operator, sign, {
          keyId,
          kind: 'ledger-evm',
          publicKey: address,
          path: input.path,
          fingerprint: fingerprintOf('ledger-evm', address),
          sealedSecret: null,
        }),
      )
    },
    'operators.keys': async ({ core }) => {
      const ops = await listOperators(core)
      const keys = await core.db.all(core.db.k.selectFrom('operator_keys').selectAll().orderBy('created_at'))
      return ops.map((o) => ({ operatorId: o.id, name: o.name, keys: keys.filter((k) => k.operator_id === o.id).map(toApprovalKeyInfo) }))
    },
    'operators.verify': async ({ core }) => await verifyOperatorKeys(core),
    'operators.changes.list': async ({ core }, input) => await listAdminChanges(core, input.state),
    'operators.changes.approve': async (call, input) => {
      const { operator, sign } = requireSigner(call)
      const outcome = await approveAdminChange(call.core, operator, sign, input.id)
      await env.onApplied?.(outcome.result.change)
      return endSessions(call.sessions, outcome)
    },
    'operators.changes.reject': async (call, input) => {
      const { operator } = requireSigner(call)
      return endSessions(call.sessions, await rejectAdminChange(call.core, operator, input.id))
    },
    'settings.security.set': async (call, input) => {
      const admin = requireRole(call.operator, 'admin', 'change the idle lock')
      const before = env.idleLock.minutes
      await call.core.db.tx(async () => {
        const now = call.core.clock.now().toISOString()
        const value = JSON.stringify({ idleLockMinutes: input.idleLockMinutes })
        await call.core.db.run(
          call.core.db.k
            .insertInto('settings')
            .values({ key: SECURITY_SETTING_KEY, value, updated_at: now, updated_by: admin.id })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now, updated_by: admin.id })),
        )
        await appendAudit(call.core, {
          actor: admin.id,
          action: 'settings.security.set',
          subject: 'settings:security',
          change: { idleLockMinutes: { from: before, to: input.idleLockMinutes } },
        })
      })
      env.idleLock.minutes = input.idleLockMinutes
      return sessionOf(call, admin.id, admin, env)
    },
  }
}
