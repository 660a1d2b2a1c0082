/**
 * Who is at the desk. An operator proves it with their passphrase (operators.unlock); the core
 * binds the session to this window (Electron) or this connection (browser mode), and `invoke`
 * sends the unlocked operator's id so the core can check it is the one unlocked here. Kept in
 * memory only: a reload, a new launch, the idle timer or the core saying "locked" asks again, as
 * a shared desk should.
 */
import { create } from 'zustand'
import type { Operator } from '../../../../shared/workspaceApi'
import type { Role } from '../../../../shared/blocks'
import type { OperatorSession } from '../../../../shared/operatorsApi'
import { IDLE_LOCK_MINUTES_DEFAULT } from '../../../../shared/limits'

/** Why the picker is showing: nobody unlocked yet, a Lock press, the idle timer, or the core. */
export type LockReason = 'start' | 'manual' | 'idle' | 'ended' | 'refused'

export interface LockNotice {
  reason: LockReason
  /** The core's sentence when the core refused a call as locked; null otherwise. */
  message: string | null
}

interface SessionState {
  operator: Operator | null
  operators: Operator[]
  loaded: boolean
  loading: boolean
  error: string | null
  /** The desk locks again after this many minutes without input (the workspace's setting). */
  idleLockMinutes: number
  /** When the session locks if nothing more happens (renewed by input); null when locked. */
  locksAt: Date | null
  lockNotice: LockNotice
  setOperators(operators: Operator[]): void
  /** The result of unlock / activate / session / settings.security.set. */
  setSession(session: OperatorSession): void
  setLocksAt(locksAt: Date | null): void
  /** Back to the picker: forget who was unlocked (views clear their data, see clearOnLock.ts). */
  locked(notice: LockNotice): void
  setLoading(loading: boolean, error?: string | null): void
}

export const useSession = create<SessionState>((set, get) => ({
  operator: null,
  operators: [],
  loaded: false,
  loading: false,
  error: null,
  idleLockMinutes: IDLE_LOCK_MINUTES_DEFAULT,
  locksAt: null,
  lockNotice: { reason: 'start', message: null },
  setOperators(operators) {
    // Keep the unlocked operator in step with the list (roles or key may have changed).
    const current = get().operator
    const refreshed = current ? (operators.find((o) => o.id === current.id) ?? current) : null
    set({ operators, operator: refreshed, loaded: true, loading: false, error: null })
  },
  setSession(session) {
    set({
      operator: session.operator,
      idleLockMinutes: session.idleLockMinutes,
      locksAt: session.locksAt ? new Date(session.locksAt) : null,
      ...(session.operator ? {} : { lockNotice: { reason: 'ended', message: null } }),
    })
  },
  setLocksAt(locksAt) {
    set({ locksAt })
  },
  locked(notice) {
    set({ operator: null, locksAt: null, lockNotice: notice })
  },
  setLoading(loading, error = null) {
    set({ loading, error })
  },
}))

export function hasRole(operator: Operator | null, role: Role): boolean {
  return operator !== null && operator.roles.includes(role)
}

/** An operator who must set their passphrase (with an admin's invite code) before they can unlock. */
export function needsFirstUnlock(operator: Operator): boolean {
  return operator.status === 'invited' || !operator.passphraseSet
}
