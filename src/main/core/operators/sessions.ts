/**
 * Who is unlocked where. A channel is one place calls come from: an Electron window, one
 * browser-mode WebSocket connection, one CLI command, or in-process code (tests, the sandbox
 * seeder). The transport names the channel; the caller never does, so a call cannot borrow
 * another window's session.
 *
 * A window channel holds at most one unlocked operator (unlocking another locks the first); an
 * in-process or CLI channel may hold several (a script that prepares as Alice and approves as
 * Bob must unlock both, with both passphrases). Sessions live only in memory: a restart, an
 * idle timeout (windows: a person walked away; a CLI command ends anyway), OS lock or suspend,
 * or `lock` forgets them — and the unsealed approval key with them (its bytes are overwritten).
 */
import type { Clock } from '../context'

export type ChannelKind = 'window' | 'cli' | 'direct'

export interface Channel {
  /** Unique per window / connection / process; chosen by the transport. */
  id: string
  kind: ChannelKind
}

/** The in-process channel `core.api.call` uses unless told otherwise. */
export const DIRECT_CHANNEL: Channel = { id: 'direct', kind: 'direct' }

export interface Unlocked {
  operatorId: string
  /** The ed25519 secret of the operator's approval key; null when their key is a Ledger account. */
  approvalSecret: Uint8Array | null
  unlockedAt: number
  lastUsed: number
}

export class SessionStore {
  private readonly channels = new Map<string, Map<string, Unlocked>>()
  private listeners = new Set<(channelId: string) => void>()

  constructor(
    private readonly clock: Clock,
    /** Minutes of inactivity before a session locks (a setting; read on every check). */
    private readonly idleMinutes: () => number,
  ) {}

  unlock(channel: Channel, operatorId: string, approvalSecret: Uint8Array | null): Unlocked {
    let held = this.channels.get(channel.id)
    if (!held) this.channels.set(channel.id, (held = new Map()))
    if (channel.kind === 'window') for (const id of [...held.keys()]) if (id !== operatorId) this.forget(held, id)
    const previous = held.get(operatorId)
    if (previous) wipe(previous)
    const now = this.clock.now().getTime()
    const entry: Unlocked = { operatorId, approvalSecret, unlockedAt: now, lastUsed: now }
    held.set(operatorId, entry)
    return entry
  }

  /** The operator unlocked on this channel (touching the session), or null if not / no longer. */
  get(channel: Channel, operatorId: string): Unlocked | null {
    const held = this.channels.get(channel.id)
    const entry = held?.get(operatorId)
    if (!held || !entry) return null
    const now = this.clock.now().getTime()
    if (channel.kind === 'window' && now - entry.lastUsed > this.idleMinutes() * 60_000) {
      this.forget(held, operatorId)
      this.notify(channel.id)
      return null
    }
    entry.lastUsed = now
    return entry
  }

  /** Every operator unlocked on the channel (idle ones dropped), without touching them. */
  unlocked(channel: Channel): Unlocked[] {
    const held = this.channels.get(channel.id)
    if (!held) return []
    const now = this.clock.now().getTime()
    let dropped = false
    for (const [id, entry] of [...held]) {
      if (channel.kind === 'window' && now - entry.lastUsed > this.idleMinutes() * 60_000) {
        this.forget(held, id)
        dropped = true
      }
    }
    if (dropped) this.notify(channel.id)
    return [...held.values()]
  }

  locksAt(entry: Unlocked): Date {
    return new Date(entry.lastUsed + this.idleMinutes() * 60_000)
  }

  lock(channel: Channel): void {
    const held = this.channels.get(channel.id)
    if (!held) return
    for (const id of [...held.keys()]) this.forget(held, id)
    this.channels.delete(channel.id)
    this.notify(channel.id)
  }

  /** OS lock, suspend, or a deactivated operator: every session (of one operator) ends now. */
  lockAll(operatorId?: string): void {
    for (const [channelId, held] of this.channels) {
      for (const id of [...held.keys()]) {
        if (operatorId === undefined || id === operatorId) {
          this.forget(held, id)
          this.notify(channelId)
        }
      }
    }
  }

  /** Told when a channel's session ends on its own (idle, lockAll) so the window can show the picker. */
  onLocked(listener: (channelId: string) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private forget(held: Map<string, Unlocked>, operatorId: string): void {
    const entry = held.get(operatorId)
    if (entry) wipe(entry)
    held.delete(operatorId)
  }

  private notify(channelId: string): void {
    for (const l of this.listeners) {
      try {
        l(channelId)
      } catch {
        // A closed window must not break locking.
      }
    }
  }
}

function wipe(entry: Unlocked): void {
  entry.approvalSecret?.fill(0)
  entry.approvalSecret = null
}
