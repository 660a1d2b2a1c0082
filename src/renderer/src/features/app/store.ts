/** What this window is connected to: app.info, and (browser mode) the WebSocket's state. */
import { create } from 'zustand'
import type { CallOutput } from '../../../../shared/api'
import { errorMessage, invoke } from '../../lib/api'
import type { ConnectionStatus } from '../../lib/webBridge'

export type AppInfo = CallOutput<'app.info'>

interface AppState {
  info: AppInfo | null
  error: string | null
  /** null in Electron (IPC has no connection to lose). */
  connection: ConnectionStatus | null
  load(): Promise<void>
  setConnection(status: ConnectionStatus): void
}

export const useApp = create<AppState>((set) => ({
  info: null,
  error: null,
  connection: null,
  async load() {
    try {
      set({ info: await invoke('app.info', {}), error: null })
    } catch (error) {
      set({ error: errorMessage(error) })
    }
  },
  setConnection(connection) {
    set({ connection })
  },
}))

export function modeLabel(info: AppInfo | null): string {
  if (!info) return '—'
  const base = info.transport === 'web' ? 'Browser mode' : info.transport === 'electron' ? 'Desktop app' : 'Direct'
  return info.sandbox ? `${base} · sandbox` : base
}
