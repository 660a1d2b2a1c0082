/**
 * Settings → Operators' calls: the admin changes (invite, roles, deactivate, re-invite; approve or
 * reject another admin's), your own passphrase and approval key, and the idle lock. Each admin
 * change is applied at once or waits for a second admin; the notice says which, in the core's
 * own summary. Errors are shown with the core's sentence, never swallowed.
 */
import type { Role } from '../../../../shared/blocks'
import type { AdminChange, AdminChangeResult } from '../../../../shared/operatorsApi'
import { invoke } from '../../lib/api'
import { loadOperators } from '../session/actions'
import { useSession } from '../session/store'
import { notifyError, notifySuccess } from '../notify/store'

/** A one-time invite code to hand over: whose, and whether it waits for a second admin. */
export interface ShownInvite {
  name: string
  code: string
  pending: boolean
}

/** The invite code an admin change returned, if any, to show once. */
export function inviteOf(result: AdminChangeResult | null, name: string): ShownInvite | null {
  if (!result?.inviteCode) return null
  return { name: result.operator?.name ?? name, code: result.inviteCode, pending: result.change.state === 'pending' }
}

/** Says what became of an admin change: applied now, or waiting for a second admin. */
function announce(result: AdminChangeResult): void {
  const { change } = result
  if (change.state === 'pending')
    notifySuccess('Waiting for a second admin', `${change.summary} — another admin approves it in Settings → Operators.`)
  else if (change.state === 'applied') notifySuccess('Change applied', change.summary)
  else notifySuccess('Change rejected', change.summary)
}

async function adminChange(title: string, run: () => Promise<AdminChangeResult>): Promise<AdminChangeResult | null> {
  try {
    const result = await run()
    announce(result)
    await loadOperators()
    return result
  } catch (error) {
    notifyError(title, error)
    return null
  }
}

export function inviteOperator(name: string, roles: Role[]): Promise<AdminChangeResult | null> {
  return adminChange('Could not invite the operator', () => invoke('operators.add', { name, roles }))
}

export function setRoles(operatorId: string, roles: Role[]): Promise<AdminChangeResult | null> {
  return adminChange('Could not change the roles', () => invoke('operators.setRoles', { operatorId, roles }))
}

export function deactivate(operatorId: string): Promise<AdminChangeResult | null> {
  return adminChange('Could not deactivate the operator', () => invoke('operators.deactivate', { operatorId }))
}

export function reinvite(operatorId: string): Promise<AdminChangeResult | null> {
  return adminChange('Could not re-invite the operator', () => invoke('operators.reinvite', { operatorId }))
}

export function approveChange(id: string): Promise<AdminChangeResult | null> {
  return adminChange('Could not approve the change', () => invoke('operators.changes.approve', { id }))
}

export function rejectChange(id: string): Promise<AdminChangeResult | null> {
  return adminChange('Could not reject the change', () => invoke('operators.changes.reject', { id }))
}

export async function listChanges(): Promise<AdminChange[]> {
  return await invoke('operators.changes.list', {})
}

/** Returns true when the passphrase was changed (the approval key is re-sealed with it). */
export async function changePassphrase(current: string, next: string): Promise<boolean> {
  try {
    await invoke('operators.changePassphrase', { current, next })
    notifySuccess('Passphrase changed', 'Your approval key is now sealed with the new passphrase. Use it the next time you unlock.')
    await loadOperators()
    return true
  } catch (error) {
    notifyError('Passphrase not changed', error)
    return false
  }
}

/**
 * A new approval key: ed25519 sealed with your passphrase, or a Ledger account verified on the
 * device. Once applied, the core ends your session (the unsealed old key goes): unlock again.
 */
export async function rotateKey(
  input: { kind: 'ed25519'; passphrase: string } | { kind: 'ledger-evm'; path: string },
): Promise<AdminChangeResult | null> {
  const result = await adminChange('Approval key not replaced', () => invoke('operators.rotateKey', input))
  if (result?.change.state === 'applied' && useSession.getState().operator) {
    useSession.getState().locked({
      reason: 'refused',
      message: `Your approval key is now ${result.operator?.approvalKey?.fingerprint ?? 'replaced'}. Unlock again with your passphrase to use it.`,
    })
  }
  return result
}

/** Returns true when the idle lock was saved (admin). */
export async function setIdleLockMinutes(idleLockMinutes: number): Promise<boolean> {
  try {
    useSession.getState().setSession(await invoke('settings.security.set', { idleLockMinutes }))
    notifySuccess(
      'Idle lock saved',
      `Desks lock after ${idleLockMinutes} ${idleLockMinutes === 1 ? 'minute' : 'minutes'} without activity.`,
    )
    return true
  } catch (error) {
    notifyError('Idle lock not saved', error)
    return false
  }
}
