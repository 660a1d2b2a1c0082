/**
 * One payee's history in the Receipts view: the names and recipients they were paid under, their
 * totals per asset and per month, and their receipts a page at a time. Opened from a search row;
 * reloaded (coalesced) when receipts are issued, down to the rows already scrolled to.
 */
import { create } from 'zustand'
import type { CallOutput } from '../../../../shared/api'
import type { ReceiptSummary } from '../../../../shared/receiptsApi'
import { invoke, loadErrorMessage } from '../../lib/api'
import { coalesced } from '../../lib/coalesced'
import { RECEIPTS_PAGE } from './store'

type PayeeAnswer = CallOutput<'receipts.payee'>

interface PayeeState {
  /** As receipts.payee takes it: the recipient as paid, or the name exactly. */
  payee: string | null
  names: string[]
  recipients: string[]
  totals: PayeeAnswer['totals']
  months: PayeeAnswer['months']
  items: ReceiptSummary[]
  nextCursor: string | null
  wanted: number
  loading: boolean
  error: string | null
  loadedAt: Date | null

  openPayee(payee: string): void
  closePayee(): void
  refresh(): Promise<void>
  loadMore(): Promise<void>
}

const empty = { names: [], recipients: [], totals: [], months: [], items: [], nextCursor: null, error: null, loadedAt: null }

export const usePayee = create<PayeeState>((set, get) => {
  const sync = coalesced(async () => {
    const payee = get().payee
    if (payee === null) return
    set({ loading: true })
    try {
      const first = await invoke('receipts.payee', { payee, limit: RECEIPTS_PAGE })
      if (get().payee !== payee) return
      const items = [...first.page.items]
      let cursor = first.page.nextCursor
      for (let i = 0; i < Math.ceil(get().wanted / RECEIPTS_PAGE) && cursor !== null && items.length < get().wanted; i++) {
        const next = await invoke('receipts.payee', { payee, cursor, limit: RECEIPTS_PAGE })
        if (get().payee !== payee) return
        items.push(...next.page.items)
        cursor = next.page.nextCursor
      }
      set({
        names: first.names,
        recipients: first.recipients,
        totals: first.totals,
        months: first.months,
        items,
        nextCursor: cursor,
        loading: false,
        error: null,
        loadedAt: new Date(),
      })
    } catch (error) {
      if (get().payee === payee) set({ loading: false, error: loadErrorMessage(error) })
    }
  })

  return {
    payee: null,
    ...empty,
    wanted: RECEIPTS_PAGE,
    loading: false,

    openPayee(payee) {
      set({ payee, ...empty, wanted: RECEIPTS_PAGE })
      void sync()
    },
    closePayee() {
      set({ payee: null, ...empty })
    },
    refresh: sync,
    async loadMore() {
      const { payee, items, nextCursor, wanted, loading } = get()
      if (payee === null || loading || nextCursor === null || items.length < wanted) return
      set({ loading: true, wanted: wanted + RECEIPTS_PAGE })
      try {
        const next = await invoke('receipts.payee', { payee, cursor: nextCursor, limit: RECEIPTS_PAGE })
        if (get().payee !== payee) return
        // A reload meanwhile brought its own pages: this one is not the next any more.
        if (get().nextCursor !== nextCursor) return set({ loading: false })
        set({ items: [...get().items, ...next.page.items], nextCursor: next.page.nextCursor, loading: false, error: null })
      } catch (error) {
        if (get().payee === payee) set({ loading: false, error: loadErrorMessage(error) })
      }
    },
  }
})
