/**
 * Who is at the desk. Operators are local profiles picked at launch (not credentials); every
 * call carries the picked one so the core can check roles and record who made each change.
 * Kept in memory only: a reload or a new launch asks again, as a shared desk should.
 */
import { create } from 'zustand'
import type { Operator } from '../../../../shared/workspaceApi'
import type { Role } from '../../../../shared/blocks'

interface SessionState {
  operator: Operator | null
  operators: Operator[]
  loaded: boolean
  loading: boolean
  error: string | null
  setOperators(operators: Operator[]): void
  pick(operator: Operator): void
  signOut(): void
  setLoading(loading: boolean, error?: string | null): void
}

export const useSession = create<SessionState>((set, get) => ({
  operator: null,
  operators: [],
  loaded: false,
  loading: false,
  error: null,
  setOperators(operators) {
    // Keep the picked operator in step with the list (roles may have changed).
    const current = get().operator
    const refreshed = current ? (operators.find((o) => o.id === current.id) ?? current) : null
    set({ operators, operator: refreshed, loaded: true, loading: false, error: null })
  },
  pick(operator) {
    set({ operator })
  },
  signOut() {
    set({ operator: null })
  },
  setLoading(loading, error = null) {
    set({ loading, error })
  },
}))

export function hasRole(operator: Operator | null, role: Role): boolean {
  return operator !== null && operator.roles.includes(role)
}
