/**
 * Binds the core to Electron IPC: one invoke channel (ipcMain.handle) and one event channel
 * (core events -> every app window). The checks live in ipcHandler.ts, which is Electron-free.
 */
import { BrowserWindow, ipcMain } from 'electron'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../shared/api'
import type { Core } from './core/core'
import { createEventForwarder, createIpcInvokeHandler } from './ipcHandler'

/** Returns a function that unbinds both channels (called on quit, before the core closes). */
export function bindCoreToIpc(core: Core, isAppPage: (url: string) => boolean): () => void {
  const handler = createIpcInvokeHandler({ api: core.api, isAppPage })
  ipcMain.handle(IPC_INVOKE_CHANNEL, (event, envelope: unknown) => handler(event, envelope))
  const forward = createEventForwarder({
    channel: IPC_EVENT_CHANNEL,
    targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
    isAppPage,
  })
  const unsubscribe = core.events.subscribe(forward)
  return () => {
    unsubscribe()
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL)
  }
}
