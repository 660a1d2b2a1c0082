/**
 * The matching side of the Reconciliation view: which statement account is worked on, both sides
 * of it a page at a time (state filter, search), the matches (suggested to review, confirmed to
 * audit), the exceptions queue, the adjustments, the drift and the closed periods — and what the
 * person has picked to match by hand. Each part loads coalesced (a burst of `recon.changed` is at
 * most two loads), keeps what it last loaded when a load fails, and says when it was loaded.
 */
import { create } from 'zustand'
import { RECON_LIST_MAX } from '../../../../shared/limits'
import type {
  ReconAdjustment,
  ReconDrift,
  ReconException,
  ReconItem,
  ReconMatch,
  ReconPeriod,
  ReconRunStats,
} from '../../../../shared/reconMatchApi'
import { invoke, loadErrorMessage } from '../../lib/api'
import { coalesced } from '../../lib/coalesced'
import type { ItemState, ReasonCode } from './matchWords'

/** Rows per page of each side-by-side pane: a screen's worth at 1280×800. */
export const ITEMS_PAGE = 25
/** Suggestions are reviewed in one list (bulk confirm); confirmed matches a page at a time. */
export const SUGGESTIONS_MAX = RECON_LIST_MAX
export const MATCHES_PAGE = 50
export const EXCEPTIONS_PAGE = 50
export const ADJUSTMENTS_PAGE = 50

export const RECON_TABS = ['statements', 'sideBySide', 'matches', 'exceptions', 'adjustments', 'drift'] as const
export type ReconTab = (typeof RECON_TABS)[number]

export type Side = 'statement' | 'ledger'

export interface Pane {
  items: ReconItem[]
  total: number
  page: number
}

export interface LastRun {
  accountId: string
  /** Where it was started: its outcome is shown there (not over every tab). */
  tab: ReconTab
  dryRun: boolean
  stats: ReconRunStats
  matches: ReconMatch[]
  more: number
  at: Date
}

export interface ExceptionFilter {
  reason: ReasonCode | null
  side: Side | null
  state: 'open' | 'resolved'
  /** Only those assigned to this name (the unlocked operator's, for "Assigned to me"). */
  assignee: string | null
}

/** Only items in no live match can be matched by hand (unmatch a match first). */
export function isPickable(item: Pick<ReconItem, 'state'>): boolean {
  return item.state === 'unmatched' || item.state === 'exception'
}

/** "statement:<line id>" / "ledger:<entry>/<idx>": one item picked for a match by hand. */
export function pickKey(item: Pick<ReconItem, 'side' | 'id'>): string {
  return `${item.side}:${item.id}`
}

interface Section {
  loading: boolean
  error: string | null
  loadedAt: Date | null
}

const idle: Section = { loading: false, error: null, loadedAt: null }
const emptyPane: Pane = { items: [], total: 0, page: 1 }

/** What the store holds about the chosen account: empty at start and whenever another account is chosen. */
function accountData() {
  return {
    statementPane: emptyPane,
    ledgerPane: emptyPane,
    items: idle,
    hoveredMatchId: null,
    selectedMatchId: null,
    picked: {},
    suggestions: [],
    suggestionsTotal: 0,
    confirmed: [],
    confirmedTotal: 0,
    confirmedPage: 1,
    matches: idle,
    exceptions: [],
    exceptionsTotal: 0,
    exceptionsPage: 1,
    openExceptions: 0,
    exceptionsSection: idle,
    adjustments: [],
    adjustmentsTotal: 0,
    adjustmentsPage: 1,
    proposedAdjustments: 0,
    adjustmentsSection: idle,
    drift: null,
    periods: [],
    driftSection: idle,
    lastRun: null,
  } satisfies Partial<MatchStoreState>
}

interface MatchStoreState {
  tab: ReconTab
  accountId: string | null

  itemState: ItemState | 'all'
  search: string
  statementPane: Pane
  ledgerPane: Pane
  items: Section
  /** The match whose rows are lit on both sides: the hovered one, else the selected one. */
  hoveredMatchId: string | null
  selectedMatchId: string | null
  /** Items picked to match by hand, by pickKey. */
  picked: Record<string, ReconItem>

  suggestions: ReconMatch[]
  suggestionsTotal: number
  confirmed: ReconMatch[]
  confirmedTotal: number
  confirmedPage: number
  matches: Section

  exceptionFilter: ExceptionFilter
  exceptions: ReconException[]
  exceptionsTotal: number
  exceptionsPage: number
  /** Open exceptions of the account, whatever the filter (the tab's count). */
  openExceptions: number
  exceptionsSection: Section

  adjustmentState: ReconAdjustment['state']
  adjustments: ReconAdjustment[]
  adjustmentsTotal: number
  adjustmentsPage: number
  proposedAdjustments: number
  adjustmentsSection: Section

  drift: ReconDrift | null
  periods: ReconPeriod[]
  driftSection: Section

  lastRun: LastRun | null

  setTab(tab: ReconTab): void
  chooseAccount(accountId: string | null): void
  setItemFilter(filter: { state?: ItemState | 'all'; search?: string }): void
  setPanePage(side: Side, page: number): void
  hover(matchId: string | null): void
  select(matchId: string | null): void
  togglePick(item: ReconItem): void
  clearPicks(): void
  setConfirmedPage(page: number): void
  setExceptionFilter(filter: Partial<ExceptionFilter>): void
  setExceptionsPage(page: number): void
  setAdjustmentState(state: ReconAdjustment['state']): void
  setAdjustmentsPage(page: number): void
  setLastRun(run: LastRun | null): void

  refreshAll(): Promise<void>
  refreshItems(): Promise<void>
  refreshMatches(): Promise<void>
  refreshExceptions(): Promise<void>
  refreshAdjustments(): Promise<void>
  refreshDrift(): Promise<void>
}

export const useReconMatch = create<MatchStoreState>((set, get) => {
  /** Runs `load` for the account chosen now; drops its outcome if the account changed meanwhile. */
  function forAccount<T>(
    key: 'items' | 'matches' | 'exceptionsSection' | 'adjustmentsSection' | 'driftSection',
    load: (accountId: string) => Promise<T>,
    apply: (result: T) => Partial<MatchStoreState>,
  ): () => Promise<void> {
    return coalesced(async () => {
      const accountId = get().accountId
      if (!accountId) return
      set({ [key]: { ...get()[key], loading: true } } as Partial<MatchStoreState>)
      try {
        const result = await load(accountId)
        if (get().accountId !== accountId) return
        set({ ...apply(result), [key]: { loading: false, error: null, loadedAt: new Date() } } as Partial<MatchStoreState>)
      } catch (error) {
        if (get().accountId !== accountId) return
        set({ [key]: { ...get()[key], loading: false, error: loadErrorMessage(error) } } as Partial<MatchStoreState>)
      }
    })
  }

  const loadItems = forAccount(
    'items',
    async (accountId) => {
      const { itemState, search, statementPane, ledgerPane } = get()
      const common = {
        accountId,
        ...(itemState !== 'all' ? { state: itemState } : {}),
        ...(search.trim() ? { search: search.trim() } : {}),
        limit: ITEMS_PAGE,
      }
      const [s, l] = await Promise.all([
        invoke('recon.items', { ...common, side: 'statement', offset: (statementPane.page - 1) * ITEMS_PAGE }),
        invoke('recon.items', { ...common, side: 'ledger', offset: (ledgerPane.page - 1) * ITEMS_PAGE }),
      ])
      return { s, l }
    },
    ({ s, l }) => {
      // A picked item that got matched meanwhile (by a run, by someone else) is no longer pickable.
      const picked = { ...get().picked }
      for (const item of [...s.items, ...l.items]) if (picked[pickKey(item)] && !isPickable(item)) delete picked[pickKey(item)]
      return {
        statementPane: { ...get().statementPane, items: s.items, total: s.total },
        ledgerPane: { ...get().ledgerPane, items: l.items, total: l.total },
        picked,
      }
    },
  )

  const loadMatches = forAccount(
    'matches',
    async (accountId) =>
      await Promise.all([
        invoke('recon.matches', { accountId, state: 'suggested', limit: SUGGESTIONS_MAX }),
        invoke('recon.matches', { accountId, state: 'confirmed', offset: (get().confirmedPage - 1) * MATCHES_PAGE, limit: MATCHES_PAGE }),
      ]),
    ([suggested, confirmed]) => ({
      suggestions: suggested.matches,
      suggestionsTotal: suggested.total,
      confirmed: confirmed.matches,
      confirmedTotal: confirmed.total,
    }),
  )

  const loadExceptions = forAccount(
    'exceptionsSection',
    async (accountId) => {
      const f = get().exceptionFilter
      return await Promise.all([
        invoke('recon.exceptions', {
          accountId,
          state: f.state,
          ...(f.reason ? { reason: f.reason } : {}),
          ...(f.side ? { side: f.side } : {}),
          ...(f.assignee ? { assignee: f.assignee } : {}),
          offset: (get().exceptionsPage - 1) * EXCEPTIONS_PAGE,
          limit: EXCEPTIONS_PAGE,
        }),
        invoke('recon.exceptions', { accountId, state: 'open', limit: 1 }),
      ])
    },
    ([list, open]) => ({ exceptions: list.exceptions, exceptionsTotal: list.total, openExceptions: open.total }),
  )

  const loadAdjustments = forAccount(
    'adjustmentsSection',
    async (accountId) =>
      await Promise.all([
        invoke('recon.adjustments', {
          accountId,
          state: get().adjustmentState,
          offset: (get().adjustmentsPage - 1) * ADJUSTMENTS_PAGE,
          limit: ADJUSTMENTS_PAGE,
        }),
        invoke('recon.adjustments', { accountId, state: 'proposed', limit: 1 }),
      ]),
    ([list, proposed]) => ({ adjustments: list.adjustments, adjustmentsTotal: list.total, proposedAdjustments: proposed.total }),
  )

  const loadDrift = forAccount(
    'driftSection',
    async (accountId) => await Promise.all([invoke('recon.drift', { accountId }), invoke('recon.periods', { accountId })]),
    ([drift, { periods }]) => ({ drift, periods }),
  )

  const refreshAll = async () => {
    await Promise.all([loadItems(), loadMatches(), loadExceptions(), loadAdjustments(), loadDrift()])
  }

  return {
    tab: 'statements',
    accountId: null,
    itemState: 'all',
    search: '',
    ...accountData(),
    exceptionFilter: { reason: null, side: null, state: 'open', assignee: null },
    adjustmentState: 'proposed',

    setTab(tab) {
      set({ tab })
    },
    chooseAccount(accountId) {
      if (get().accountId === accountId) return
      set({ accountId, ...accountData() })
      void refreshAll()
    },
    setItemFilter(filter) {
      set({
        ...(filter.state !== undefined ? { itemState: filter.state } : {}),
        ...(filter.search !== undefined ? { search: filter.search } : {}),
        statementPane: { ...get().statementPane, page: 1 },
        ledgerPane: { ...get().ledgerPane, page: 1 },
      })
      void loadItems()
    },
    setPanePage(side, page) {
      if (side === 'statement') set({ statementPane: { ...get().statementPane, page } })
      else set({ ledgerPane: { ...get().ledgerPane, page } })
      void loadItems()
    },
    hover(matchId) {
      if (get().hoveredMatchId !== matchId) set({ hoveredMatchId: matchId })
    },
    select(matchId) {
      set({ selectedMatchId: get().selectedMatchId === matchId ? null : matchId })
    },
    togglePick(item) {
      const key = pickKey(item)
      const picked = { ...get().picked }
      if (picked[key]) delete picked[key]
      else picked[key] = item
      set({ picked })
    },
    clearPicks() {
      set({ picked: {} })
    },
    setConfirmedPage(page) {
      set({ confirmedPage: page })
      void loadMatches()
    },
    setExceptionFilter(filter) {
      set({ exceptionFilter: { ...get().exceptionFilter, ...filter }, exceptionsPage: 1 })
      void loadExceptions()
    },
    setExceptionsPage(page) {
      set({ exceptionsPage: page })
      void loadExceptions()
    },
    setAdjustmentState(adjustmentState) {
      set({ adjustmentState, adjustmentsPage: 1 })
      void loadAdjustments()
    },
    setAdjustmentsPage(page) {
      set({ adjustmentsPage: page })
      void loadAdjustments()
    },
    setLastRun(lastRun) {
      set({ lastRun })
    },

    refreshAll,
    refreshItems: loadItems,
    refreshMatches: loadMatches,
    refreshExceptions: loadExceptions,
    refreshAdjustments: loadAdjustments,
    refreshDrift: loadDrift,
  }
})

/** Pages of `total` rows at `size` a page (at least one, so a pager always has a page to show). */
export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size))
}
