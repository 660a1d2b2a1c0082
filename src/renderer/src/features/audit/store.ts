/**
 * The audit log view: the filter (person, actions, subject, UTC days, the system's own rows hidden
 * or shown), pages of the rows it matches (newest first; the core filters and pages, so the log may
 * hold 100,000+ rows), the row open in the detail pane, the CSV export, and the chain's verification.
 */
import { create } from 'zustand'
import type { AuditFilter, AuditRow, AuditVerification } from '../../../../shared/workspaceApi'
import { saveBlob } from '../../lib/download'
import { errorMessage, invoke, loadErrorMessage } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'

/** Rows fetched per page. */
export const AUDIT_PAGE_ROWS = 200

/** The filter as the form holds it: '' and [] mean "any". */
export interface AuditFilterForm {
  actor: string | null
  actions: string[]
  subject: string
  /** YYYY-MM-DD (UTC) or ''. */
  from: string
  to: string
  /** The rows Countersign wrote by itself (confirmations, syncs, sweeps): hidden by default, so a person's changes stand out. */
  hideSystem: boolean
}

export const AUDIT_FILTER_DEFAULT: AuditFilterForm = { actor: null, actions: [], subject: '', from: '', to: '', hideSystem: true }

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/

/** What is wrong with the dates as typed, or null. */
export function auditDateProblem(f: Pick<AuditFilterForm, 'from' | 'to'>): string | null {
  if (f.from !== '' && !DAY_RE.test(f.from)) return 'The "from" date is not a whole date — pick a day.'
  if (f.to !== '' && !DAY_RE.test(f.to)) return 'The "to" date is not a whole date — pick a day.'
  if (f.from !== '' && f.to !== '' && f.from > f.to) return 'The "from" date is after the "to" date — swap them to see rows.'
  return null
}

/** The contract's filter from the form: empty fields left out, a date only when it is a whole date. */
export function auditFilterInput(f: AuditFilterForm): AuditFilter {
  const subject = f.subject.trim()
  return {
    ...(f.actor !== null ? { actor: f.actor } : {}),
    ...(f.actions.length > 0 ? { actions: f.actions } : {}),
    ...(subject !== '' ? { subject } : {}),
    ...(DAY_RE.test(f.from) ? { from: f.from } : {}),
    ...(DAY_RE.test(f.to) ? { to: f.to } : {}),
    ...(f.hideSystem ? { hideSystem: true } : {}),
  }
}

/** True when the form narrows anything besides hiding the system's rows. */
export function isNarrowed(f: AuditFilterForm): boolean {
  return f.actor !== null || f.actions.length > 0 || f.subject.trim() !== '' || f.from !== '' || f.to !== ''
}

interface AuditState {
  filter: AuditFilterForm
  rows: AuditRow[]
  nextBeforeSeq: number | null
  loading: boolean
  loadingOlder: boolean
  error: string | null
  /** Who and what the log holds, for the filters' lists. */
  facets: { actors: string[]; actions: string[] }
  /** The row open in the detail pane. */
  selected: AuditRow | null
  exporting: boolean
  verification: AuditVerification | null
  verifying: boolean
  verifyError: string | null
  verifiedAt: Date | null
  setFilter(patch: Partial<AuditFilterForm>): void
  resetFilter(): void
  /** Reload the newest page of the filter (and keep older rows already loaded when they join up). */
  refresh(): Promise<void>
  loadOlder(): Promise<void>
  loadFacets(): Promise<void>
  open(row: AuditRow): void
  close(): void
  exportCsv(): Promise<void>
  verify(): Promise<void>
}

/** Bumped by every change of filter: an answer for an older filter is dropped, never shown under the new one. */
let generation = 0

export const useAudit = create<AuditState>((set, get) => ({
  filter: AUDIT_FILTER_DEFAULT,
  rows: [],
  nextBeforeSeq: null,
  loading: false,
  loadingOlder: false,
  error: null,
  facets: { actors: [], actions: [] },
  selected: null,
  exporting: false,
  verification: null,
  verifying: false,
  verifyError: null,
  verifiedAt: null,
  setFilter(patch) {
    generation++
    set({ filter: { ...get().filter, ...patch }, rows: [], nextBeforeSeq: null, loadingOlder: false })
    void get().refresh()
  },
  resetFilter() {
    get().setFilter(AUDIT_FILTER_DEFAULT)
  },
  async refresh() {
    const mine = generation
    const { filter } = get()
    if (auditDateProblem(filter) !== null) {
      set({ rows: [], nextBeforeSeq: null, loading: false, error: null })
      return
    }
    set({ loading: true })
    try {
      const page = await invoke('audit.list', { ...auditFilterInput(filter), limit: AUDIT_PAGE_ROWS })
      if (mine !== generation) return
      const newest = page.rows
      // Keep older rows already loaded below the fresh page, so paging is not lost on refresh —
      // only when the fresh page reaches a row already loaded (more than a page may have been
      // appended since; with a filter, matching rows' seqs have gaps, so seqs cannot tell).
      const oldestFresh = newest.at(-1)?.seq
      const loaded = get().rows
      const keepOlder = oldestFresh !== undefined && page.nextBeforeSeq !== null && loaded.some((r) => r.seq === oldestFresh)
      const older = keepOlder ? loaded.filter((r) => r.seq < oldestFresh) : []
      set({
        rows: [...newest, ...older],
        nextBeforeSeq: keepOlder && older.length > 0 ? get().nextBeforeSeq : page.nextBeforeSeq,
        loading: false,
        error: null,
      })
    } catch (error) {
      if (mine === generation) set({ loading: false, error: loadErrorMessage(error) })
    }
  },
  async loadOlder() {
    const { nextBeforeSeq, loadingOlder, filter } = get()
    if (nextBeforeSeq === null || loadingOlder) return
    const mine = generation
    set({ loadingOlder: true })
    try {
      const page = await invoke('audit.list', { ...auditFilterInput(filter), limit: AUDIT_PAGE_ROWS, beforeSeq: nextBeforeSeq })
      if (mine !== generation) return
      const seen = new Set(get().rows.map((r) => r.seq))
      set({
        rows: [...get().rows, ...page.rows.filter((r) => !seen.has(r.seq))],
        nextBeforeSeq: page.nextBeforeSeq,
        loadingOlder: false,
        error: null,
      })
    } catch (error) {
      if (mine === generation) set({ loadingOlder: false, error: loadErrorMessage(error) })
    }
  },
  async loadFacets() {
    try {
      set({ facets: await invoke('audit.facets', {}) })
    } catch {
      // The filters then offer what the rows loaded so far hold; the list itself says if the core is unreachable.
    }
  },
  open(row) {
    set({ selected: row })
  },
  close() {
    set({ selected: null })
  },
  async exportCsv() {
    if (get().exporting) return
    set({ exporting: true })
    try {
      const file = await invoke('audit.export', auditFilterInput(get().filter))
      saveBlob(file.name, [file.text], file.mime)
      notifySuccess('Audit log exported', `${file.name} — ${formatCount(file.rows)} ${file.rows === 1 ? 'row' : 'rows'}, oldest first.`)
    } catch (error) {
      notifyError('Could not export the audit log', error)
    } finally {
      set({ exporting: false })
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
