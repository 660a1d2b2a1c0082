/**
 * The Payouts view: the batch list (filtered by state), the open batch (its detail and its
 * submissions — the detail carries the warnings the batch keeps) and what execution reported while
 * it ran.
 *
 * A batch is read in pages: its header, totals, approvals and first payouts first (painted at
 * once), then the rest of its payouts and their warnings in pages of PAYOUTS_PAGE_MAX, put in
 * place together when every page is in (`detailComplete`). What needs every payout — search and
 * filters, the warnings, approval and execution panels — waits for that, so it never counts a
 * part of the batch. A reload of a batch already whole keeps showing it until the new read is whole.
 */
import { create } from 'zustand'
import type { Asset } from '../../../../shared/ledgerApi'
import type { EventPayload } from '../../../../shared/api'
import { PAYOUTS_PAGE_MAX, type BatchDetail, type BatchSummary, type Submission } from '../../../../shared/payoutsApi'
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
/** Payouts the first read of a batch carries: more than a screenful, little to read and send. */
export const FIRST_PAYOUTS = 100
/** Reads of a batch tried when it changes between its pages (an edit makes a new version). */
const READ_ATTEMPTS = 3
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
  /** Every payout and warning of the batch is in `detail` (false while its later pages are read). */
  detailComplete: boolean
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

/** Resolves once the browser has painted what is rendered now (the frame after the next). */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
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

  /**
   * The payouts and warnings after `first`'s, joined to it (the pages asked for at once, answered
   * in turn); null when the batch changed between the reads (read it again) or another batch was
   * opened meanwhile.
   */
  async function readRest(id: string, first: BatchDetail): Promise<BatchDetail | null> {
    const offsets: number[] = []
    for (let at = first.payoutsPage.nextOffset; at !== null && at < first.payoutsPage.total; at += PAYOUTS_PAGE_MAX) offsets.push(at)
    const pages = await Promise.all(offsets.map((offset) => invoke('batches.payouts', { id, offset, limit: PAYOUTS_PAGE_MAX })))
    if (get().selectedId !== id) return null
    // Rows added or removed since the first read shift the pages: all of one version, and all there.
    const payouts = [...first.payouts, ...pages.flatMap((p) => p.payouts)]
    if (pages.some((p) => p.version !== first.batch.version || p.total !== first.payoutsPage.total)) return null
    if (payouts.length !== first.payoutsPage.total) return null
    const warnings = [...first.warnings, ...pages.flatMap((p) => p.warnings)]
    return { ...first, payouts, warnings, payoutsPage: { total: payouts.length, nextOffset: null } }
  }

  const loadDetail = coalesced(async () => {
    const id = get().selectedId
    if (!id) return
    set({ detailLoading: true })
    try {
      for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
        const [first, submissions] = await Promise.all([
          invoke('batches.get', { id, payoutsLimit: FIRST_PAYOUTS }),
          invoke('batches.submissions', { id }).then(
            (s) => ({ ok: true as const, s }),
            (error: unknown) => ({ ok: false as const, error: loadErrorMessage(error) }),
          ),
        ])
        if (get().selectedId !== id) return
        const read = {
          detailError: null,
          submissions: submissions.ok ? submissions.s : get().submissions,
          submissionsError: submissions.ok ? null : submissions.error,
        }
        if (first.payoutsPage.nextOffset === null) {
          set({ ...read, detail: first, detailComplete: true, detailLoading: false, detailLoadedAt: new Date() })
          return
        }
        // First open: paint the first payouts now. A batch already shown whole stays as it is until
        // the new read is whole too (never a table that shrinks to its first page and grows again).
        const shownWhole = get().detail?.batch.id === id && get().detailComplete
        if (!shownWhole) {
          set({ ...read, detail: first, detailComplete: false })
          // Let the first payouts reach the screen before the later pages' answers take the thread.
          await nextPaint()
        }
        const whole = await readRest(id, first)
        if (get().selectedId !== id) return
        if (whole === null) continue // changed between pages: read it again
        set({ ...read, detail: whole, detailComplete: true, detailLoading: false, detailLoadedAt: new Date() })
        return
      }
      set({
        detailLoading: false,
        detailError: 'The batch kept changing while it was read — it is read again at its next change, or reload the page.',
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
    detailComplete: false,
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
      set({ selectedId: id, detail: null, detailComplete: false, detailError: null, submissions: [], submissionsError: null })
      void loadDetail()
    },
    close() {
      set({ selectedId: null, detail: null, detailComplete: false, detailError: null, submissions: [], submissionsError: null })
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
