/**
 * Composition root: createCore(config) -> { api, poller, close }. Runs unchanged in the Electron
 * main process, browser mode, the CLI and tests; never imports 'electron'.
 */
import { APP_VERSION } from '../../shared/version'
import { createApi, type CoreApi } from './api/createApi'
import { createHandlers, type HandlerEnv } from './api/handlers'
import { createEscrowRails } from './rails/createEscrowRails'
import { readSandboxClockOffset, shiftableClock } from './sandboxClock'
import type { LiveEscrowRails } from './rails/EscrowRail'
import { CoreEvents, systemClock, type Clock, type CoreContext } from './context'
import { DATABASE_PASSWORD_SECRET, openDb, readWorkspaceFile } from './db/openDb'
import type { EventName } from '../../shared/api'
import os from 'node:os'
import { expireHolds, seedDefaultAssets } from './ledger'
import { sealExistingRows } from './audit/sealExistingRows'
import { createPoller, type Poller, type PollerTask } from './poller/createPoller'
import { createExecutionRuntime, type ExecutionRuntime } from './payouts/execute/createExecutionRuntime'
import { createSweepGate } from './payouts/execute/sweepGate'
import type { ExecuteDeps } from './payouts/execute/executeDeps'
import { createEvmConfirmTask, createStellarConfirmTask, createStripeConfirmTask } from './poller/tasks/evmConfirm'
import { createStellarPaymentsTask } from './poller/tasks/stellarPayments'
import { createLiveRails, hasRails, type LiveRails } from './rails/createLiveRails'
import type { RailsConfig } from './rails/evm'
import { getRailsSetting, railsConfigFromSetting } from './rails/getRailsSetting'
import { SANDBOX_META_KEY } from './api/handlers'
import { resolveSignerProvider, type SignerProvider } from './signing/signerSource'
import { log } from './log'
import type { LedgerTypedDataSigner } from './operators/approvalSigning'
import { readIdleLockMinutes } from './operators/operatorHandlers'
import { SessionStore } from './operators/sessions'
import path from 'node:path'
import {
  createEnvSecretStore,
  createFileSecretStore,
  createMemorySecretStore,
  PLAINTEXT_CIPHER,
  SECRETS_FILE_NAME,
  type SecretStore,
} from './secrets/SecretStore'
import type { StripeRetryPolicy } from './rails/stripe/postStripeWithRetry'
import { createStripeService, type StripeService } from './stripe/stripeService'
import { createStripeSyncTask } from './poller/tasks/stripeSync'
import { createReconPullTask } from './poller/tasks/reconPull'
import { createBalanceChecksTask } from './poller/tasks/balanceChecks'
import { createIssueReceiptsTask } from './poller/tasks/issueReceipts'
import { createSandboxBlocksTask } from './poller/tasks/sandboxBlocks'
import { hasErrorCode, isErrorCode } from '../../shared/errors'
import { ensureDailyBackup } from './db/backups/ensureDailyBackup'

export interface CoreConfig {
  /** Folder of the workspace (countersign.sqlite lives there), or ':memory:' for tests. */
  dataDir: string
  clock?: Clock
  /** better_sqlite3.node built for Electron's ABI, when running inside Electron. */
  sqliteNativeBinding?: string
  sandbox?: boolean
  transport?: HandlerEnv['transport']
  pollIntervalMs?: number
  /**
   * The rails payouts execute on: { evm: { chains: [{ chainId, rpcUrl, batchContract, … }] } }.
   * Default: the workspace's own configuration (settings key 'rails', settings.rails.set).
   */
  rails?: RailsConfig
  /**
   * Where signatures come from: a Signer, a SignerSource, or a function choosing one for the
   * workspace (the CLI, browser mode and the app pass platform/ledger's workspaceSignerSource:
   * the device emulator in a sandbox, the Ledger over USB otherwise). None: nothing can be
   * executed (SIGNER_UNAVAILABLE), but submissions are still confirmed.
   */
  signer?: SignerProvider
  /**
   * Hear changes other desktops make to a team database (PostgreSQL LISTEN) and emit them as this
   * core's events, so every open view updates (default false: the CLI's short commands need none).
   */
  liveUpdates?: boolean
  /** Run the resume pass at start when a signer is configured (default true; the CLI's short commands say false). */
  resumeOnStart?: boolean
  /**
   * Where API secrets (the Stripe key) live: a SecretStore, or a function choosing one for the
   * workspace (undefined: the default). Default: a sandbox workspace keeps its harness key in a
   * plain file in its own folder; any other workspace reads the environment (CLI, CI).
   */
  secrets?: SecretStore | ((workspace: { sandbox: boolean; dataDir: string }) => SecretStore | undefined)
  /**
   * Take the daily backup of a single-desk workspace when it is due, at start and from the poller
   * (default true; `countersign backup` says false: it writes its own).
   */
  dailyBackup?: boolean
  /** Stripe retry policy (tests make it instant). */
  stripeRetry?: StripeRetryPolicy
}

export interface Core {
  readonly ctx: CoreContext
  readonly api: CoreApi
  readonly events: CoreEvents
  readonly poller: Poller
  /** The configured rails (the execution engine and the evm.confirm task use these); settings.rails.set swaps them. */
  readonly rails: LiveRails
  /** The escrow side of the rails (escrow contract, claimable balances, transfer_group); follows `rails`. */
  readonly escrowRails: LiveEscrowRails
  /** Where the Stripe key is kept (Settings → Stripe writes here). */
  readonly secrets: SecretStore
  /** Stripe client, Events sync and its status. */
  readonly stripe: StripeService
  /** Rails, signer and the one execution lane of this core. */
  readonly execution: ExecutionRuntime
  /** What the execution engine needs: the rails and the signer if one is reachable now. */
  executionDeps(): Promise<ExecuteDeps>
  /**
   * The start-up resume pass (re-send signed / broadcast submissions with their same bytes, sign
   * planned ones), started in the background when a signer is configured. Never rejects.
   */
  readonly resumed: Promise<void>
  close(): Promise<void>
}

export async function createCore(config: CoreConfig): Promise<Core> {
  // A team workspace names its database in workspace.json; its password is a secret of the
  // workspace's SecretStore (a sandbox keeps its own in a file in its folder).
  const workspace = readWorkspaceFile(config.dataDir)
  const db = await openDb({
    dataDir: config.dataDir,
    ...(config.sqliteNativeBinding ? { nativeBinding: config.sqliteNativeBinding } : {}),
    // The workspace's SecretStore first; then the environment (COUNTERSIGN_SECRET_DATABASE_PASSWORD),
    // so a desktop whose store has no password yet can still be started on the team database.
    databasePassword: async (w) =>
      (await resolveSecretStore(config, config.sandbox === true || w.sandbox === true).get(DATABASE_PASSWORD_SECRET)) ??
      (await createEnvSecretStore().get(DATABASE_PASSWORD_SECRET)),
    applicationName: `countersign ${APP_VERSION} on ${os.hostname()}`.slice(0, 63),
  })
  const events = new CoreEvents()
  const baseClock = config.clock ?? systemClock
  const clock = shiftableClock(baseClock)
  const ctx: CoreContext = { db, clock, events }
  // Before seeding: a brand-new workspace has nothing to back up yet.
  if (config.dailyBackup !== false) await dailyBackup(ctx, config)
  await seedDefaultAssets(ctx)
  // Books written before row seals existed are sealed once, in one audit row (migration 0009).
  await sealExistingRows(ctx)
  const sandbox =
    config.sandbox === true ||
    workspace?.sandbox === true ||
    (await ctx.db.first(ctx.db.k.selectFrom('meta').select('key').where('key', '=', SANDBOX_META_KEY))) !== undefined
  if (sandbox) clock.offsetMs = await readSandboxClockOffset(ctx)
  // Every core tells the others on its workspace what it changed (the CLI beside the app); only
  // those that show views listen.
  const stopRelaying = relayChanges(db, events, { listen: config.liveUpdates === true })
  const secrets = resolveSecretStore(config, sandbox)
  const rails = createLiveRails(config.rails ?? railsConfigFromSetting((await getRailsSetting(ctx)).rails), {
    secrets,
    sandbox,
    ...(config.stripeRetry ? { stripeRetry: config.stripeRetry } : {}),
  })
  const signerSource = resolveSignerProvider(config.signer, { sandbox })
  const execution = createExecutionRuntime(rails, signerSource)
  const escrowRails = createEscrowRails(rails, clock)
  // The escrow reorg watch's own "once per new block" gate (the payout confirm tasks hold theirs).
  const escrowGate = createSweepGate()
  const stripe = createStripeService(rails, config.stripeRetry)
  // Sessions are memory only: who is unlocked on which window, connection or command.
  const idleLock = { minutes: await readIdleLockMinutes(ctx) }
  const sessions = new SessionStore(baseClock, () => idleLock.minutes)
  const ledgerTypedData: LedgerTypedDataSigner | null = signerSource
    ? async ({ path: keyPath, address, typedData }) => {
        const signer = await signerSource.get()
        const sig = await signer.signEvmTypedData({ path: keyPath, expectedAddress: address as `0x${string}`, typedData })
        return `0x${sig.r.slice(2).padStart(64, '0')}${sig.s.slice(2).padStart(64, '0')}${(27 + sig.yParity).toString(16)}`
      }
    : null
  const ledgerAddress = signerSource
    ? async (keyPath: string) => {
        const signer = await signerSource.get()
        const account = await signer.getAccount('evm', keyPath)
        // The person compares the address on the device with the one the app shows, and confirms.
        return (await signer.verifyAddress({ chain: 'evm', path: keyPath, expectedAddress: account.address })).address
      }
    : null
  const api = createApi(
    ctx,
    createHandlers({
      version: APP_VERSION,
      dataDir: config.dataDir,
      sandbox: config.sandbox ?? false,
      transport: config.transport ?? 'direct',
      execution,
      escrowRails,
      stripe,
      operators: {
        idleLock,
        ledgerAddress,
        // A rails change a second admin approved takes effect at once, as one applied directly does.
        onApplied: async (change) => {
          if (change.kind === 'settings.rails') execution.rails.replace(railsConfigFromSetting((await getRailsSetting(ctx)).rails))
        },
      },
      ...(config.sqliteNativeBinding ? { sqliteNativeBinding: config.sqliteNativeBinding } : {}),
    }),
    { sessions, ledgerTypedData },
  )
  // Always present: the rails may be configured later (settings.rails.set); no chain, no work.
  const tasks: PollerTask[] = [
    {
      name: 'holds.expire',
      run: async (c) => {
        await expireHolds(c)
      },
    },
    // A sandbox's own chain moves on only when asked: past the reorg window for the receipts waiting (sandboxBlocks.ts).
    ...(sandbox ? [createSandboxBlocksTask(rails)] : []),
    createEvmConfirmTask(rails),
    createStellarConfirmTask(rails),
    createStellarPaymentsTask(rails, (network) => rails.config.stellar?.networks.find((n) => n.network === network)?.horizonUrl),
    createStripeConfirmTask(rails),
    createStripeSyncTask(stripe),
    createReconPullTask(rails, sandbox),
    createBalanceChecksTask(rails),
    // A sandbox's clock may have been moved forward by another process (`countersign sandbox clock`).
    ...(sandbox
      ? [
          {
            name: 'sandbox.clock',
            run: async (c: CoreContext) => {
              clock.offsetMs = await readSandboxClockOffset(c)
            },
          },
        ]
      : []),
    // Escrow: watch open escrows (releases taken on the rail, Stripe auto-release, expiry), then confirm and book its transactions.
    {
      name: 'escrow.observe',
      run: async (c) => {
        // Imported at the first sweep (as the escrow tasks' modules reach the rails' libraries).
        const { observeEscrows } = await import('./escrow/observeEscrows')
        await observeEscrows(c, await escrowRails.load())
      },
    },
    {
      name: 'escrow.confirm',
      run: async (c) => {
        const { sweepEscrowTxs } = await import('./escrow/sweepEscrowTxs')
        await sweepEscrowTxs(c, await escrowRails.load(), escrowGate)
      },
    },
    // Receipts for what the tasks above made final (payouts, Stripe reversals, escrow outcomes).
    createIssueReceiptsTask(() => secrets, rails),
    // A single-desk workspace backs itself up once a day, also in an app left open for weeks.
    ...(config.dailyBackup !== false ? [{ name: 'backups.daily', run: (c: CoreContext) => dailyBackup(c, config) }] : []),
  ]
  const poller = createPoller(ctx, tasks, config.pollIntervalMs !== undefined ? { intervalMs: config.pollIntervalMs } : {})
  // Never blocks start-up: a node that is down must not keep the app from opening.
  const resumed: Promise<void> =
    config.resumeOnStart !== false && signerSource && hasRails(rails.config)
      ? resumeInBackground(ctx, events, execution)
      : Promise.resolve()
  let closed = false
  return {
    ctx,
    api,
    events,
    poller,
    rails,
    escrowRails,
    secrets,
    stripe,
    execution,
    executionDeps: () => execution.deps(),
    resumed,
    async close() {
      if (closed) return
      closed = true
      const relayed = stopRelaying()
      await poller.stop()
      await resumed
      await execution.close()
      await relayed
      await db.close()
    },
  }
}

/**
 * What this core's events say goes to the other processes on the workspace (db.announce: NOTIFY
 * to the other desks on PostgreSQL, the file's change feed on SQLite — the CLI or the sandbox
 * beside the app), and — when `listen` — what theirs say is emitted here, so a view updates when
 * another desk or process changes the books. An event heard from elsewhere is not announced again.
 */
function relayChanges(db: CoreContext['db'], events: CoreEvents, options: { listen: boolean }): () => Promise<void> {
  let relaying = 0
  /** Announcements on their way: closing waits for them, so none meets a closed database. */
  const inFlight = new Set<Promise<void>>()
  const unsubscribe = events.subscribe((event, payload) => {
    if (relaying > 0) return
    const announced = db
      .announce({ event, payload })
      .catch((error: unknown) => log('warn', 'announcing a change to other processes failed', { error, event }))
      .finally(() => inFlight.delete(announced))
    inFlight.add(announced)
  })
  const unlisten = options.listen
    ? db.onRemoteChange((change) => {
        relaying++
        try {
          events.emit(change.event as EventName, change.payload as never)
        } finally {
          relaying--
        }
      })
    : () => {}
  return async () => {
    unsubscribe()
    unlisten()
    await Promise.all([...inFlight])
  }
}

/** The daily backup of a single-desk workspace, if due. A failed backup is logged; it never stops the books. */
async function dailyBackup(ctx: CoreContext, config: CoreConfig): Promise<void> {
  try {
    const taken = await ensureDailyBackup(ctx, {
      dataDir: config.dataDir,
      ...(config.sqliteNativeBinding ? { nativeBinding: config.sqliteNativeBinding } : {}),
    })
    if (taken) log('info', 'daily backup written', { name: taken.name, bytes: taken.bytes, auditSeq: taken.auditHead?.seq })
  } catch (error) {
    log('warn', 'the daily backup failed; the next start or poll tries again', { error })
  }
}

function resolveSecretStore(config: CoreConfig, sandbox: boolean): SecretStore {
  const chosen = typeof config.secrets === 'function' ? config.secrets({ sandbox, dataDir: config.dataDir }) : config.secrets
  if (chosen) return chosen
  if (sandbox && config.dataDir !== ':memory:')
    return createFileSecretStore({ file: path.join(config.dataDir, SECRETS_FILE_NAME), cipher: PLAINTEXT_CIPHER })
  if (sandbox) return createMemorySecretStore()
  return createEnvSecretStore()
}

async function resumeInBackground(ctx: CoreContext, events: CoreEvents, execution: ExecutionRuntime): Promise<void> {
  // Let createCore return first; the pass runs in the execution lane, before any execute call.
  await Promise.resolve()
  try {
    const r = await execution.resume(ctx)
    const resent = r.sweeps.reduce((n, s) => n + s.rebroadcast, 0)
    const open = r.sweeps.reduce((n, s) => n + s.open, 0)
    const message =
      r.waitingForSigner > 0
        ? `${r.waitingForSigner} planned payout transactions wait for the Ledger — connect it to finish them.`
        : `Resumed: ${r.signing?.broadcast ?? 0} signed and sent, ${resent} re-sent with the same bytes, ${open} awaiting confirmation.`
    if (r.signing !== null || resent > 0 || r.waitingForSigner > 0) log('info', 'execution resumed', { message })
    events.emit('execution.resumed', { ok: true, code: null, message })
  } catch (error) {
    log('warn', 'resuming open submissions failed; the poller keeps confirming', { error })
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
    events.emit('execution.resumed', {
      ok: false,
      code: isErrorCode(code) ? code : 'INTERNAL',
      message: hasErrorCode(error, 'SIGNER_UNAVAILABLE')
        ? 'Open payouts could not be finished: no Ledger is connected — connect it, open the Ethereum app and restart.'
        : `Open payouts could not be finished yet (${isErrorCode(code) ? (error as Error).message : 'unexpected error'}) — the app keeps confirming them and will retry at the next start.`,
    })
  }
}
