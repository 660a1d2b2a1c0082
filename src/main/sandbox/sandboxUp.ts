/**
 * `sandbox up`: bring up the local chains the core is configured with (services' `prepare`), open
 * (or create) a sandbox workspace with them and the device emulator as its signer, seed it
 * idempotently, start the services and the poller, and describe what is running. The caller decides how long it runs
 * and calls `stop()` (the CLI on SIGINT/SIGTERM, the demo on Ctrl-C, tests when done).
 */
import type { Account, Asset } from '../../shared/ledgerApi'
import type { Operator } from '../../shared/workspaceApi'
import type { Clock } from '../core/context'
import { createCore, type Core, type CoreConfig } from '../core/core'
import type { RailsConfig } from '../core/rails/evm'
import { createSandboxSignerSource } from '../core/signing/signerSource'
import { log } from '../core/log'
import path from 'node:path'
import { createFileSecretStore, PLAINTEXT_CIPHER, SECRETS_FILE_NAME } from '../core/secrets/SecretStore'
import { markSandboxWorkspace } from './markSandboxWorkspace'
import { demoPassphrase } from './sandboxPlan'
import { seedSandbox, type SandboxSeed } from './seedSandbox'
import type { SignerSource } from '../core/signing/signerSource'
import { defaultSandboxServices, type SandboxService, type SandboxServiceInfo } from './services'

export interface SandboxUpParameters {
  dataDir: string
  /** Defaults to defaultSandboxServices(). */
  services?: SandboxService[]
  /** TESTS: the sandbox's signer (an emulator the test scripts: faults, a rejecting user). Default: the sandbox emulator. */
  signer?: SignerSource
  clock?: Clock
  pollIntervalMs?: number
  /** How this core is reached ('web' when the demo serves it to a browser). Default 'direct'. */
  transport?: CoreConfig['transport']
  /**
   * Keep the sandbox's books in this team database (postgres://user@host:port/db, no password)
   * instead of a file in dataDir; the password, if the server wants one, is kept in the sandbox's
   * own secrets file.
   */
  database?: { url: string; password: string | null }
}

/** The one JSON object `sandbox up --json` prints. */
export interface SandboxDescription {
  dataDir: string
  sandbox: true
  /** Each with its documented demo passphrase (COUNTERSIGN_PASSPHRASE for `--as` that operator). */
  operators: (Operator & { demoPassphrase: string })[]
  assets: Asset[]
  accounts: Account[]
  /** Seeded journal entries: posted now, or replayed because an earlier run posted them. */
  entries: { posted: string[]; replayed: string[] }
  services: Record<string, SandboxServiceInfo>
  /** Where the books are: 'sqlite' (a file in dataDir) or 'postgres' (host:port/database). */
  database: { backend: 'sqlite' | 'postgres'; location: string }
}

export interface Sandbox {
  readonly core: Core
  readonly description: SandboxDescription
  /** Stop services (in reverse), the poller and the core. Safe to call more than once. */
  stop(): Promise<void>
}

export type SandboxUpReturnType = Sandbox

export async function sandboxUp(params: SandboxUpParameters): Promise<Sandbox> {
  const services = params.services ?? defaultSandboxServices()
  const started: SandboxService[] = []
  let core: Core | null = null
  const stopAll = async (): Promise<void> => {
    // The core first: its poller and any execution stop talking to the local chains before they go.
    await core?.close()
    for (const service of started.splice(0).reverse()) {
      try {
        await service.stop()
      } catch (error) {
        log('warn', 'sandbox service did not stop cleanly', { service: service.name, error })
      }
    }
  }
  try {
    // Services that configure the core (a local chain and its contracts) come up before it.
    let rails: RailsConfig = {}
    for (const service of services) {
      if (!service.prepare) continue
      started.push(service)
      const contributed = await service.prepare({ dataDir: params.dataDir })
      if (contributed.rails?.evm) rails = { ...rails, evm: { chains: [...(rails.evm?.chains ?? []), ...contributed.rails.evm.chains] } }
      if (contributed.rails?.stellar)
        rails = { ...rails, stellar: { networks: [...(rails.stellar?.networks ?? []), ...contributed.rails.stellar.networks] } }
      if (contributed.rails?.stripe) rails = { ...rails, stripe: contributed.rails.stripe }
    }
    if (params.database) await nameSandboxDatabase(params.dataDir, params.database)
    core = await createCore({
      dataDir: params.dataDir,
      sandbox: true,
      liveUpdates: true,
      transport: params.transport ?? 'direct',
      rails,
      // SANDBOX ONLY: the device emulator signs for the sandbox treasury.
      signer: params.signer ?? createSandboxSignerSource(),
      ...(params.clock ? { clock: params.clock } : {}),
      ...(params.pollIntervalMs !== undefined ? { pollIntervalMs: params.pollIntervalMs } : {}),
    })
    await markSandboxWorkspace(core.ctx, params.dataDir)
    const seed = await seedSandbox(core)
    const info: Record<string, SandboxServiceInfo> = {}
    for (const service of services) {
      if (!started.includes(service)) started.push(service)
      info[service.name] = await service.start({ core, dataDir: params.dataDir, seed })
    }
    await verifySandboxTreasuries(core, seed)
    core.poller.start()
    const description: SandboxDescription = {
      dataDir: params.dataDir,
      sandbox: true,
      ...seed,
      // Demo credentials a script needs to act as each operator (sandbox only).
      operators: seed.operators.map((o) => ({ ...o, demoPassphrase: demoPassphrase(o.name) })),
      services: info,
      database: { backend: core.ctx.db.backend, location: core.ctx.db.location },
    }
    let stopping: Promise<void> | null = null
    const running = core
    return {
      core: running,
      description,
      stop: () => (stopping ??= stopAll()),
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}

/**
 * `sandbox up --database`: the folder names the team database (workspace.json, marked sandbox so
 * its secrets live in the folder's plain secrets file, like the harness keys).
 */
async function nameSandboxDatabase(dataDir: string, database: { url: string; password: string | null }): Promise<void> {
  const { nameTeamDatabase } = await import('../core/db/nameTeamDatabase')
  const { DATABASE_PASSWORD_SECRET } = await import('../core/db/openDb')
  nameTeamDatabase(dataDir, database.url, { sandbox: true })
  if (database.password !== null) {
    const secrets = createFileSecretStore({ file: path.join(dataDir, SECRETS_FILE_NAME), cipher: PLAINTEXT_CIPHER })
    await secrets.set(DATABASE_PASSWORD_SECRET, database.password)
  }
}

/**
 * The sandbox treasuries are verified on the (emulated) device the way a person does it in
 * Settings → Signers: shown on the device, approved there, recorded and audited — as the sandbox
 * signer, once (a second run finds them verified).
 */
async function verifySandboxTreasuries(core: Core, seed: SandboxSeed): Promise<void> {
  const signer = seed.operators.find((o) => o.roles.includes('signer'))
  if (!signer) return
  const status = await core.api.call('signers.status', {})
  for (const t of status.treasuries) {
    if (t.verified) continue
    await core.api.call('signers.verify', { chain: t.chain, path: t.path, address: t.address }, { operatorId: signer.id })
  }
}
