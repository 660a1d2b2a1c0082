/**
 * The Payouts view: the batch list (filtered by state), the open batch (its detail and its
 * submissions — the detail carries the warnings the batch keeps) and what execution reported while
 * it ran.
 */
import { create } from 'zustand'
import type { Asset } from '../../../../shared/ledgerApi'
import type { EventPayload } from '../../../../shared/api'
import type { BatchDetail, BatchSummary, Submission } from '../../../../shared/payoutsApi'
import type { BatchStateName } from '../../../../shared/blocks'
import { invoke, loadErrorMessage } from '../../lib/api'
import { coalesced } from '../../lib/coalesced'

/** Why execution stopped: the core's code and sentence, and the lines its details list (pre-flight problems). */
export interface ExecutionError {
  code: string | null
  message: string
  items: string[]
}

/** Batches one page of the list holds. */
export const BATCHES_PAGE = 100
/** Progress lines kept per batch (a batch of many chunks must not grow the store without end). */
export const PROGRESS_LINES_MAX = 200

export type ProgressLine = EventPayload<'execution.progress'> & { at: string }

interface PayoutsState {
  filter: BatchStateName | null
  batches: BatchSummary[]
  nextBefore: string | null
  listLoaded: boolean
  /** When the list / the open batch were last read (the views say it: other processes change the books too). */
  listLoadedAt: Date | null
  detailLoadedAt: Date | null
  listLoading: boolean
  listError: string | null

  selectedId: string | null
  detail: BatchDetail | null
  detailLoading: boolean
  detailError: string | null
  submissions: Submission[]
  submissionsError: string | null

  assets: Asset[]
  progress: Record<string, ProgressLine[]>
  /** Why signing stopped, per batch, until the next execute / resume / retry: the device's sentence. */
  executionError: Record<string, ExecutionError>

  setFilter(filter: BatchStateName | null): void
  refreshList(): Promise<void>
  loadMore(): Promise<void>
  open(id: string): void
  close(): void
  refreshDetail(): Promise<void>
  loadAssets(): Promise<void>
  addProgress(p: EventPayload<'execution.progress'>): void
  clearProgress(batchId: string): void
  setExecutionError(batchId: string, error: ExecutionError | null): void
}

export const usePayouts = create<PayoutsState>((set, get) => {
  const loadList = coalesced(async () => {
    const filter = get().filter
    set({ listLoading: true })
    try {
      const page = await invoke('batches.list', { limit: BATCHES_PAGE, ...(filter ? { state: filter } : {}) })
      if (get().filter !== filter) return // a newer filter's load follows
      set({
        batches: page.batches,
        nextBefore: page.nextBefore,
        listLoaded: true,
        listLoading: false,
        listError: null,
        listLoadedAt: new Date(),
      })
    } catch (error) {
      set({ listLoading: false, listError: loadErrorMessage(error) })
    }
  })

  const loadDetail = coalesced(async () => {
    const id = get().selectedId
    if (!id) return
    set({ detailLoading: true })
    try {
      const [detail, submissions] = await Promise.all([
        invoke('batches.get', { id }),
        invoke('batches.submissions', { id }).then(
          (s) => ({ ok: true as const, s }),
          (error: unknown) => ({ ok: false as const, error: loadErrorMessage(error) }),
        ),
      ])
      if (get().selectedId !== id) return
      set({
        detail,
        detailLoading: false,
        detailError: null,
        detailLoadedAt: new Date(),
        submissions: submissions.ok ? submissions.s : get().submissions,
        submissionsError: submissions.ok ? null : submissions.error,
      })
    } catch (error) {
      if (get().selectedId !== id) return
      set({ detailLoading: false, detailError: loadErrorMessage(error) })
    }
  })

  return {
    filter: null,
    batches: [],
    nextBefore: null,
    listLoaded: false,
    listLoadedAt: null,
    detailLoadedAt: null,
    listLoading: false,
    listError: null,
    selectedId: null,
    detail: null,
    detailLoading: false,
    detailError: null,
    submissions: [],
    submissionsError: null,
    assets: [],
    progress: {},
    executionError: {},

    setFilter(filter) {
      set({ filter, batches: [], nextBefore: null, listLoaded: false })
      void loadList()
    },
    refreshList: loadList,
    async loadMore() {
      const { nextBefore, filter, listLoading } = get()
      if (!nextBefore || listLoading) return
      set({ listLoading: true })
      try {
        const page = await invoke('batches.list', { limit: BATCHES_PAGE, before: nextBefore, ...(filter ? { state: filter } : {}) })
        if (get().filter !== filter) return
        const seen = new Set(get().batches.map((b) => b.id))
        set({
          batches: [...get().batches, ...page.batches.filter((b) => !seen.has(b.id))],
          nextBefore: page.nextBefore,
          listLoading: false,
          listError: null,
        })
      } catch (error) {
        set({ listLoading: false, listError: loadErrorMessage(error) })
      }
    },
    open(id) {
      if (get().selectedId === id) return
      set({ selectedId: id, detail: null, detailError: null, submissions: [], submissionsError: null })
      void loadDetail()
    },
    close() {
      set({ selectedId: null, detail: null, detailError: null, submissions: [], submissionsError: null })
      void loadList()
    },
    refreshDetail: loadDetail,
    async loadAssets() {
      try {
        set({ assets: await invoke('assets.list', {}) })
      } catch {
        // Amounts fall back to the core's exact strings; the row form says it has no assets.
      }
    },
    addProgress(p) {
      const lines = [...(get().progress[p.batchId] ?? []), { ...p, at: new Date().toISOString() }].slice(-PROGRESS_LINES_MAX)
      set({ progress: { ...get().progress, [p.batchId]: lines } })
    },
    clearProgress(batchId) {
      const { [batchId]: _dropped, ...rest } = get().progress
      set({ progress: rest })
    },
    setExecutionError(batchId, error) {
      const { [batchId]: _dropped, ...rest } = get().executionError
      set({ executionError: error ? { ...rest, [batchId]: error } : rest })
    },
  }
})
