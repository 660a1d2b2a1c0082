/**
 * Notifications: every error a person meets is shown with its sentence. Errors stay until
 * dismissed (they may need acting on); confirmations fade.
 */
import { create } from 'zustand'
import { errorCode, errorItems, errorMessage, isSessionEnded } from '../../lib/api'

export type NoticeKind = 'error' | 'success' | 'info'
export interface Notice {
  id: number
  kind: NoticeKind
  title: string
  message: string
  code: string | null
  /** Lines listed under the sentence, from the error's details (pre-flight problems, refused rows). */
  items?: string[]
}

/** Notices on screen at once; the oldest go first. */
const NOTICES_MAX = 5
/** How long a confirmation stays. */
const SUCCESS_VISIBLE_MS = 5_000

interface NotifyState {
  notices: Notice[]
  push(notice: Omit<Notice, 'id'>): number
  dismiss(id: number): void
  /** Every notice goes (the desk locked: what they said is not for the next person). */
  clear(): void
}

let nextId = 1

export const useNotify = create<NotifyState>((set, get) => ({
  notices: [],
  push(notice) {
    const id = nextId++
    set({ notices: [...get().notices, { ...notice, id }].slice(-NOTICES_MAX) })
    if (notice.kind !== 'error') setTimeout(() => get().dismiss(id), SUCCESS_VISIBLE_MS)
    return id
  },
  dismiss(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) })
  },
  clear() {
    set({ notices: [] })
  },
}))

export function notifyError(title: string, error: unknown): void {
  // The window went back to the picker, which says why; a notice would outlive the session.
  if (isSessionEnded(error)) return
  console.error(`countersign: ${title}`, error)
  const items = errorItems(error)
  useNotify
    .getState()
    .push({ kind: 'error', title, message: errorMessage(error), code: errorCode(error), ...(items.length > 0 ? { items } : {}) })
}

export function notifySuccess(title: string, message: string): void {
  useNotify.getState().push({ kind: 'success', title, message, code: null })
}
