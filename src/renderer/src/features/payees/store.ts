/**
 * The payees view: the address book as payees (payees.list) and one payee opened in full
 * (payees.get). Reloaded, coalesced, when the ledger changes: a payout booked moves a total.
 */
import { create } from 'zustand'
import type { CallOutput } from '../../../../shared/api'
import type { Payee } from '../../../../shared/payeesApi'
import { invoke, loadErrorMessage } from '../../lib/api'
import { coalesced } from '../../lib/coalesced'

type PayeeDetail = CallOutput<'payees.get'>

interface PayeesState {
  payees: Payee[]
  loaded: boolean
  loading: boolean
  error: string | null
  loadedAt: Date | null
  /** The payee opened in full, by key; null shows the list. */
  openKey: string | null
  detail: PayeeDetail | null
  detailError: string | null
  refresh(): Promise<void>
  open(key: string): void
  close(): void
}

export const usePayees = create<PayeesState>((set, get) => {
  const load = coalesced(async () => {
    set({ loading: true })
    let payees: Payee[]
    try {
      payees = await invoke('payees.list', {})
    } catch (error) {
      set({ loading: false, error: loadErrorMessage(error) })
      return
    }
    const key = get().openKey
    let detail: PayeeDetail | null = null
    let detailError: string | null = null
    if (key !== null) {
      try {
        detail = await invoke('payees.get', { key })
      } catch (error) {
        detailError = loadErrorMessage(error)
      }
    }
    set({ payees, loaded: true, loading: false, error: null, loadedAt: new Date() })
    // Opened another payee (or went back) meanwhile: that one's load sets its own detail.
    if (get().openKey === key) set({ detail, detailError })
  })
  return {
    payees: [],
    loaded: false,
    loading: false,
    error: null,
    loadedAt: null,
    openKey: null,
    detail: null,
    detailError: null,
    refresh: load,
    open(key) {
      set({ openKey: key, detail: null, detailError: null })
      void load()
    },
    close() {
      set({ openKey: null, detail: null, detailError: null })
    },
  }
})
