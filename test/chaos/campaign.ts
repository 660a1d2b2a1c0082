/**
 * The seeded fault campaign (issue 18). A run is a function of its seed: a fresh world
 * (world.ts), a workload per path (paths/), and a fault schedule, all drawn from Rng(seed). The run
 * goes through phases; each phase is one child process running the core (child.ts) under that
 * phase's faults — a SIGKILL at a seeded database call, a device that is locked / on the wrong
 * app / rejects / is unplugged after n signatures, Stripe and Horizon answers dropped after commit,
 * 5xx, 429, slow, a Stellar transaction that never lands until its time bound passed, and between
 * phases Anvil forgetting pending transactions and reorgs shallower and deeper than the
 * confirmation depth. Then clean phases (the person fixed the device, the network recovered) until
 * quiet, one more payout per rail and asset, and the oracle.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hex } from 'viem'
import type { CoreContext } from '../../src/main/core/context'
import { openWorkspace } from '../execute/executeKit'
import { reorg } from '../harness/evm/control'
import { DEVICE_FAULT_KINDS, type ChildConfig, type ChildEvent, type DeviceFault, type FileFault, type NetKill } from './childConfig'
import { PATHS } from './paths/parent'
import type { Findings } from './paths/types'
import { Rng } from './prng'
import { stageTimer, type StageTimer } from './stageTimer'
import { ALL_RAILS, rpc, startRun, type Campaign, type RailName, type RunWorld } from './world'

const childSource = fileURLToPath(new URL('./child.ts', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
let childBundle: Promise<string> | null = null

/**
 * The child bundled once per campaign process (esbuild, under out/ so what stays external resolves
 * from the repo's node_modules): a phase's process starts in ~1 s instead of ~8 s of tsx. The
 * packages are bundled too (tree-shaken, whitespace dropped; names kept for stack traces): loading
 * viem, zod, kysely and stellar-base from node_modules file by file took half of a child's start-up
 * CPU. Native modules and pg (optional native parts) stay external.
 */
function childScript(): Promise<string> {
  childBundle ??= (async () => {
    const { build } = await import('esbuild')
    const outfile = path.join(repoRoot, 'out', 'chaos', `child-${process.pid}.mjs`)
    await build({
      entryPoints: [childSource],
      bundle: true,
      platform: 'node',
      format: 'esm',
      external: ['better-sqlite3', 'pg', 'pg-native'],
      // Bundled CommonJS packages (stellar-base) require node's own modules.
      banner: {
        js: "import { createRequire as __chaosCreateRequire } from 'node:module'; const require = __chaosCreateRequire(import.meta.url);",
      },
      minifyWhitespace: true,
      minifySyntax: true,
      outfile,
      logLevel: 'warning',
    })
    process.once('exit', () => fs.rmSync(outfile, { force: true }))
    return outfile
  })()
  return childBundle
}
export const BREAK_ENV = 'COUNTERSIGN_TEST_BREAK'
const CONFIRMATIONS_MIN = 2
/**
 * A child that has not finished by then is stopped and the run fails: an engine that hangs is a
 * finding. A phase of the escrow path sweeps up to 12 rounds with its people acting in each, which
 * on a loaded machine is minutes; on a machine loaded far past its cores a healthy child can take
 * longer still: raise it with COUNTERSIGN_CHAOS_CHILD_TIMEOUT_MS rather than read such a failure as
 * the product's.
 */
const CHILD_TIMEOUT_MS = Number(process.env.COUNTERSIGN_CHAOS_CHILD_TIMEOUT_MS ?? 300_000)

export interface RunOptions {
  rails?: readonly RailName[]
  paths?: readonly string[]
  /** Test-only engine break passed to every child (BREAK_ENV). */
  breakMode?: string
  /** At most this many faulty phases (default 4). */
  faultyPhasesMax?: number
  /**
   * SIGKILLs at the k-th HTTP exchange too (NetKill), besides the k-th database call: default on.
   * Off (`--kills db`) replays the seeds kept before network kills existed as they were found.
   */
  netKills?: boolean
  /** The database the children's workspace is on: the runs' own switch is COUNTERSIGN_TEST_DB (cli.ts); this names it in the report and the replay line. */
  backend?: 'sqlite' | 'postgres'
}

/** An error the core answered with no stable code: each one is a finding for the error catalogue, so the report names a few. */
export const UNCODED_PER_RUN_MAX = 5

export interface RunResult {
  seed: string
  ok: boolean
  ms: number
  rails: RailName[]
  paths: string[]
  phases: number
  /** Faults that actually fired, by kind. */
  faults: Record<string, number>
  /** Error codes the core answered with during the run (expected ones included), by code. */
  errors: Record<string, number>
  /**
   * Why the local world broke during the run (the node lost its deployed contracts, …), or null: such
   * a run says nothing about the product — not ok, and run again on a fresh world (runCampaign.ts).
   */
  invalid: string | null
  /** Earlier attempts at this seed whose world broke (why, each), before this run. */
  worldBroke: string[]
  /** Errors with no code, "step: message" (at most UNCODED_PER_RUN_MAX). */
  uncoded: string[]
  /** Database calls of each phase that ran to its end (what a seeded kill point is drawn against). */
  dbCalls: number[]
  /** HTTP exchanges with the rails of each phase that ran to its end (what a network kill is drawn against). */
  requests: number[]
  /** Where the run's wall time went: ms per stage (stageTimer.ts; "#…" are counts). */
  msPerStage: Record<string, number>
  findings: Findings
}

export function replayCommand(seed: string, opts: RunOptions): string {
  const parts =
    opts.backend === 'postgres'
      ? ['npx tsx scripts/postgres-cluster.ts run -- npm run chaos --', '--backend postgres', '--runs 1', `--seed ${seed}`]
      : ['npm run chaos --', '--runs 1', `--seed ${seed}`]
  if (opts.rails) parts.push(`--rails ${opts.rails.join(',')}`)
  if (opts.paths) parts.push(`--paths ${opts.paths.join(',')}`)
  if (opts.breakMode) parts.push(`--break ${opts.breakMode}`)
  if (opts.netKills === false) parts.push('--kills db')
  return parts.join(' ')
}

/** The local world broke — not the product: the run proves nothing either way. */
export class WorldFault extends Error {}

/**
 * The campaign's contracts are still on the chain. Once in ~450 runs on one long-lived Anvil (1.7.1),
 * after an anvil_reorg the chain had lost their code (seed 620.46: every later phase was refused
 * with CONTRACT_MISMATCH — the engine rightly signs nothing for a contract that is not the audited
 * one — and the oracle could not read the token); the same seed replayed clean.
 */
async function assertContractsDeployed(run: RunWorld, after: string): Promise<void> {
  const { h } = run.evm
  const contracts = [
    ['batch', h.batch],
    ['escrow', h.escrow],
    ['token', h.testUsd],
  ] as const
  for (const [name, address] of contracts) {
    const code = await h.clients.publicClient.getCode({ address })
    if (code === undefined || code === '0x')
      throw new WorldFault(`the node lost the ${name} contract's code after ${after} (Anvil's state, not the product's)`)
  }
}

/** One run. `seed` is the run's own seed (the campaign derives one per run from its seed). */
export async function runOne(campaign: Campaign, seed: string, opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now()
  const rng = new Rng(`run:${seed}`)
  const worldRng = rng.fork('world')
  const faultRng = rng.fork('faults')
  // Own streams, so the draws added for them change nothing in the runs drawn before them.
  const fileRng = rng.fork('fileFaults')
  const netRng = rng.fork('netKills')
  const rails = opts.rails ?? ALL_RAILS
  const paths = opts.paths ?? ['payouts']
  const faults: Record<string, number> = {}
  const errors: Record<string, number> = {}
  const uncoded: string[] = []
  const dbCalls: number[] = []
  const requests: number[] = []
  const fire = (kind: string, n = 1) => void (n > 0 && (faults[kind] = (faults[kind] ?? 0) + n))
  const t = stageTimer()
  // The first phase's child loads while the world is reset and the workload written (a failure to
  // bundle or start one is the first phase's to report).
  startSpareChildren().catch(() => {})
  const { run, ctx } = await startRun(campaign, worldRng, rails, `s${seed}`, t)
  const eventsFile = path.join(run.dir, 'chaos-events.jsonl')
  let phases = 0
  let findings: Findings = { duplicates: [], lost: [], stuck: [], other: [], checked: {} }
  let invalid: string | null = null
  try {
    if (rails.includes('evm')) await assertContractsDeployed(run, "the revert to the campaign's snapshot")
    const workloads = new Map<string, unknown>()
    await t.time('setup', async () => {
      for (const name of paths) workloads.set(name, await PATHS[name]!.setup(ctx, run, worldRng.fork(name)))
      await ctx.db.close()
    })

    const evmChunk = worldRng.int(1, 4)
    const stellarOps = worldRng.int(1, 3)
    const phaseRngs = new Map(paths.map((name) => [name, worldRng.fork(`${name}:phases`)]))
    const childConfig = (
      phase: number,
      killAtDbCall: number | null,
      device: DeviceFault | null,
      fileFault: FileFault | null = null,
      netKill: NetKill | null = null,
      quiet = false,
    ): ChildConfig => ({
      dataDir: run.dir,
      eventsFile,
      phase,
      rails: [...rails],
      paths: [...paths],
      evm: {
        chainId: run.evm.anvil.chainId,
        rpcUrl: run.evm.anvil.rpcUrl,
        batchContract: run.evm.h.batch,
        escrowContract: run.evm.h.escrow,
        confirmationsMin: CONFIRMATIONS_MIN,
        maxFeePerGasCap: (500n * 10n ** 9n).toString(),
        treasury: run.evm.treasury,
        payoutsPerChunkMax: evmChunk,
      },
      stellar: {
        horizonUrl: run.stellar.url,
        networkPassphrase: run.stellar.networkPassphrase,
        maxFeePerOpStroops: '1000',
        opsPerTxMax: stellarOps,
      },
      stripe: { host: run.stripe.host, port: run.stripe.port, secretKey: run.stripe.secretKey },
      killAtDbCall,
      netKill,
      device,
      fileFault,
      roundsMax: 12,
      quiet,
    })
    const runChild = async (config: ChildConfig, stage: string): Promise<'killed' | 'done'> => {
      phases++
      const r = await t.time(stage, () => spawnChild(config, opts.breakMode))
      if (r.signal === 'SIGKILL' && (config.killAtDbCall !== null || config.netKill !== null || config.fileFault?.kind === 'torn'))
        return 'killed'
      if (r.timedOut)
        throw new Error(
          `child of phase ${config.phase} did not finish within ${CHILD_TIMEOUT_MS / 1000} s and was stopped — a hang, or a machine loaded past its cores (COUNTERSIGN_CHAOS_CHILD_TIMEOUT_MS): ${r.stderr.slice(-1500)}`,
        )
      if (r.code !== 0) throw new Error(`child of phase ${config.phase} ended ${r.signal ?? r.code}: ${r.stderr.slice(-1500)}`)
      return 'done'
    }

    // Faulty phases.
    const faulty = faultRng.int(1, opts.faultyPhasesMax ?? 4)
    let expiring = false
    for (let phase = 0; phase < faulty; phase++) {
      // The first phase makes ~100–1,500 database calls (planning, signing, sending); later ones
      // (resume + sweeps) ~20–200: k is drawn over each so that most kills land mid-work.
      const killAt = faultRng.chance(0.8) ? faultRng.int(1, phase === 0 ? 900 : 150) : null
      const deviceRails = rails.filter((r) => r !== 'stripe')
      const device: DeviceFault | null =
        deviceRails.length > 0 && faultRng.chance(0.3)
          ? {
              kind: faultRng.pick(DEVICE_FAULT_KINDS),
              app: faultRng.pick(deviceRails) === 'evm' ? 'ethereum' : 'stellar',
              afterSignatures: faultRng.int(0, 2),
            }
          : null
      if (expiring) {
        // The network recovers; time has passed beyond the transaction's bound.
        run.stellar.faults.clear()
        await t.time('faults', () => run.stellar.advanceClock(400))
        expiring = false
      }
      // A disk fault on a file the person saves (receipts): torn by a kill mid-write, or a full disk.
      const fileFault: FileFault | null = fileRng.chance(0.4)
        ? { kind: fileRng.pick(['torn', 'full'] as const), atWrite: fileRng.int(1, 12) }
        : null
      // A kill while the core waits on a rail: the k-th HTTP exchange (a phase makes ~5–80).
      const netKill: NetKill | null =
        opts.netKills !== false && netRng.chance(0.5)
          ? { atRequest: netRng.int(1, phase === 0 ? 40 : 15), when: netRng.pick(['sent', 'answered'] as const) }
          : null
      scheduleRailFaults(run, faultRng, () => (expiring = true))
      const ended = await runChild(childConfig(phase, killAt, device, fileFault, netKill), 'phase.faulty')
      // A torn file write ends in a SIGKILL too (counted as file.torn, not as a kill); a network
      // kill as sigkill.net.<sent|answered>; the rest at the k-th database call as sigkill.
      if (ended === 'killed') {
        const how = killedHow(eventsFile, phase)
        if (how === 'net.sent' || how === 'net.answered') fire(`sigkill.${how}`)
        else if (how !== 'torn') fire('sigkill')
      }
      if (!expiring) run.stellar.faults.clear()
      run.stripe.faults.clear()
      if (rails.includes('evm')) await t.time('faults', () => evmFaults(run, faultRng, fire))
      for (const name of paths) {
        const fired = await t.time('faults', async () => PATHS[name]!.afterPhase?.(run, phaseRngs.get(name)!, workloads.get(name)))
        for (const [kind, n] of Object.entries(fired ?? {})) fire(kind, n)
      }
    }
    run.stellar.faults.clear()
    if (expiring) {
      await run.stellar.advanceClock(400)
    }

    // Clean phases until quiet: the device works, the networks answer, nobody pulls the plug.
    const quiet = async () => {
      for (let i = 0; i < 4; i++) {
        await runChild(childConfig(phases, null, null, null, null, true), 'phase.clean')
        if (await t.time('quietCheck', () => isQuiet(run, paths, workloads))) return
      }
    }
    await quiet()
    await t.time('followUp', async () => {
      const ctx2 = await openWorkspace(run.dir)
      for (const name of paths) {
        const p = PATHS[name]!
        if (p.followUp) await p.followUp(ctx2, run, worldRng.fork(`${name}:after`), workloads.get(name))
      }
      await ctx2.db.close()
    })
    await quiet()

    const oracleStarted = performance.now()
    const ctx3 = await openWorkspace(run.dir)
    // Fired, not scheduled: transactions the core declared expired after the clock passed their bound.
    const expired = await ctx3.db.all(ctx3.db.k.selectFrom('submissions').select('id').where('failure_code', '=', 'STELLAR_EXPIRED'))
    fire('stellar.expired', expired.length)
    for (const name of paths) mergeFindings(findings, await PATHS[name]!.oracle(ctx3, run, workloads.get(name)))
    for (const name of paths) for (const [kind, n] of Object.entries(PATHS[name]!.fired?.(workloads.get(name)) ?? {})) fire(kind, n)
    await ctx3.db.close()
    t.add('oracle', performance.now() - oracleStarted)
  } catch (error) {
    if (error instanceof WorldFault) invalid = error.message
    else findings = { ...findings, other: [...findings.other, `run error: ${error instanceof Error ? error.message : String(error)}`] }
  } finally {
    for (const r of run.stripe.requests()) if (r.fault) fire(`stripe.${r.fault}`)
    const st = run.stellar.faults.fired()
    fire('stellar.dropAfterApply', st.dropResponseAfterApply)
    fire('stellar.5xx', st.fail504)
    for (const e of readEvents(eventsFile)) {
      if (e.kind === 'error') errors[e.code ?? 'UNCODED'] = (errors[e.code ?? 'UNCODED'] ?? 0) + 1
      if (e.kind === 'error' && (e.code ?? 'UNCODED') === 'UNCODED' && uncoded.length < UNCODED_PER_RUN_MAX)
        uncoded.push(`${e.step ?? '?'}: ${e.message ?? ''}`)
      if (e.kind === 'device') fire(`device.${e.code}`, e.n ?? 1)
      if (e.kind === 'file') fire(`file.${e.code}`)
      if (e.kind === 'done') dbCalls.push(e.n ?? 0)
      if (e.kind === 'done') requests.push(e.requests ?? 0)
      if (e.kind === 'timing') for (const [k, v] of Object.entries(e.stages ?? {})) t.add(k, v)
    }
    await t.time('world.stop', () => run.stop())
  }
  const ok = invalid === null && findings.duplicates.length + findings.lost.length + findings.stuck.length + findings.other.length === 0
  if (ok) fs.rmSync(run.dir, { recursive: true, force: true })
  const ms = Date.now() - started
  t.add('other', ms - timedTotal(t))
  return {
    seed,
    ok,
    ms,
    rails: [...rails],
    paths: [...paths],
    phases,
    faults,
    errors,
    invalid,
    worldBroke: [],
    uncoded,
    dbCalls,
    requests,
    msPerStage: { ...t.ms },
    findings,
  }
}

/** The parent's own stages (the children's "child.…" stages are parts of phase.faulty / phase.clean). */
function timedTotal(t: StageTimer): number {
  return Object.entries(t.ms)
    .filter(([k]) => !k.startsWith('child.') && !k.startsWith('#'))
    .reduce((s, [, v]) => s + v, 0)
}

function scheduleRailFaults(run: RunWorld, rng: Rng, expire: () => void): void {
  if (run.rails.includes('stripe')) {
    // Every request that moves money: transfers, and bank payouts when the stripe-bank path runs.
    const match = { method: 'POST' }
    if (rng.chance(0.35)) run.stripe.faults.dropAfterCommit(rng.int(1, 2), match)
    if (rng.chance(0.3)) run.stripe.faults.error500(rng.int(1, 3), match)
    if (rng.chance(0.3)) run.stripe.faults.rateLimit429(rng.int(1, 3))
    if (rng.chance(0.2)) run.stripe.faults.slow(rng.int(20, 300), rng.int(1, 2))
  }
  if (run.rails.includes('stellar')) {
    if (rng.chance(0.12)) {
      run.stellar.faults.fail504(100_000)
      expire()
    } else {
      if (rng.chance(0.35)) run.stellar.faults.dropResponseAfterApply(rng.int(1, 2))
      if (rng.chance(0.3)) run.stellar.faults.fail504(rng.int(1, 3), { applied: rng.chance(0.5) })
    }
  }
}

async function evmFaults(run: RunWorld, rng: Rng, fire: (kind: string, n?: number) => void): Promise<void> {
  const url = run.evm.anvil.rpcUrl
  if (rng.chance(0.4)) {
    const pool = (await rpc(url, 'txpool_content', [])) as { pending: Record<string, Record<string, { hash: Hex }>> }
    for (const byNonce of Object.values(pool.pending))
      for (const tx of Object.values(byNonce)) {
        await rpc(url, 'anvil_dropTransaction', [tx.hash])
        fire('evm.mempoolDrop')
      }
  }
  if (rng.chance(0.35)) {
    const deep = rng.chance(0.5)
    const depth = deep ? rng.int(CONFIRMATIONS_MIN + 1, CONFIRMATIONS_MIN + 3) : rng.int(1, CONFIRMATIONS_MIN)
    const head = Number(await run.evm.h.clients.publicClient.getBlockNumber())
    // Only blocks of this run: the deploy and the mint stay.
    if (head - depth >= run.baseHead) {
      const removed = await txCount(run, head - depth + 1, head)
      await reorg(run.evm.anvil, depth)
      fire(deep ? 'evm.reorgDeep' : 'evm.reorgShallow')
      fire('evm.reorgTxsRemoved', removed)
      await assertContractsDeployed(run, `a reorg of depth ${depth}`)
    }
  }
}

async function txCount(run: RunWorld, from: number, to: number): Promise<number> {
  let n = 0
  for (let b = from; b <= to; b++) n += (await run.evm.h.clients.publicClient.getBlockTransactionCount({ blockNumber: BigInt(b) })) ?? 0
  return n
}

async function isQuiet(run: RunWorld, paths: readonly string[], workloads: ReadonlyMap<string, unknown>): Promise<boolean> {
  const ctx: CoreContext = await openWorkspace(run.dir)
  try {
    const open = await ctx.db.all(ctx.db.k.selectFrom('submissions').select('id').where('state', 'in', ['planned', 'signed', 'broadcast']))
    const busy = await ctx.db.all(
      ctx.db.k.selectFrom('batches').select('id').where('state', 'in', ['approved', 'executing', 'failed', 'partially_failed']),
    )
    if (open.length > 0 || busy.length > 0) return false
    for (const name of paths) if (await PATHS[name]!.busy?.(ctx, workloads.get(name))) return false
    return true
  } finally {
    await ctx.db.close()
  }
}

interface StartedChild {
  child: ChildProcess
  stderr(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Children started ahead: while a phase runs, the next phases' processes are already started and
 * have loaded their modules, waiting for their config on stdin. Only the start-up moves: each is a
 * new process for its phase all the same (nothing of the workspace is opened before its config
 * arrives; a broken engine's BREAK_ENV comes with it). Two, because a phase can end sooner than
 * a process starts (a kill at the 5th database call, a phase with nothing to do).
 * COUNTERSIGN_CHAOS_SPARE_CHILDREN=0 starts each child when its phase begins.
 */
const SPARES = Number(process.env.COUNTERSIGN_CHAOS_SPARE_CHILDREN ?? 2)
let spares: StartedChild[] = []

function startChild(script: string): StartedChild {
  const env = { ...process.env }
  delete env[BREAK_ENV]
  // COUNTERSIGN_CHAOS_CHILD_NODE_ARGS: node flags for the children (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where a phase's time goes).
  const nodeArgs = process.env.COUNTERSIGN_CHAOS_CHILD_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? []
  const child = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)))
  // A spare the campaign never used must not keep the parent alive.
  child.unref()
  ;(child.stderr as unknown as { unref?: () => void }).unref?.()
  ;(child.stdin as unknown as { unref?: () => void }).unref?.()
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve({ code, signal }))
  })
  exited.catch(() => {}) // a spare that failed to start is seen when it is taken
  return { child, stderr: () => stderr, exited }
}

/** Stops the children started ahead (the campaign's end). */
export function stopSpareChild(): void {
  for (const s of spares) s.child.kill('SIGKILL')
  spares = []
}
process.once('exit', stopSpareChild)

/**
 * Bundles the child and tops the spares up to SPARES. A campaign calls it before it starts its
 * world, so both happen while Anvil starts; a failure is the first phase's to report.
 */
export async function startSpareChildren(): Promise<void> {
  const script = await childScript()
  spares = spares.filter((s) => s.child.exitCode === null && s.child.signalCode === null)
  while (spares.length < SPARES) spares.push(startChild(script))
}

async function spawnChild(
  config: ChildConfig,
  breakMode?: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean }> {
  const script = await childScript()
  spares = spares.filter((s) => s.child.exitCode === null && s.child.signalCode === null)
  const started = spares.shift() ?? startChild(script)
  const { child } = started
  child.ref()
  ;(child.stderr as unknown as { ref?: () => void }).ref?.()
  child.stdin!.on('error', () => {}) // a child that died before reading: its exit says why
  child.stdin!.end(`${JSON.stringify({ config, sentAt: Date.now(), breakMode: breakMode ?? null })}\n`)
  await startSpareChildren()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGTERM')
  }, CHILD_TIMEOUT_MS)
  try {
    const { code, signal } = await started.exited
    return { code, signal, stderr: started.stderr(), timedOut }
  } finally {
    clearTimeout(timer)
  }
}

function readEvents(file: string): (ChildEvent & { phase: number })[] {
  if (!fs.existsSync(file)) return []
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as ChildEvent & { phase: number }]
      } catch {
        return [] // a line cut by the SIGKILL
      }
    })
}

/** What killed the child of `phase`: a torn file write, a network kill (its event), else the database-call kill. */
function killedHow(file: string, phase: number): 'torn' | 'net.sent' | 'net.answered' | 'db' {
  for (const e of readEvents(file)) {
    if (e.phase !== phase) continue
    if (e.kind === 'file' && e.code === 'torn') return 'torn'
    if (e.kind === 'netKill') return e.code === 'sent' ? 'net.sent' : 'net.answered'
  }
  return 'db'
}

/** Two paths' oracles may both check what the run shares (open submissions, the audit chain): each finding counts once. */
function mergeFindings(into: Findings, f: Findings): void {
  const add = (list: string[], items: string[]) => list.push(...items.filter((x) => !list.includes(x)))
  add(into.duplicates, f.duplicates)
  add(into.lost, f.lost)
  add(into.stuck, f.stuck)
  add(into.other, f.other)
  for (const [k, v] of Object.entries(f.checked)) into.checked[k as RailName] = (into.checked[k as RailName] ?? 0) + v
}
