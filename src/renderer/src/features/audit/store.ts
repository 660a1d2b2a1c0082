/** The audit log view: pages of rows (newest first) and the chain's verification. */
import { create } from 'zustand'
import type { AuditRow, AuditVerification } from '../../../../shared/workspaceApi'
import { errorMessage, invoke, loadErrorMessage } from '../../lib/api'

/** Rows fetched per page. */
export const AUDIT_PAGE_ROWS = 200

interface AuditState {
  rows: AuditRow[]
  nextBeforeSeq: number | null
  loading: boolean
  loadingOlder: boolean
  error: string | null
  verification: AuditVerification | null
  verifying: boolean
  verifyError: string | null
  verifiedAt: Date | null
  /** Reload the newest page (and keep as many rows as were loaded, up to the newest page). */
  refresh(): Promise<void>
  loadOlder(): Promise<void>
  verify(): Promise<void>
}

export const useAudit = create<AuditState>((set, get) => ({
  rows: [],
  nextBeforeSeq: null,
  loading: false,
  loadingOlder: false,
  error: null,
  verification: null,
  verifying: false,
  verifyError: null,
  verifiedAt: null,
  async refresh() {
    set({ loading: true })
    try {
      const page = await invoke('audit.list', { limit: AUDIT_PAGE_ROWS })
      const newest = page.rows
      // Keep older rows already loaded below the fresh page, so paging is not lost on refresh.
      const oldestFresh = newest.at(-1)?.seq ?? Infinity
      const older = get().rows.filter((r) => r.seq < oldestFresh)
      // Only if they join up without a gap (more than a page may have been appended since).
      const keepOlder = older.length > 0 && page.nextBeforeSeq !== null && older[0]!.seq === oldestFresh - 1
      set({
        rows: keepOlder ? [...newest, ...older] : newest,
        nextBeforeSeq: keepOlder ? get().nextBeforeSeq : page.nextBeforeSeq,
        loading: false,
        error: null,
      })
    } catch (error) {
      set({ loading: false, error: loadErrorMessage(error) })
    }
  },
  async loadOlder() {
    const { nextBeforeSeq, loadingOlder } = get()
    if (nextBeforeSeq === null || loadingOlder) return
    set({ loadingOlder: true })
    try {
      const page = await invoke('audit.list', { limit: AUDIT_PAGE_ROWS, beforeSeq: nextBeforeSeq })
      const seen = new Set(get().rows.map((r) => r.seq))
      set({
        rows: [...get().rows, ...page.rows.filter((r) => !seen.has(r.seq))],
        nextBeforeSeq: page.nextBeforeSeq,
        loadingOlder: false,
        error: null,
      })
    } catch (error) {
      set({ loadingOlder: false, error: loadErrorMessage(error) })
    }
  },
  async verify() {
    set({ verifying: true })
    try {
      set({ verification: await invoke('audit.verify', {}), verifying: false, verifyError: null, verifiedAt: new Date() })
    } catch (error) {
      set({ verifying: false, verifyError: errorMessage(error), verifiedAt: new Date() })
    }
  },
}))
