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
  // A window whose session ended on its own is told, so it shows the operator picker.
  const stopLocked = core.api.sessions.onLocked((channelId) => {
    for (const w of BrowserWindow.getAllWindows()) {
      if (w.isDestroyed() || channelId !== `ipc:${w.webContents.id}`) continue
      const frame = w.webContents.mainFrame
      if (isAppPage(frame.url)) frame.send(IPC_EVENT_CHANNEL, { event: 'session.locked', payload: {} })
    }
  })
  return () => {
    stopLocked()
    unsubscribe()
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL)
  }
}
