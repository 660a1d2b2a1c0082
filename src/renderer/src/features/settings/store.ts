/** Settings data not held elsewhere: the assets registry. Operators live in the session store. */
import { create } from 'zustand'
import type { Asset } from '../../../../shared/ledgerApi'
import { invoke, loadErrorMessage } from '../../lib/api'

interface SettingsState {
  assets: Asset[]
  loaded: boolean
  error: string | null
  loadAssets(): Promise<void>
}

export const useSettings = create<SettingsState>((set) => ({
  assets: [],
  loaded: false,
  error: null,
  async loadAssets() {
    try {
      set({ assets: await invoke('assets.list', {}), loaded: true, error: null })
    } catch (error) {
      set({ error: loadErrorMessage(error) })
    }
  },
}))
