import type { CountersignBridge } from '../../shared/api'

declare global {
  interface Window {
    /** Set by the Electron preload, or by lib/webBridge.ts in browser mode. */
    countersign?: CountersignBridge
  }
}

export {}
