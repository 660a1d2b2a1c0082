/**
 * The process running the core in a chaos run: what the desktop app's main process does after a
 * start — resume what a crash interrupted, the person's clicks for this phase (execute, resume,
 * retry), then the poller's sweeps — on the run's workspace, against the campaign's harnesses.
 * The campaign SIGKILLs it from the inside at the k-th database call (killAtDbCall): a crash at a
 * moment nobody named, reproducible because the k is drawn from the seed.
 * Run: node --import tsx test/chaos/child.ts '<json ChildConfig>' — or with no argument: the
 * campaign starts the next child ahead (its modules loaded while the current phase runs) and sends
 * it `{ config, sentAt }` as one line on stdin when its phase begins (campaign.ts, spawnChild).
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Address } from 'viem'
import type { CoreContext } from '../../src/main/core/context'
import type { Db } from '../../src/main/core/db/Db'
import { observeEscrows } from '../../src/main/core/escrow/observeEscrows'
import { sweepEscrowTxs } from '../../src/main/core/escrow/sweepEscrowTxs'
import { createSweepGate } from '../../src/main/core/payouts/execute/sweepGate'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { createEvmRail } from '../../src/main/core/rails/evm'
import type { EscrowRail } from '../../src/main/core/rails/EscrowRail'
import { createEvmEscrowRail } from '../../src/main/core/rails/evm/escrow/createEvmEscrowRail'
import { createRailRegistry, type Rail } from '../../src/main/core/rails/Rail'
import { createStellarRail } from '../../src/main/core/rails/stellar/createStellarRail'
import { createStellarEscrowRail } from '../../src/main/core/rails/stellar/escrow/createStellarEscrowRail'
import { createStripeRail } from '../../src/main/core/rails/stripe/createStripeRail'
import { createStripeEscrowRail } from '../../src/main/core/rails/stripe/escrow/createStripeEscrowRail'
import { evmAccountPath, stellarAccountPath } from '../../src/main/core/signing/bip32Path'
import { createSandboxEmulators, createSandboxSigner, type SandboxEmulators } from '../../src/main/core/signing/sandboxSigner'
import { openWorkspace } from '../execute/executeKit'
import { NETWORK as STELLAR_NETWORK, TREASURY as STELLAR_TREASURY } from '../execute/stellarKit'
import { SAVED_FILES_DIR, type ChildConfig, type ChildEvent, type FileFault, type NetKill } from './childConfig'
import { TEST_BREAK_ENV } from '../../src/main/core/util/crashPoint'
import { childSteps } from './paths'
import { stageTimer } from './stageTimer'

let config!: ChildConfig
const log = (e: ChildEvent) => fs.appendFileSync(config.eventsFile, `${JSON.stringify({ phase: config.phase, ...e })}\n`)

let calls = 0
/** Counts every database call; SIGKILLs the process just before the k-th. */
function killingDb(db: Db, killAt: number | null): Db {
  const counted = new Set(['all', 'first', 'run', 'tx', 'insertRows', 'updateRows'])
  return new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (typeof prop !== 'string' || !counted.has(prop) || typeof v !== 'function') return v
      return (...args: unknown[]) => {
        calls++
        if (killAt !== null && calls === killAt) process.kill(process.pid, 'SIGKILL')
        return (v as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

/**
 * The disk fault: the k-th write into the saved-files folder (whatever writes it: fs.writeFileSync
 * or open + writeSync) gets half its bytes onto the disk, then the process is SIGKILLed ('torn')
 * or the write fails with ENOSPC ('full'), as a power cut or a full disk would leave it.
 */
function installFileFault(dir: string, fault: FileFault | null): void {
  if (!fault) return
  const root = path.resolve(dir) + path.sep
  const inside = (p: unknown) => typeof p === 'string' && path.resolve(p).startsWith(root)
  const f = fs as unknown as Record<string, (...a: unknown[]) => unknown>
  const { openSync, closeSync, writeSync, writeFileSync } = { ...f }
  const fds = new Set<unknown>()
  let writes = 0
  const half = (data: unknown): Buffer => {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data as Uint8Array)
    return b.subarray(0, Math.floor(b.length / 2))
  }
  const hit = (writeHalf: () => void): void => {
    if (++writes !== fault.atWrite) return
    writeHalf()
    log({ kind: 'file', code: fault.kind })
    if (fault.kind === 'torn') process.kill(process.pid, 'SIGKILL')
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' })
  }
  f.openSync = (p, ...rest) => {
    const fd = openSync!(p, ...rest)
    if (inside(p)) fds.add(fd)
    return fd
  }
  f.closeSync = (fd) => {
    fds.delete(fd)
    return closeSync!(fd)
  }
  f.writeSync = (fd, data, ...rest) => {
    if (fds.has(fd)) hit(() => void writeSync!(fd, half(data)))
    return writeSync!(fd, data, ...rest)
  }
  f.writeFileSync = (file, data, ...rest) => {
    if (inside(file)) hit(() => void writeFileSync!(file, half(data), ...rest))
    return writeFileSync!(file, data, ...rest)
  }
}

let requests = 0
let answers = 0
/**
 * The network kill (NetKill): counts every HTTP exchange of the process through Node's diagnostics
 * channels (undici for fetch: viem, the Stellar SDK; node:http: Stripe's client) and SIGKILLs it at
 * the k-th, as the request leaves or as its answer arrives. The event is written first (sync).
 */
function installNetKill(kill: NetKill | null): void {
  const at = (when: NetKill['when']) => () => {
    const n = when === 'sent' ? ++requests : ++answers
    if (kill === null || kill.when !== when || n !== kill.atRequest) return
    log({ kind: 'netKill', code: when, n })
    process.kill(process.pid, 'SIGKILL')
  }
  diagnosticsChannel.subscribe('undici:request:create', at('sent'))
  diagnosticsChannel.subscribe('http.client.request.start', at('sent'))
  diagnosticsChannel.subscribe('undici:request:headers', at('answered'))
  diagnosticsChannel.subscribe('http.client.response.finish', at('answered'))
}

/** Where the child's time goes (ms per stage, reported as 'timing' events: measuring only, no database call). */
const timer = stageTimer()
const timed = <T>(stage: string, f: () => Promise<T>): Promise<T> => timer.time(stage, f)
const flushTiming = () => {
  log({ kind: 'timing', stages: { ...timer.ms } })
  for (const k of Object.keys(timer.ms)) delete timer.ms[k]
}

/** The config: on argv, or (a child started ahead) one JSON line on stdin; null when stdin closes empty (the campaign ended). */
async function readConfig(): Promise<{ config: ChildConfig; sentAt: number; breakMode: string | null } | null> {
  if (process.argv[2]) return { config: JSON.parse(process.argv[2]) as ChildConfig, sentAt: performance.timeOrigin, breakMode: null }
  let text = ''
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString('utf8')
  return text.trim() === '' ? null : (JSON.parse(text) as { config: ChildConfig; sentAt: number; breakMode: string | null })
}

/**
 * What a child can do before it knows its phase (while it waits, started ahead): the two emulated
 * devices (their keys derived from the test mnemonic: PBKDF2 and BIP32) and the Ledger client
 * packages the signer loads on first use (hw-app-eth pulls in ethers). Nothing here reads the
 * workspace or a rail; the device faults are set on the emulators once the config is known.
 */
function warmUp(): SandboxEmulators {
  const emulators = createSandboxEmulators()
  const requireCjs = createRequire(import.meta.url)
  requireCjs('@ledgerhq/hw-app-eth')
  requireCjs('@ledgerhq/hw-app-str')
  return emulators
}

async function main(): Promise<void> {
  const emulators = warmUp()
  const ready = performance.timeOrigin + performance.now()
  const got = await readConfig()
  if (!got) return
  config = got.config
  // The broken engine of `--break` (read by the engine when it decides, never at load: set before any of it runs).
  if (got.breakMode) process.env[TEST_BREAK_ENV] = got.breakMode
  // What the phase waited for node's start-up and the bundle's modules (0 when it was started ahead and ready in time).
  timer.add('child.load', Math.max(0, ready - got.sentAt))
  installFileFault(path.join(config.dataDir, SAVED_FILES_DIR), config.fileFault)
  installNetKill(config.netKill ?? null)
  const base = await timed('child.open', () => openWorkspace(config.dataDir))
  // The workspace clock follows the Horizon harness's ledger clock (which the campaign moves).
  let nowMs = await stellarNow()
  const ctx: CoreContext = { ...base, db: killingDb(base.db, config.killAtDbCall), clock: { now: () => new Date(nowMs) } }

  const d = config.device
  if (d) {
    const em = d.app === 'ethereum' ? emulators.ethereum : emulators.stellar
    if (d.kind === 'locked') em.lock()
    if (d.kind === 'appClosed') em.openApp('dashboard')
    if (d.kind === 'reject') em.setUser('reject')
    if (d.kind === 'unplug') em.disconnectAfterSignatures(d.afterSignatures)
  }
  const signer = createSandboxSigner(emulators)
  const railList: Rail[] = []
  // The escrow rails of the same chains, sources and keys (the app builds both from one configuration).
  const escrowList: EscrowRail[] = []
  if (config.rails.includes('evm')) {
    const chain = {
      chainId: config.evm.chainId,
      rpcUrl: config.evm.rpcUrl,
      batchContract: config.evm.batchContract as Address,
      escrowContract: config.evm.escrowContract as Address,
      confirmationsMin: config.evm.confirmationsMin,
      maxFeePerGasCap: BigInt(config.evm.maxFeePerGasCap),
      payoutsPerChunkMax: config.evm.payoutsPerChunkMax,
      source: { address: config.evm.treasury as Address, path: evmAccountPath(0) },
    }
    railList.push(createEvmRail(chain))
    escrowList.push(createEvmEscrowRail(chain))
  }
  if (config.rails.includes('stellar')) {
    const network = {
      network: STELLAR_NETWORK,
      horizonUrl: config.stellar.horizonUrl,
      networkPassphrase: config.stellar.networkPassphrase,
      source: { address: STELLAR_TREASURY, path: stellarAccountPath(0) },
      maxFeePerOpStroops: BigInt(config.stellar.maxFeePerOpStroops),
      opsPerTxMax: config.stellar.opsPerTxMax,
    }
    railList.push(createStellarRail(network))
    escrowList.push(createStellarEscrowRail(network))
  }
  if (config.rails.includes('stripe')) {
    const stripe = {
      apiBase: { host: config.stripe.host, port: config.stripe.port, protocol: 'http' as const },
      secretKey: async () => config.stripe.secretKey,
      retry: { attemptsMax: 3, backoffMsBase: 1, backoffMsMax: 4, sleep: async () => {} },
      timeoutMs: 5_000,
    }
    railList.push(createStripeRail(stripe))
    // Stripe has no clock: deadlines are judged by the workspace's (which follows the campaign's).
    escrowList.push(createStripeEscrowRail({ ...stripe, now: () => ctx.clock.now() }))
  }
  const rails = createRailRegistry(railList)
  const escrowRails = { get: (rail: string, network: string) => escrowList.find((r) => r.rail === rail && r.network === network) }
  const deps = { rails, signer, escrowRails, dataDir: config.dataDir }

  let rejectedThrown = false
  // The person's clicks for each path (execute, resume, retry), each error recorded, none fatal.
  // A step two paths share (by name) is taken once.
  const names = new Set<string>()
  const steps = config.paths.flatMap((p) => childSteps(p)).filter((s) => !names.has(s.name) && names.add(s.name))
  /** Runs the steps taken `at` (with everyRoundOnly: only those a person takes before every round); returns what they still wait for. */
  const runSteps = async (at: 'start' | 'sweep' | 'end', everyRoundOnly = false): Promise<number> => {
    let waiting = 0
    for (const step of steps.filter((s) => (s.at ?? 'start') === at)) {
      if (everyRoundOnly && !step.everyRound) continue
      try {
        waiting += (await step.run(ctx, deps, config)) ?? 0
      } catch (error) {
        const e = error as { code?: string; message?: string }
        log({ kind: 'error', step: step.name, code: e.code ?? 'UNCODED', message: String(e.message ?? error).slice(0, 300) })
        if (e.code?.startsWith('DEVICE_')) log({ kind: 'device', code: e.code })
        if (e.code === 'DEVICE_REJECTED') rejectedThrown = true
        waiting++
      }
    }
    return waiting
  }
  flushTiming() // a child killed later still reports its start
  let waiting = await timed('child.steps', () => runSteps('start'))
  const rejected = [emulators.ethereum, emulators.stellar].flatMap((em) => em.stats.prompts.filter((p) => p.answer === 'rejected'))
  // A rejection the engine answered without throwing is still a fault that fired (counted once).
  if (rejected.length > 0 && !rejectedThrown) log({ kind: 'device', code: 'PROMPT_REJECTED', n: rejected.length })

  // The poller: sweep every rail; between rounds a block is mined and a ledger closes.
  const gate = createSweepGate()
  const escrowOn = config.paths.includes('escrow')
  for (let round = 0; round < config.roundsMax; round++) {
    if (round > 0) waiting = await timed('child.steps', () => runSteps('start', true))
    let open = waiting
    for (const rail of rails.all()) {
      try {
        open += (await timed(`child.sweep.${rail.rail}`, () => sweepRail(ctx, rail, gate))).open
      } catch (error) {
        const e = error as { code?: string; message?: string }
        log({ kind: 'error', step: `sweep:${rail.rail}`, code: e.code ?? 'UNCODED', message: String(e.message ?? error).slice(0, 300) })
        open++
      }
    }
    // The app's poller also watches escrows (taken on the rail, expired, Stripe's auto-release), then
    // confirms their transactions (only in runs with escrows: a payouts run keeps its database calls, so its kept seeds replay as they were).
    if (escrowOn)
      try {
        await timed('child.sweep.escrow', () => observeEscrows(ctx, escrowRails))
        const swept = await timed('child.sweep.escrow', () => sweepEscrowTxs(ctx, escrowRails))
        open += swept.looked - swept.settled
      } catch (error) {
        const e = error as { code?: string; message?: string }
        log({ kind: 'error', step: 'sweep:escrow', code: e.code ?? 'UNCODED', message: String(e.message ?? error).slice(0, 300) })
        open++
      }
    // The poller's other tasks of the sweep (Stripe sync, receipts), after the confirmations.
    await timed('child.pollerSteps', () => runSteps('sweep'))
    timer.add('#child.rounds', 1)
    if (open === 0 && round > 0) break
    await timed('child.mine', async () => {
      if (config.rails.includes('evm')) {
        // Block time moves as the ledger's does (5 s a round), so review windows and expiries pass on both.
        if (escrowOn) await rpcCall(config.evm.rpcUrl, 'evm_increaseTime', [5])
        await rpcCall(config.evm.rpcUrl, 'anvil_mine', ['0x1'])
      }
      if (config.rails.includes('stellar')) nowMs = await advanceStellar(5)
    })
  }
  await timed('child.endSteps', () => runSteps('end'))
  flushTiming()
  log({ kind: 'done', n: calls, requests })
  await signer.close()
  await base.db.close()
}

async function stellarNow(): Promise<number> {
  const res = await fetch(`${config.stellar.horizonUrl}/_harness/clock`)
  return Date.parse(((await res.json()) as { now: string }).now)
}

async function advanceStellar(seconds: number): Promise<number> {
  const res = await fetch(`${config.stellar.horizonUrl}/_harness/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  })
  return Date.parse(((await res.json()) as { now: string }).now)
}

async function rpcCall(url: string, method: string, params: unknown[]): Promise<void> {
  await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`chaos child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
