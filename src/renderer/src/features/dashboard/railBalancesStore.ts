/**
 * The dashboard's rail balances: the latest check of every treasury account (recon.balances,
 * stored checks only) and "Check now" (recon.checkBalances, which reads the rails). Loads are
 * coalesced: a burst of `recon.balances.changed` / `ledger.changed` becomes at most two loads.
 */
import { create } from 'zustand'
import type { RailBalanceCheck } from '../../../../shared/reconBalancesApi'
import { invoke, loadErrorMessage } from '../../lib/api'
import { coalesced } from '../../lib/coalesced'
import { notifyError } from '../notify/store'

interface RailBalancesState {
  accounts: RailBalanceCheck[]
  /** When the core last compared the balances (null: never). */
  checkedAt: string | null
  loaded: boolean
  loading: boolean
  checking: boolean
  error: string | null
  refresh(): Promise<void>
  checkNow(): Promise<void>
}

export const useRailBalances = create<RailBalancesState>((set, get) => {
  const load = coalesced(async () => {
    set({ loading: true })
    try {
      const { accounts, checkedAt } = await invoke('recon.balances', {})
      set({ accounts, checkedAt, loaded: true, loading: false, error: null })
    } catch (error) {
      set({ loading: false, error: loadErrorMessage(error) })
    }
  })
  return {
    accounts: [],
    checkedAt: null,
    loaded: false,
    loading: false,
    checking: false,
    error: null,
    refresh: load,
    async checkNow() {
      if (get().checking) return
      set({ checking: true })
      try {
        const { accounts, checkedAt } = await invoke('recon.checkBalances', {})
        set({ accounts, checkedAt, loaded: true, error: null })
      } catch (error) {
        notifyError('Could not check the rail balances', error)
      } finally {
        set({ checking: false })
      }
    },
  }
})
