/**
 * The Escrow view's data: the list (filtered by state, with the sum held per asset), the open
 * escrow's detail, and the ledger's assets for the create form. Loads are coalesced: a burst of
 * `escrow.changed` events becomes at most two loads.
 */
import { create } from 'zustand'
import type { EscrowDetail, EscrowList, EscrowState, EscrowSummary } from '../../../../shared/escrowApi'
import type { Asset } from '../../../../shared/ledgerApi'
import { invoke, loadErrorMessage } from '../../lib/api'
import { coalesced } from '../../lib/coalesced'

/** Escrows one load of the list asks for (the contract's ESCROWS_LIST_MAX caps it). */
export const ESCROWS_PAGE = 200

interface EscrowStoreState {
  filter: EscrowState | null
  escrows: EscrowSummary[]
  inEscrow: EscrowList['inEscrow']
  listLoaded: boolean
  listLoading: boolean
  listError: string | null

  selectedId: string | null
  detail: EscrowDetail | null
  detailLoading: boolean
  detailError: string | null

  assets: Asset[]

  setFilter(filter: EscrowState | null): void
  refreshList(): Promise<void>
  open(id: string): void
  close(): void
  refreshDetail(): Promise<void>
  /** A call returned the escrow as it is now: show it without another load. */
  showDetail(detail: EscrowDetail): void
  loadAssets(): Promise<void>
}

export const useEscrow = create<EscrowStoreState>((set, get) => {
  const loadList = coalesced(async () => {
    const filter = get().filter
    set({ listLoading: true })
    try {
      const list = await invoke('escrow.list', { limit: ESCROWS_PAGE, ...(filter ? { state: filter } : {}) })
      if (get().filter !== filter) return // a newer filter's load follows
      set({ escrows: list.escrows, inEscrow: list.inEscrow, listLoaded: true, listLoading: false, listError: null })
    } catch (error) {
      set({ listLoading: false, listError: loadErrorMessage(error) })
    }
  })

  const loadDetail = coalesced(async () => {
    const id = get().selectedId
    if (!id) return
    set({ detailLoading: true })
    try {
      const detail = await invoke('escrow.get', { id })
      if (get().selectedId !== id) return
      set({ detail, detailLoading: false, detailError: null })
    } catch (error) {
      if (get().selectedId !== id) return
      set({ detailLoading: false, detailError: loadErrorMessage(error) })
    }
  })

  return {
    filter: null,
    escrows: [],
    inEscrow: [],
    listLoaded: false,
    listLoading: false,
    listError: null,
    selectedId: null,
    detail: null,
    detailLoading: false,
    detailError: null,
    assets: [],

    setFilter(filter) {
      set({ filter, escrows: [], listLoaded: false })
      void loadList()
    },
    refreshList: loadList,
    open(id) {
      if (get().selectedId === id) return
      set({ selectedId: id, detail: null, detailError: null })
      void loadDetail()
    },
    close() {
      set({ selectedId: null, detail: null, detailError: null })
      void loadList()
    },
    refreshDetail: loadDetail,
    showDetail(detail) {
      if (get().selectedId === detail.escrow.id) set({ detail, detailError: null })
    },
    async loadAssets() {
      try {
        set({ assets: await invoke('assets.list', {}) })
      } catch {
        // The create form says it has no assets; amounts fall back to the core's exact strings.
      }
    },
  }
})
