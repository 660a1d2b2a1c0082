/**
 * The picker's calls: list the profiles, unlock with a passphrase, first unlock with an invite
 * code, create the first admin of an empty workspace, lock. Failures come back as the core's
 * sentence for the picker to show where the person is typing (never as a floating notice: the
 * picker is all a locked window shows).
 */
import type { Role } from '../../../../shared/blocks'
import { errorCode, errorMessage, invoke } from '../../lib/api'
import { useSession, type LockReason } from './store'

/** What a picker form shows when the core refused: its sentence and code. */
export interface PickerFailure {
  code: string | null
  message: string
}

function failure(error: unknown): PickerFailure {
  return { code: errorCode(error), message: errorMessage(error) }
}

export async function loadOperators(): Promise<void> {
  const { setLoading, setOperators } = useSession.getState()
  setLoading(true)
  try {
    setOperators(await invoke('operators.list', {}))
  } catch (error) {
    setLoading(false, errorMessage(error))
  }
}

/** Unlock with the passphrase; null on success, else why not (wrong, throttled, setup required). */
export async function unlock(operatorId: string, passphrase: string): Promise<PickerFailure | null> {
  try {
    useSession.getState().setSession(await invoke('operators.unlock', { operatorId, passphrase }))
    return null
  } catch (error) {
    return failure(error)
  }
}

/** First unlock: the invite code and the passphrase the operator chose. */
export async function activate(operatorId: string, inviteCode: string, passphrase: string): Promise<PickerFailure | null> {
  try {
    const code = inviteCode.trim()
    const session = await invoke('operators.activate', { operatorId, passphrase, ...(code ? { inviteCode: code } : {}) })
    useSession.getState().setSession(session)
    await loadOperators()
    return null
  } catch (error) {
    return failure(error)
  }
}

/**
 * An empty workspace: the first admin is invited by nobody, then set up at once with the code
 * the core returned (it never leaves this window) and the passphrase they chose.
 */
export async function createFirstAdmin(name: string, roles: Role[], passphrase: string): Promise<PickerFailure | null> {
  let added
  try {
    added = await invoke('operators.add', { name, roles })
  } catch (error) {
    return failure(error)
  }
  await loadOperators()
  if (added.inviteCode === null) return { code: null, message: `${name} was added but is waiting for an admin's approval.` }
  return await activate(added.change.subjectId, added.inviteCode, passphrase)
}

/** Lock this window: the core forgets the session, the views forget their data, the picker shows. */
export async function lock(reason: Extract<LockReason, 'manual' | 'idle'>): Promise<void> {
  useSession.getState().locked({ reason, message: null })
  try {
    await invoke('operators.lock', {})
  } catch {
    // The window is locked either way; a core that cannot be reached holds no session for long.
  }
}

/**
 * The person is still here: renew the core's idle timer and read when it locks. If the core says
 * nobody is unlocked here any more (a new connection, an OS lock), go back to the picker.
 */
export async function touchSession(): Promise<void> {
  const before = useSession.getState().operator
  if (!before) return
  try {
    const session = await invoke('operators.session', {})
    const now = useSession.getState()
    if (now.operator?.id !== before.id) return // locked or switched meanwhile
    if (session.operator?.id === before.id) now.setSession(session)
    else now.locked({ reason: 'ended', message: null })
  } catch {
    // Unreachable for a moment: the next call says more.
  }
}
