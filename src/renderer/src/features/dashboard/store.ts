/**
 * Dashboard data: totals per asset (ledger.summary), balances per account (ledger.balances) and
 * how many payees there are (payees.list): payee accounts are one grouped line, not one row each.
 */
import { create } from 'zustand'
import type { AssetSummary, Balance } from '../../../../shared/ledgerApi'
import { invoke, loadErrorMessage } from '../../lib/api'

interface DashboardState {
  summary: AssetSummary[]
  balances: Balance[]
  /** Payees (people and companies), each with one account per asset. */
  payees: number
  /** Payees with an account in each asset, by asset id. */
  payeesByAsset: Record<string, number>
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
  payees: 0,
  payeesByAsset: {},
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
          const [summary, balances, payees] = await Promise.all([
            invoke('ledger.summary', {}),
            invoke('ledger.balances', {}),
            invoke('payees.list', {}),
          ])
          const payeesByAsset: Record<string, number> = {}
          for (const p of payees) for (const t of p.totals) payeesByAsset[t.assetId] = (payeesByAsset[t.assetId] ?? 0) + 1
          set({ summary, balances, payees: payees.length, payeesByAsset, loaded: true, loading: false, error: null, loadedAt: new Date() })
        } catch (error) {
          set({ loading: false, error: loadErrorMessage(error) })
        }
      } while (again)
      inFlight = null
    })()
    return inFlight
  },
}))
