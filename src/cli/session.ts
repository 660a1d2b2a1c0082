/**
 * One command's hold on a workspace: resolves the data folder, opens the core (the same core as
 * the app, through the contract only), and closes it again whatever happens.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { calls, type CallInput, type CallMeta, type CallName, type CallOutput } from '../shared/api'
import { CsError } from '../shared/errors'
import type { Core } from '../main/core/core'
import { resolveDataDir } from '../main/core/dataDir'
import { createOut, OPERATOR_ENV, type CliIo, type GlobalOptions, type Out } from './io'
import type { Channel } from '../main/core/operators/sessions'
import { readPassphrase } from './passphrase'

let cliSessions = 0

/** Where the CLI's log lines go when --debug is not given (relative to the data folder). */
export const CLI_LOG_FILE = path.join('logs', 'cli.log')

export interface RunState {
  exitCode: number
}

export interface Session {
  readonly io: CliIo
  readonly out: Out
  readonly dataDir: string
  /** Did the workspace database exist before this command opened it? */
  readonly existed: boolean
  readonly core: Core
  /** The operator chosen with --as or COUNTERSIGN_OPERATOR, if any. */
  readonly operator: string | undefined
  /** This command's channel (its own session in the core). */
  readonly channel: Channel
  /** Unlock the --as operator now (mutating calls do it themselves). */
  unlock(): Promise<void>
  /**
   * Call the contract. Mutations unlock the --as operator (passphrase) and carry them; reads
   * carry none, so a stale --as never blocks a read.
   */
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>
}

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>()
}

export function operatorOf(globals: GlobalOptions, io: CliIo): string | undefined {
  const chosen = globals.as ?? io.env[OPERATOR_ENV]
  return chosen !== undefined && chosen.trim() !== '' ? chosen.trim() : undefined
}

export function dataDirOf(globals: GlobalOptions, io: CliIo): string {
  return resolveDataDir(globals.dataDir, io.env)
}

/**
 * Route the core's log. With --debug it goes to stderr in full (stacks included); otherwise to
 * a file in the workspace, so an INTERNAL error can be reported "with the log" without ever
 * printing a stack at the user.
 */
export async function routeLog(io: CliIo, dataDir: string, debug: boolean): Promise<void> {
  const { setLogSink } = await import('../main/core/log')
  if (debug) {
    setLogSink((line) => io.stderr.write(line + '\n'), 'debug')
    return
  }
  const file = path.join(dataDir, CLI_LOG_FILE)
  setLogSink((line) => {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.appendFileSync(file, line + '\n')
    } catch {
      // Logging must never turn a working command into a failing one.
    }
  })
}

export interface OpenOptions {
  /** 'create' for init; every other command refuses to conjure a workspace out of a typo. */
  mode: 'existing' | 'create'
  /**
   * The command signs (batches execute / retry): open the core with the workspace's signer — the
   * device emulator in a sandbox workspace, the Ledger over USB otherwise (loaded only then).
   */
  signer?: boolean
  /** Skip the daily backup at open (`backup` writes its own). */
  noDailyBackup?: boolean
}

export async function withSession(
  io: CliIo,
  cmd: Command,
  options: OpenOptions,
  fn: (session: Session) => Promise<number | void>,
): Promise<number> {
  const globals = globalsOf(cmd)
  const dataDir = dataDirOf(globals, io)
  // Loaded lazily: `countersign --help` must not pay for SQLite, Kysely and the ledger.
  const [{ createCore }, { workspaceExists }] = await Promise.all([import('../main/core/core'), import('../main/core/db/openDb')])
  const existed = workspaceExists(dataDir)
  if (options.mode === 'existing' && !existed) {
    throw new CsError(
      'DATA_DIR_INVALID',
      `There is no Countersign workspace in ${dataDir} — run "countersign init --data-dir ${dataDir}" first, or point --data-dir (or COUNTERSIGN_DATA_DIR) at an existing one.`,
    )
  }
  await routeLog(io, dataDir, globals.debug === true)
  const signer =
    options.signer === true ? (await import('../main/platform/ledgerDevice/workspaceSignerSource')).workspaceSignerSource : undefined
  // Short commands never run the start-up resume pass: `poll` confirms, `batches execute` signs.
  const core = await createCore({
    dataDir,
    transport: 'direct',
    resumeOnStart: false,
    ...(signer ? { signer } : {}),
    ...(options.noDailyBackup ? { dailyBackup: false } : {}),
  })
  const operator = operatorOf(globals, io)
  const meta: CallMeta = operator !== undefined ? { operatorId: operator } : {}
  // This command's own session: the --as operator is unlocked here with their passphrase before
  // the first change, and forgotten when the command ends.
  const channel: Channel = { id: `cli:${process.pid}:${++cliSessions}`, kind: 'cli' }
  let unlocked = false
  const unlock = async (): Promise<void> => {
    if (unlocked || operator === undefined) return
    const passphrase = await readPassphrase(io, globals, `Passphrase for ${operator}: `)
    await core.api.call('operators.unlock', { operatorId: operator, passphrase }, {}, channel)
    unlocked = true
  }
  const session: Session = {
    io,
    out: createOut(io, globals.json === true),
    dataDir,
    existed,
    core,
    operator,
    channel,
    unlock,
    call: async (name, input) => {
      if (!calls[name].mutates) return await core.api.call(name, input, {}, channel)
      await unlock()
      return await core.api.call(name, input, meta, channel)
    },
  }
  try {
    return (await fn(session)) ?? 0
  } finally {
    await core.close()
  }
}
