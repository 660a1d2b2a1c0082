/** Which view is on screen. In memory: the URL fragment is reserved for the browser-mode token. */
import { create } from 'zustand'

export const VIEWS = ['dashboard', 'payouts', 'payees', 'stripe', 'escrow', 'reconciliation', 'receipts', 'audit', 'settings'] as const
export type ViewId = (typeof VIEWS)[number]

interface NavState {
  view: ViewId
  go(view: ViewId): void
}

export const useNav = create<NavState>((set) => ({
  view: 'dashboard',
  go(view) {
    set({ view })
  },
}))
