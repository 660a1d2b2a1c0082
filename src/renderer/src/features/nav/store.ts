/** Which view is on screen. In memory: the URL fragment is reserved for the browser-mode token. */
import { create } from 'zustand'

export const VIEWS = ['dashboard', 'payouts', 'payees', 'stripe', 'escrow', 'reconciliation', 'receipts', 'audit', 'settings'] as const
export type ViewId = (typeof VIEWS)[number]

interface NavState {
  view: ViewId
  /** Bumped by the "i" shortcut: the Payouts view opens its import panel when it changes. */
  importRequests: number
  go(view: ViewId): void
  requestImport(): void
}

export const useNav = create<NavState>((set) => ({
  view: 'dashboard',
  importRequests: 0,
  go(view) {
    set({ view })
  },
  requestImport() {
    set((s) => ({ view: 'payouts', importRequests: s.importRequests + 1 }))
  },
}))
