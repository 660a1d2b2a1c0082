/**
 * Preload (sandboxed, CommonJS): exposes window.countersign = { invoke, on } and nothing else.
 * The channel names come from the contract; everything the page sends is validated in main.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../shared/ipcChannels'
import { createBridge } from './createBridge'

contextBridge.exposeInMainWorld('countersign', createBridge(ipcRenderer, { invoke: IPC_INVOKE_CHANNEL, event: IPC_EVENT_CHANNEL }))
