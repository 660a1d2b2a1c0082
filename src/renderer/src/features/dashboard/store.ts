/** Dashboard data: totals per asset (ledger.summary) and balances per account (ledger.balances). */
import { create } from 'zustand'
import type { AssetSummary, Balance } from '../../../../shared/ledgerApi'
import { invoke, loadErrorMessage } from '../../lib/api'

interface DashboardState {
  summary: AssetSummary[]
  balances: Balance[]
  loaded: boolean
  loading: boolean
  error: string | null
  loadedAt: Date | null
  refresh(): Promise<void>
}

let inFlight: Promise<void> | null = null
let again = false

export const useDashboard = create<DashboardState>((set) => ({
  summary: [],
  balances: [],
  loaded: false,
  loading: false,
  error: null,
  loadedAt: null,
  refresh() {
    // Coalesce bursts of ledger.changed: one load at a time, plus at most one more after it.
    if (inFlight) {
      again = true
      return inFlight
    }
    inFlight = (async () => {
      do {
        again = false
        set({ loading: true })
        try {
          const [summary, balances] = await Promise.all([invoke('ledger.summary', {}), invoke('ledger.balances', {})])
          set({ summary, balances, loaded: true, loading: false, error: null, loadedAt: new Date() })
        } catch (error) {
          set({ loading: false, error: loadErrorMessage(error) })
        }
      } while (again)
      inFlight = null
    })()
    return inFlight
  },
}))
