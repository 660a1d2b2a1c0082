/** What the campaign tells one child process (JSON on argv): plain data, bigints as strings. */
import type { RailName } from './world'

export type DeviceFaultKind = 'locked' | 'appClosed' | 'reject' | 'unplug'
export const DEVICE_FAULT_KINDS: readonly DeviceFaultKind[] = ['locked', 'appClosed', 'reject', 'unplug']

export interface DeviceFault {
  kind: DeviceFaultKind
  app: 'ethereum' | 'stellar'
  /** unplug: after this many signatures. */
  afterSignatures: number
}

/** Where the person saves files in a run's workspace folder (receipt files); the file faults hit writes there. */
export const SAVED_FILES_DIR = 'saved-files'

/**
 * A disk fault on the k-th write into SAVED_FILES_DIR: half the bytes reach the disk, then the
 * process is SIGKILLed ('torn') or the write fails with ENOSPC ('full').
 */
export interface FileFault {
  kind: 'torn' | 'full'
  atWrite: number
}

/**
 * A SIGKILL at the k-th HTTP exchange of the process with a rail (Anvil, Horizon, Stripe — fetch
 * and node:http alike): 'sent' as the request leaves, 'answered' when the answer's headers arrive
 * (the rail did the work; the process never acts on the answer). Moments a database-call kill
 * cannot reach: the core waiting on the network.
 */
export interface NetKill {
  atRequest: number
  when: 'sent' | 'answered'
}

export interface ChildConfig {
  dataDir: string
  /** The child appends one JSON line per event (it may be SIGKILLed at any moment). */
  eventsFile: string
  phase: number
  rails: RailName[]
  paths: string[]
  evm: {
    chainId: number
    rpcUrl: string
    batchContract: string
    escrowContract: string
    confirmationsMin: number
    maxFeePerGasCap: string
    treasury: string
    payoutsPerChunkMax: number
  }
  stellar: { horizonUrl: string; networkPassphrase: string; maxFeePerOpStroops: string; opsPerTxMax: number }
  stripe: { host: string; port: number; secretKey: string }
  /** SIGKILL just before the k-th database call of this process (null: no kill). */
  killAtDbCall: number | null
  /** SIGKILL at the k-th HTTP exchange (null: none); whichever kill comes first ends the process. */
  netKill: NetKill | null
  device: DeviceFault | null
  fileFault: FileFault | null
  /** Sweep rounds (one block mined and one ledger closed after each) before the child stops by itself. */
  roundsMax: number
  /**
   * A clean phase after the faulty ones (no kill, no fault, no reorg after it): the world settles,
   * and the chain may move on past the reorg window (the receipts path: EVM receipts are issued
   * only then). Absent: false.
   */
  quiet?: boolean
}

export interface ChildEvent {
  kind: 'error' | 'device' | 'file' | 'done' | 'dbCalls' | 'netKill' | 'timing'
  step?: string
  /** timing: ms per stage of the child since its last timing event (stageTimer.ts). */
  stages?: Record<string, number>
  code?: string
  message?: string
  n?: number
  /** HTTP exchanges of the process so far ('done'). */
  requests?: number
}
