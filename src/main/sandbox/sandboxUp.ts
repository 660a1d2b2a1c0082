/**
 * `sandbox up`: open (or create) a sandbox workspace, seed it idempotently, start the local
 * services and the poller, and describe what is running. The caller decides how long it runs
 * and calls `stop()` (the CLI on SIGINT/SIGTERM, the demo on Ctrl-C, tests when done).
 */
import type { Account, Asset, Operator } from '../../shared/api'
import type { Clock } from '../core/context'
import { createCore, type Core, type CoreConfig } from '../core/core'
import { log } from '../core/log'
import { markSandboxWorkspace } from './markSandboxWorkspace'
import { seedSandbox } from './seedSandbox'
import { defaultSandboxServices, type SandboxService, type SandboxServiceInfo } from './services'

export interface SandboxUpParameters {
  dataDir: string
  /** Defaults to defaultSandboxServices(). */
  services?: SandboxService[]
  clock?: Clock
  pollIntervalMs?: number
  /** How this core is reached ('web' when the demo serves it to a browser). Default 'direct'. */
  transport?: CoreConfig['transport']
}

/** The one JSON object `sandbox up --json` prints. */
export interface SandboxDescription {
  dataDir: string
  sandbox: true
  operators: Operator[]
  assets: Asset[]
  accounts: Account[]
  /** Seeded journal entries: posted now, or replayed because an earlier run posted them. */
  entries: { posted: string[]; replayed: string[] }
  services: Record<string, SandboxServiceInfo>
}

export interface Sandbox {
  readonly core: Core
  readonly description: SandboxDescription
  /** Stop services (in reverse), the poller and the core. Safe to call more than once. */
  stop(): Promise<void>
}

export type SandboxUpReturnType = Sandbox

export async function sandboxUp(params: SandboxUpParameters): Promise<Sandbox> {
  const core = await createCore({
    dataDir: params.dataDir,
    sandbox: true,
    transport: params.transport ?? 'direct',
    ...(params.clock ? { clock: params.clock } : {}),
    ...(params.pollIntervalMs !== undefined ? { pollIntervalMs: params.pollIntervalMs } : {}),
  })
  const started: SandboxService[] = []
  const stopAll = async (): Promise<void> => {
    for (const service of started.splice(0).reverse()) {
      try {
        await service.stop()
      } catch (error) {
        log('warn', 'sandbox service did not stop cleanly', { service: service.name, error })
      }
    }
    await core.close()
  }
  try {
    markSandboxWorkspace(core.ctx, params.dataDir)
    const seed = await seedSandbox(core)
    const services: Record<string, SandboxServiceInfo> = {}
    for (const service of params.services ?? defaultSandboxServices()) {
      started.push(service)
      services[service.name] = await service.start({ core, dataDir: params.dataDir, seed })
    }
    core.poller.start()
    const description: SandboxDescription = { dataDir: params.dataDir, sandbox: true, ...seed, services }
    let stopping: Promise<void> | null = null
    return {
      core,
      description,
      stop: () => (stopping ??= stopAll()),
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}
