/**
 * The Reconciliation view's data: the imported statements and the statement accounts (loaded
 * together, with when), the open statement's lines a page at a time, and what the import and link
 * forms choose from (ledger accounts with their assets, saved CSV mappings). Loads are coalesced
 * like the Escrow store's: a burst of `recon.changed` events becomes at most two loads.
 */
import { create } from 'zustand'
import type { Account, Asset } from '../../../../shared/ledgerApi'
import { RECON_LINES_PAGE_MAX, RECON_LIST_MAX } from '../../../../shared/limits'
import type { ReconAccount, StatementLine, StatementSummary } from '../../../../shared/reconApi'
import { invoke, loadErrorMessage } from '../../lib/api'
import { coalesced } from '../../lib/coalesced'

/** Lines one page asks for: the contract's most, so a statement of 10,000 lines is ten calls. */
export const LINES_PAGE = RECON_LINES_PAGE_MAX

export interface CsvMappingName {
  name: string
  updatedAt: string
  /** As saved (the core checked it against its schema); the mapping editor reads it. */
  mapping: unknown
}

interface ReconStoreState {
  statements: StatementSummary[]
  accounts: ReconAccount[]
  listLoaded: boolean
  listLoading: boolean
  listError: string | null
  /** When the lists were last loaded (shown as "updated 14:05:09"). */
  listLoadedAt: Date | null

  selectedId: string | null
  lines: StatementLine[]
  linesTotal: number
  /** Lines the person scrolled down to (pages of LINES_PAGE); a reload fetches as many again. */
  linesWanted: number
  /** The loaded lines may have changed in the core: the next load starts again from the first. */
  linesStale: boolean
  linesLoading: boolean
  linesError: string | null
  linesLoadedAt: Date | null

  ledgerAccounts: Account[]
  assets: Asset[]
  mappings: CsvMappingName[]
  choicesError: string | null

  refreshList(): Promise<void>
  open(id: string): void
  close(): void
  refreshLines(): Promise<void>
  loadMoreLines(): Promise<void>
  loadChoices(): Promise<void>
}

export const useRecon = create<ReconStoreState>((set, get) => {
  const loadList = coalesced(async () => {
    set({ listLoading: true })
    try {
      const [{ statements }, { accounts }] = await Promise.all([
        invoke('recon.statements', { limit: RECON_LIST_MAX }),
        invoke('recon.accounts', {}),
      ])
      set({ statements, accounts, listLoaded: true, listLoading: false, listError: null, listLoadedAt: new Date() })
    } catch (error) {
      set({ listLoading: false, listError: loadErrorMessage(error) })
    }
  })

  // Appends pages until `linesWanted` are loaded; after a change, starts again from the first line.
  const syncLines = coalesced(async () => {
    const id = get().selectedId
    if (!id) return
    const want = get().linesWanted
    const lines = get().linesStale ? [] : [...get().lines]
    let total = get().linesTotal
    set({ linesLoading: true, linesStale: false })
    const pagesMax = Math.ceil(want / LINES_PAGE) + 1
    try {
      for (let page = 0; page < pagesMax && lines.length < want; page++) {
        const r = await invoke('recon.lines', { statementId: id, offset: lines.length, limit: Math.min(LINES_PAGE, want - lines.length) })
        if (get().selectedId !== id) return
        total = r.total
        lines.push(...r.lines)
        if (r.lines.length === 0 || lines.length >= total) break
      }
      set({ lines, linesTotal: total, linesLoading: false, linesError: null, linesLoadedAt: new Date() })
    } catch (error) {
      if (get().selectedId !== id) return
      set({ linesLoading: false, linesError: loadErrorMessage(error) })
    }
  })

  return {
    statements: [],
    accounts: [],
    listLoaded: false,
    listLoading: false,
    listError: null,
    listLoadedAt: null,
    selectedId: null,
    lines: [],
    linesTotal: 0,
    linesWanted: LINES_PAGE,
    linesStale: false,
    linesLoading: false,
    linesError: null,
    linesLoadedAt: null,
    ledgerAccounts: [],
    assets: [],
    mappings: [],
    choicesError: null,

    refreshList: loadList,
    open(id) {
      if (get().selectedId === id) return
      set({ selectedId: id, lines: [], linesTotal: 0, linesWanted: LINES_PAGE, linesStale: true, linesError: null, linesLoadedAt: null })
      void syncLines()
    },
    close() {
      set({ selectedId: null, lines: [], linesTotal: 0, linesError: null, linesLoadedAt: null })
      void loadList()
    },
    refreshLines() {
      set({ linesStale: true })
      return syncLines()
    },
    loadMoreLines() {
      const { lines, linesTotal, linesWanted, linesLoading } = get()
      if (linesLoading || lines.length >= linesTotal || lines.length < linesWanted) return Promise.resolve()
      set({ linesWanted: linesWanted + LINES_PAGE })
      return syncLines()
    },
    async loadChoices() {
      try {
        const [ledgerAccounts, assets, { mappings }] = await Promise.all([
          invoke('ledger.accounts.list', {}),
          invoke('assets.list', {}),
          invoke('recon.mappings', {}),
        ])
        set({
          ledgerAccounts,
          assets,
          mappings: mappings.map((m) => ({ name: m.name, updatedAt: m.updatedAt, mapping: m.mapping })),
          choicesError: null,
        })
      } catch (error) {
        set({ choicesError: loadErrorMessage(error) })
      }
    },
  }
})

/** The ledger accounts a statement in `currency` may be linked to: those whose asset has that code. */
export function ledgerAccountsFor(currency: string, ledgerAccounts: Account[], assets: Asset[]): (Account & { asset: Asset })[] {
  const byId = new Map(assets.map((a) => [a.id, a]))
  const code = currency.toUpperCase()
  const out: (Account & { asset: Asset })[] = []
  for (const account of ledgerAccounts) {
    const asset = byId.get(account.assetId)
    if (asset && asset.code.toUpperCase() === code) out.push({ ...account, asset })
  }
  return out
}
