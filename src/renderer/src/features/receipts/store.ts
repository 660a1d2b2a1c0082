/**
 * The Receipts view's search: the filter, the receipts it matches a page at a time (newest first,
 * paged by cursor as the table scrolls), the totals per asset over the whole filter, and the
 * receipt open in the detail pane. Loads are coalesced: a burst of `receipts.changed` becomes at
 * most two loads. The first page is shown as soon as it is read; the totals (which read every
 * match the first time a filter is asked) follow in their own call.
 *
 * Receipts never change and each new one has a higher number than every other, so when receipts
 * are issued the list only takes the new ones in at its top (the rows a person scrolled to stay);
 * a new filter starts again from the first page.
 */
import { create } from 'zustand'
import type { CallOutput } from '../../../../shared/api'
import type { ReceiptSummary, ReceiptTotal } from '../../../../shared/receiptsApi'
import { BATCHES_LIST_MAX } from '../../../../shared/limits'
import { invoke, loadErrorMessage } from '../../lib/api'
import { coalesced } from '../../lib/coalesced'
import { EMPTY_FILTER, toReceiptFilter, type SearchFilter } from './receiptWords'

/** Receipts one page asks for: a few screens of the table. */
export const RECEIPTS_PAGE = 100
/** New receipts taken in at the top by one refresh; beyond this the list starts again from the first page. */
const NEWER_PAGES_MAX = 5

export type ReceiptsTab = 'search' | 'verify' | 'export'
export type ReceiptDetail = CallOutput<'receipts.get'>

export interface BatchChoice {
  id: string
  name: string
  createdAt: string
}

interface ReceiptsState {
  tab: ReceiptsTab
  filter: SearchFilter
  items: ReceiptSummary[]
  totals: ReceiptTotal[]
  /** The totals of the current filter are being read (the rows are already shown). */
  totalsLoading: boolean
  nextCursor: string | null
  /** Rows the person scrolled down to (pages of RECEIPTS_PAGE): loads fetch up to as many. */
  wanted: number
  /** The list no longer fits the filter: the next load starts from the first page. */
  stale: boolean
  /** Receipts were issued: the next load takes the new ones in at the top. */
  newer: boolean
  loaded: boolean
  loading: boolean
  error: string | null
  loadedAt: Date | null

  selected: number | null
  detail: ReceiptDetail | null
  detailLoading: boolean
  detailError: string | null

  batches: BatchChoice[]

  setTab(tab: ReceiptsTab): void
  setFilter(patch: Partial<SearchFilter>): void
  /** Settles once the rows and then the totals are read. */
  refresh(): Promise<void>
  /** Receipts were issued (event): take the new ones in. */
  changed(): Promise<void>
  loadMore(): Promise<void>
  open(number: number): void
  close(): void
  refreshDetail(): Promise<void>
  loadBatches(): Promise<void>
}

type ListPage = CallOutput<'receipts.list'>

export const useReceipts = create<ReceiptsState>((set, get) => {
  const page = (filter: SearchFilter, cursor: string | null): Promise<ListPage> =>
    invoke('receipts.list', { ...toReceiptFilter(filter), ...(cursor !== null ? { cursor } : {}), limit: RECEIPTS_PAGE, totals: false })

  /** The totals of the filter shown now; a newer filter's call supersedes this one's answer. */
  const readTotals = coalesced(async () => {
    const filter = get().filter
    set({ totalsLoading: true })
    try {
      const { totals } = await invoke('receipts.totals', toReceiptFilter(filter))
      if (get().filter === filter) set({ totals, totalsLoading: false })
    } catch (error) {
      if (get().filter === filter) set({ totalsLoading: false, error: loadErrorMessage(error) })
    }
  })
  /** The latest totals read started; refresh() and changed() settle once it has (the rows come first). */
  let totalsRead: Promise<void> = Promise.resolve()
  const loadTotals = (): void => {
    totalsRead = readTotals()
  }
  const settled = (load: Promise<void>): Promise<void> => load.then(() => totalsRead)

  const sync = coalesced(async () => {
    const filter = get().filter
    set({ loading: true })
    try {
      if (get().stale) {
        set({ stale: false, newer: false })
        const first = await page(filter, null)
        if (get().filter !== filter) return // a newer filter's load follows
        set({ items: first.items, totals: [], nextCursor: first.nextCursor })
        loadTotals()
      } else if (get().newer) {
        set({ newer: false })
        if (!(await takeNewer(filter))) return
      }
      // Pages down to where the person scrolled.
      for (let i = 0; i < Math.ceil(get().wanted / RECEIPTS_PAGE) + 1; i++) {
        const { items, nextCursor, wanted } = get()
        if (items.length >= wanted || nextCursor === null) break
        const next = await page(filter, nextCursor)
        if (get().filter !== filter) return
        set({ items: [...get().items, ...next.items], nextCursor: next.nextCursor })
      }
      set({ loaded: true, loading: false, error: null, loadedAt: new Date() })
    } catch (error) {
      if (get().filter === filter) set({ loading: false, error: loadErrorMessage(error) })
    }
  })

  /** The receipts issued since the list was loaded, put at its top; false when a newer filter took over. */
  async function takeNewer(filter: SearchFilter): Promise<boolean> {
    const head = get().items[0]?.number ?? 0
    const fresh: ReceiptSummary[] = []
    let cursor: string | null = null
    // The totals change with every new receipt: read again (only the new receipts are added up).
    loadTotals()
    for (let i = 0; i < NEWER_PAGES_MAX; i++) {
      const p = await page(filter, cursor)
      if (get().filter !== filter) return false
      fresh.push(...p.items.filter((r) => r.number > head))
      if (p.items.some((r) => r.number <= head) || p.nextCursor === null) {
        set({ items: [...fresh, ...get().items], nextCursor: get().items.length === 0 ? p.nextCursor : get().nextCursor })
        return true
      }
      cursor = p.nextCursor
    }
    // More new receipts than a refresh takes in: start again from the top.
    const first = await page(filter, null)
    if (get().filter !== filter) return false
    set({ items: first.items, nextCursor: first.nextCursor, wanted: RECEIPTS_PAGE })
    return true
  }

  const loadDetail = coalesced(async () => {
    const number = get().selected
    if (number === null) return
    set({ detailLoading: true })
    try {
      const detail = await invoke('receipts.get', { number })
      if (get().selected !== number) return
      set({ detail, detailLoading: false, detailError: null })
    } catch (error) {
      if (get().selected === number) set({ detailLoading: false, detailError: loadErrorMessage(error) })
    }
  })

  return {
    tab: 'search',
    filter: EMPTY_FILTER,
    items: [],
    totals: [],
    totalsLoading: false,
    nextCursor: null,
    wanted: RECEIPTS_PAGE,
    stale: true,
    newer: false,
    loaded: false,
    loading: false,
    error: null,
    loadedAt: null,
    selected: null,
    detail: null,
    detailLoading: false,
    detailError: null,
    batches: [],

    setTab(tab) {
      set({ tab })
    },
    setFilter(patch) {
      set({ filter: { ...get().filter, ...patch }, stale: true, wanted: RECEIPTS_PAGE })
      void sync()
    },
    refresh() {
      set({ stale: true })
      return settled(sync())
    },
    changed() {
      set({ newer: true })
      return settled(sync())
    },
    loadMore() {
      const { items, nextCursor, wanted, loading } = get()
      if (loading || nextCursor === null || items.length < wanted) return Promise.resolve()
      set({ wanted: wanted + RECEIPTS_PAGE })
      return sync()
    },
    open(number) {
      if (get().selected === number) return
      set({ selected: number, detail: null, detailError: null })
      void loadDetail()
    },
    close() {
      set({ selected: null, detail: null, detailError: null })
    },
    refreshDetail: loadDetail,
    async loadBatches() {
      try {
        const { batches } = await invoke('batches.list', { limit: BATCHES_LIST_MAX })
        set({ batches: batches.map((b) => ({ id: b.id, name: b.name, createdAt: b.createdAt })) })
      } catch {
        // The batch filter offers nothing; every other part of the view works without it.
      }
    },
  }
})
