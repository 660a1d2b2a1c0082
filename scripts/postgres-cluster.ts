/**
 * Throwaway PostgreSQL clusters for the test suite: team mode runs on PostgreSQL, so the whole
 * vitest suite runs a second time against a real server from Debian's `postgresql` package.
 *
 *   npx tsx scripts/postgres-cluster.ts start [--dir DIR] [--port N]   # prints one JSON line
 *   npx tsx scripts/postgres-cluster.ts stop --dir DIR
 *   npx tsx scripts/postgres-cluster.ts run [--dir DIR] [--port N] -- <command…>
 *
 * Why it is built this way:
 * - Our own cluster in a temp dir (initdb + pg_ctl), never the machine's default one: Debian's
 *   postinst may have started a cluster on 5432; ours listens on 127.0.0.1 only, on a free port,
 *   with its unix socket inside its own dir, so the two never meet.
 * - Durability is off (fsync, synchronous_commit, full_page_writes): the data is thrown away.
 * - initdb refuses to run as root, so as root every server binary runs as the `postgres` system
 *   user (created by the package) through `runuser`, in a dir that user owns.
 * - The superuser `postgres` is trusted on 127.0.0.1; the login role `countersign` must give its
 *   (random) password, so tests of password authentication test something real.
 * - A cluster started from code (tests, `run`) is watched by a tiny detached Node process that
 *   holds a pipe from us: if this process dies in any way, it stops the server and removes the
 *   dir. No orphaned servers (the pattern of src/main/sandbox/harness/evm/anvil.ts).
 *
 * Test code imports startPostgresCluster() / stopPostgresCluster(); the CLI at the bottom runs
 * only when this file is the entry point.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  accessSync,
  appendFileSync,
  chownSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { constants as osConstants, tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

const INSTALL_HINT = "install Debian's postgresql package: apt-get install postgresql"
/** Debian/Ubuntu put each major version's server binaries in /usr/lib/postgresql/<major>/bin. */
const PG_LIB_DIR = '/usr/lib/postgresql'
const SERVER_BINARIES = ['initdb', 'pg_ctl', 'postgres'] as const
/** The system user that owns the cluster when we run as root (initdb refuses root). */
const SYSTEM_USER = 'postgres'
const SUPERUSER = 'postgres'
/** The login role (with a password and CREATEDB) and the database it owns. */
const APP_ROLE = 'countersign'
const APP_DATABASE = 'countersign'
const PASSWORD_BYTES = 18
/** Written into the cluster dir at start; `stop` removes only a dir that holds it. */
const MARKER_FILE = 'countersign-postgres-cluster.json'
const DATA_SUBDIR = 'data'
const LOG_FILE = 'postgres.log'
const SETTINGS_FILE = 'countersign.conf'
const PG_CTL_TIMEOUT_S = 60
/** Auto-picked ports can be taken between picking and binding: retry that many times. */
const PORT_ATTEMPTS_MAX = 5
const PORT_MAX = 65_535
/** sun_path is 108 bytes with its NUL; the socket is DIR/.s.PGSQL.<port>. */
const SOCKET_PATH_CHARS_MAX = 107
const SOCKET_NAME_CHARS_MAX = '/.s.PGSQL.65535'.length
const LOG_TAIL_CHARS_MAX = 4_000
const WATCHDOG_DISMISS_TIMEOUT_MS = 5_000

/** A throwaway test server: no durability, many connections, modest memory. */
const SERVER_SETTINGS = {
  listen_addresses: '127.0.0.1',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '400',
  shared_buffers: '128MB',
  password_encryption: 'scram-sha-256',
  timezone: 'UTC',
  log_timezone: 'UTC',
} as const

const PG_HBA = `# Written by scripts/postgres-cluster.ts: a throwaway test cluster.
local all all                trust
host  all ${SUPERUSER} 127.0.0.1/32 trust
host  all all          127.0.0.1/32 scram-sha-256
`

export class PostgresClusterError extends Error {
  override name = 'PostgresClusterError'
}

export interface PostgresCluster {
  /** The superuser, trusted on 127.0.0.1: postgres://postgres@127.0.0.1:PORT/postgres */
  url: string
  dir: string
  port: number
  /** The PostgreSQL bin dir the cluster runs from. */
  bin: string
  /** The login role that must give its password (CREATEDB, owns the database `countersign`). */
  user: string
  password: string
  /** postgres://countersign:PASSWORD@127.0.0.1:PORT/countersign */
  passwordUserUrl: string
}

export interface StartPostgresClusterOptions {
  /** Where the cluster lives (created; must be absent or empty). Default: a new temp dir. */
  dir?: string
  /** Default: a free port picked by the OS. */
  port?: number
  /** Default: findPostgresBin(). */
  bin?: string
  /** Stop and remove the cluster when this process dies (default true; the `start` CLI says false). */
  watchdog?: boolean
}

/** The environment the suite reads to run on PostgreSQL (see README, "Run the tests"). */
export function clusterEnv(cluster: PostgresCluster): Record<string, string> {
  return {
    COUNTERSIGN_TEST_DB: 'postgres',
    COUNTERSIGN_TEST_PG_URL: cluster.url,
    COUNTERSIGN_TEST_PG_PASSWORD_USER_URL: cluster.passwordUserUrl,
  }
}

function hasServerBinaries(dir: string): boolean {
  return SERVER_BINARIES.every((name) => {
    try {
      accessSync(join(dir, name), fsConstants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** The bin dir: PG_BIN, else the highest /usr/lib/postgresql/<major>/bin, else initdb's dir on PATH. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PG_BIN) {
    if (hasServerBinaries(env.PG_BIN)) return resolve(env.PG_BIN)
    throw new PostgresClusterError(
      `PG_BIN=${env.PG_BIN} does not hold ${SERVER_BINARIES.join(', ')}: point it at a PostgreSQL bin dir, or unset it and ${INSTALL_HINT}.`,
    )
  }
  const majors = existsSync(PG_LIB_DIR) ? readdirSync(PG_LIB_DIR).filter((name) => /^\d+(\.\d+)?$/.test(name)) : []
  majors.sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
  for (const major of majors) {
    const dir = join(PG_LIB_DIR, major, 'bin')
    if (hasServerBinaries(dir)) return dir
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !existsSync(join(dir, 'initdb'))) continue
    // /usr/local/bin/initdb may be a symlink: the other binaries sit beside its target.
    const real = dirname(realpathSync(join(dir, 'initdb')))
    if (hasServerBinaries(real)) return real
  }
  throw new PostgresClusterError(
    `No PostgreSQL server binaries (${SERVER_BINARIES.join(', ')}) in PG_BIN, ${PG_LIB_DIR}/*/bin or on PATH — ${INSTALL_HINT}.`,
  )
}

/** findPostgresBin(), or undefined when there is none (tests skip on that). */
export function tryFindPostgresBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    return findPostgresBin(env)
  } catch {
    return undefined
  }
}

interface Owner {
  uid: number
  gid: number
}

/** As root, the `postgres` system user runs the server; otherwise we do. */
async function clusterOwner(): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const ids = await Promise.all(['-u', '-g'].map((flag) => execute(['id', flag, SYSTEM_USER], '/')))
  if (ids.some((r) => r.code !== 0)) {
    throw new PostgresClusterError(`Running as root needs the '${SYSTEM_USER}' system user to run the server — ${INSTALL_HINT}.`)
  }
  const [uid, gid] = ids.map((r) => Number(r.output.trim()))
  return { uid: uid as number, gid: gid as number }
}

interface Executed {
  code: number
  output: string
}

/** Runs argv to completion, stdout and stderr together. Never rejects: a spawn failure is code 127. */
function execute(argv: readonly string[], cwd: string): Promise<Executed> {
  return new Promise((resolveRun) => {
    // Our PG* variables (PGDATA, PGPORT, …) must not steer the cluster's tools.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^PG[A-Z]/.test(key)))
    const child = spawn(argv[0] as string, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS_MAX)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.once('error', (error) => resolveRun({ code: 127, output: `${output}${argv[0]}: ${error.message}` }))
    child.once('close', (code, signal) => resolveRun({ code: code ?? 128 + (osConstants.signals[signal as NodeJS.Signals] ?? 0), output }))
  })
}

/** A server binary's argv, as the cluster's owner. cwd is the cluster dir: root's may be unreadable to postgres. */
function asOwner(owner: Owner | undefined, bin: string, tool: string, args: readonly string[]): string[] {
  const argv = [join(bin, tool), ...args]
  return owner === undefined ? argv : ['runuser', '-u', SYSTEM_USER, '--', ...argv]
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-LOG_TAIL_CHARS_MAX)
  } catch {
    return '(no log)'
  }
}

function quoteSetting(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

function pickFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no port'))))
    })
  })
}

/** The cluster dir: a new temp dir, or `dir` (absent or empty), owned by the cluster's owner. */
function makeClusterDir(dir: string | undefined, owner: Owner | undefined, bin: string): string {
  let made: string
  if (dir === undefined) {
    made = mkdtempSync(join(tmpdir(), 'countersign-pg-'))
  } else {
    made = resolve(dir)
    if (existsSync(made) && readdirSync(made).length > 0)
      throw new PostgresClusterError(`--dir ${made} is not empty: give a new or empty dir.`)
    mkdirSync(made, { recursive: true, mode: 0o700 })
  }
  if (made.length + SOCKET_NAME_CHARS_MAX > SOCKET_PATH_CHARS_MAX) {
    rmSync(made, { recursive: true, force: true })
    throw new PostgresClusterError(`--dir ${made} is too long for a unix socket path (${SOCKET_PATH_CHARS_MAX} chars): pick a shorter one.`)
  }
  writeFileSync(join(made, MARKER_FILE), JSON.stringify({ bin, createdBy: 'scripts/postgres-cluster.ts' }) + '\n')
  if (owner !== undefined) chownSync(made, owner.uid, owner.gid)
  return made
}

/** initdb, then our pg_hba.conf and settings (the port is written by writePort). */
async function initCluster(dir: string, bin: string, owner: Owner | undefined): Promise<void> {
  const data = join(dir, DATA_SUBDIR)
  const init = await execute(
    asOwner(owner, bin, 'initdb', ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']),
    dir,
  )
  if (init.code !== 0) {
    const reach = owner === undefined ? '' : ` (as root, the '${SYSTEM_USER}' user runs initdb and must be able to reach ${dir})`
    throw new PostgresClusterError(`initdb failed${reach}:\n${init.output}`)
  }
  // Rewriting files initdb made keeps their owner and mode.
  writeFileSync(join(data, 'pg_hba.conf'), PG_HBA)
  appendFileSync(join(data, 'postgresql.conf'), `\n# scripts/postgres-cluster.ts\ninclude '${SETTINGS_FILE}'\n`)
}

function writeSettings(dir: string, port: number, owner: Owner | undefined): void {
  const settings: Record<string, string> = { ...SERVER_SETTINGS, port: String(port), unix_socket_directories: dir }
  const lines = Object.entries(settings).map(([key, value]) => `${key} = ${quoteSetting(value)}`)
  const path = join(dir, DATA_SUBDIR, SETTINGS_FILE)
  writeFileSync(path, `# A throwaway test cluster (scripts/postgres-cluster.ts).\n${lines.join('\n')}\n`)
  if (owner !== undefined) chownSync(path, owner.uid, owner.gid)
}

/** pg_ctl start -w on `port`, or on free ports until one binds (bounded) when none was asked for. */
async function startServer(dir: string, bin: string, owner: Owner | undefined, port: number | undefined): Promise<number> {
  const log = join(dir, LOG_FILE)
  for (let attempt = 1; ; attempt++) {
    const tried = port ?? (await pickFreePort())
    writeSettings(dir, tried, owner)
    if (owner !== undefined && !existsSync(log)) {
      writeFileSync(log, '')
      chownSync(log, owner.uid, owner.gid)
    }
    const args = ['-D', join(dir, DATA_SUBDIR), '-l', log, '-w', '-t', String(PG_CTL_TIMEOUT_S), 'start']
    const started = await execute(asOwner(owner, bin, 'pg_ctl', args), dir)
    if (started.code === 0) return tried
    const serverLog = tail(log)
    const portTaken = /could not bind|Address already in use/i.test(serverLog)
    if (!(portTaken && port === undefined && attempt < PORT_ATTEMPTS_MAX)) {
      throw new PostgresClusterError(`pg_ctl start failed on port ${tried}:\n${started.output}\nServer log:\n${serverLog}`)
    }
  }
}

/** The login role with a password and CREATEDB, and a database it owns. */
async function createAppRole(url: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`CREATE ROLE ${APP_ROLE} LOGIN CREATEDB PASSWORD ${client.escapeLiteral(password)}`)
    await client.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`)
  } finally {
    await client.end()
  }
}

/** Clusters of this process, with their watchdogs. */
const watchdogs = new Map<string, ChildProcess>()

// Stops the cluster and removes its dir when its stdin closes, i.e. when the process that started
// it goes away by any means. Detached (own session), so a Ctrl-C aimed at us does not reach it
// first. Plain node, no dependencies.
const WATCHDOG_SOURCE = `
const { spawnSync } = require('node:child_process')
const { rmSync } = require('node:fs')
const [dir, ...stopArgv] = process.argv.slice(1)
const cleanup = () => {
  try {
    spawnSync(stopArgv[0], stopArgv.slice(1), { cwd: '/', stdio: 'ignore' })
    rmSync(dir, { recursive: true, force: true })
  } finally {
    process.exit(0)
  }
}
process.stdin.on('end', cleanup)
process.stdin.on('error', cleanup)
process.stdin.resume()
`

function startWatchdog(dir: string, stopArgv: readonly string[]): void {
  const child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, dir, ...stopArgv], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  })
  child.stdin?.on('error', () => undefined)
  // Neither the watchdog nor our end of its pipe keeps this process alive.
  child.unref()
  ;(child.stdin as Socket | null)?.unref()
  watchdogs.set(dir, child)
}

/**
 * `immediate` when the cluster goes anyway; `fast` (a clean shutdown) when it is to start again
 * with its data: with synchronous_commit off, an immediate stop may lose the last commits.
 */
function pgCtlStopArgv(dir: string, bin: string, owner: Owner | undefined, mode: 'immediate' | 'fast' = 'immediate'): string[] {
  return asOwner(owner, bin, 'pg_ctl', ['-D', join(dir, DATA_SUBDIR), '-m', mode, '-w', '-t', String(PG_CTL_TIMEOUT_S), 'stop'])
}

/**
 * Creates, starts and prepares a throwaway cluster (see the top of this file). The caller must
 * call stopPostgresCluster(); with the watchdog on (the default), the cluster also goes when
 * this process dies.
 */
export async function startPostgresCluster(options: StartPostgresClusterOptions = {}): Promise<PostgresCluster> {
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port <= PORT_MAX)) {
    throw new PostgresClusterError(`--port ${options.port} is not a port number (1..${PORT_MAX}).`)
  }
  const bin = options.bin ?? findPostgresBin()
  const owner = await clusterOwner()
  const dir = makeClusterDir(options.dir, owner, bin)
  try {
    if (options.watchdog ?? true) startWatchdog(dir, pgCtlStopArgv(dir, bin, owner))
    await initCluster(dir, bin, owner)
    const port = await startServer(dir, bin, owner, options.port)
    const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`
    const password = randomBytes(PASSWORD_BYTES).toString('base64url')
    await createAppRole(url, password)
    const passwordUserUrl = `postgres://${APP_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/${APP_DATABASE}`
    return { url, dir, port, bin, user: APP_ROLE, password, passwordUserUrl }
  } catch (error) {
    await stopPostgresCluster({ dir, bin }).catch(() => undefined)
    throw error
  }
}

function postmasterPid(dir: string): number | undefined {
  const pidFile = join(dir, DATA_SUBDIR, 'postmaster.pid')
  if (!existsSync(pidFile)) return undefined
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function dismissWatchdog(dir: string): Promise<void> {
  const watchdog = watchdogs.get(dir)
  watchdogs.delete(dir)
  if (watchdog === undefined || watchdog.exitCode !== null || watchdog.signalCode !== null) return Promise.resolve()
  return new Promise((resolveExit) => {
    const timer = setTimeout(resolveExit, WATCHDOG_DISMISS_TIMEOUT_MS)
    watchdog.once('exit', () => {
      clearTimeout(timer)
      resolveExit()
    })
    watchdog.kill('SIGKILL')
  })
}

/**
 * Stops the server (pg_ctl stop -m immediate; SIGKILL to the postmaster if that fails) and
 * removes the dir. Refuses a dir this script did not make. Safe on a half-started or stopped cluster.
 */
export async function stopPostgresCluster(cluster: { dir: string; bin?: string }): Promise<void> {
  const dir = resolve(cluster.dir)
  // First, so it cannot act on the dir after we are done with it (a later cluster may reuse the name).
  await dismissWatchdog(dir)
  const markerPath = join(dir, MARKER_FILE)
  if (!existsSync(dir)) return
  if (!existsSync(markerPath))
    throw new PostgresClusterError(`${dir} was not made by scripts/postgres-cluster.ts (no ${MARKER_FILE}): nothing removed.`)
  const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as { bin?: string }
  const bin = cluster.bin ?? marker.bin ?? findPostgresBin()
  const pid = postmasterPid(dir)
  if (pid !== undefined) {
    const stopped = await execute(pgCtlStopArgv(dir, bin, await clusterOwner()), dir)
    if (stopped.code !== 0 && isAlive(pid)) process.kill(pid, 'SIGKILL')
  }
  rmSync(dir, { recursive: true, force: true })
}

/**
 * Stops the server and keeps the cluster, so a test can watch a desk lose its team database and
 * (startPostgresServer) get it back on the same port. stopPostgresCluster still removes it all.
 */
export async function stopPostgresServer(cluster: Pick<PostgresCluster, 'dir' | 'bin'>): Promise<void> {
  const stopped = await execute(pgCtlStopArgv(cluster.dir, cluster.bin, await clusterOwner(), 'fast'), cluster.dir)
  if (stopped.code !== 0) throw new PostgresClusterError(`pg_ctl stop failed:\n${stopped.output}`)
}

/** Starts a cluster's server again after stopPostgresServer, on the port it had. */
export async function startPostgresServer(cluster: Pick<PostgresCluster, 'dir' | 'bin' | 'port'>): Promise<void> {
  await startServer(cluster.dir, cluster.bin, await clusterOwner(), cluster.port)
}

// ------------------------------------------------------------------------------------------------
// CLI

const USAGE = `Usage:
  tsx scripts/postgres-cluster.ts start [--dir DIR] [--port N]    start a cluster; prints one JSON line
  tsx scripts/postgres-cluster.ts stop --dir DIR                  stop it and remove DIR
  tsx scripts/postgres-cluster.ts run [--dir DIR] [--port N] -- <command…>
      start a cluster, run the command with COUNTERSIGN_TEST_DB=postgres, COUNTERSIGN_TEST_PG_URL and
      COUNTERSIGN_TEST_PG_PASSWORD_USER_URL, stop the cluster, exit with the command's code
`

interface CliOptions {
  dir?: string
  port?: number
}

function parseOptions(args: readonly string[]): CliOptions {
  const options: CliOptions = {}
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]]
    if (value === undefined) throw new PostgresClusterError(`${flag} needs a value.\n${USAGE}`)
    if (flag === '--dir') options.dir = value
    else if (flag === '--port') options.port = Number(value)
    else throw new PostgresClusterError(`Unknown option ${flag}.\n${USAGE}`)
  }
  return options
}

function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (osConstants.signals[signal] ?? 0)
}

/** `run`: the command's exit code (128 + n when it or we were stopped by signal n). */
async function runWithCluster(command: readonly string[], options: CliOptions): Promise<number> {
  let child: ChildProcess | undefined
  let interrupted: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted ??= signal
    child?.kill(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const cluster = await startPostgresCluster(options)
  try {
    if (interrupted !== undefined) return signalExitCode(interrupted)
    const running = spawn(command[0] as string, command.slice(1), { stdio: 'inherit', env: { ...process.env, ...clusterEnv(cluster) } })
    child = running
    return await new Promise<number>((resolveExit) => {
      running.once('error', (error) => {
        process.stderr.write(`postgres-cluster run: cannot start ${command[0]}: ${error.message}\n`)
        resolveExit(127)
      })
      running.once('exit', (code, signal) => resolveExit(code ?? signalExitCode(signal ?? 'SIGTERM')))
    })
  } finally {
    await stopPostgresCluster(cluster)
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [verb, ...rest] = argv
  if (verb === 'start') {
    const cluster = await startPostgresCluster({ ...parseOptions(rest), watchdog: false })
    const { url, dir, port, bin, user, password, passwordUserUrl } = cluster
    process.stdout.write(JSON.stringify({ url, dir, port, bin, user, password, passwordUserUrl }) + '\n')
    return 0
  }
  if (verb === 'stop') {
    const { dir } = parseOptions(rest)
    if (dir === undefined) throw new PostgresClusterError(`stop needs --dir DIR.\n${USAGE}`)
    await stopPostgresCluster({ dir })
    return 0
  }
  if (verb === 'run') {
    const separator = rest.indexOf('--')
    const command = separator < 0 ? [] : rest.slice(separator + 1)
    if (command.length === 0) throw new PostgresClusterError(`run needs a command after --.\n${USAGE}`)
    return runWithCluster(command, parseOptions(rest.slice(0, separator)))
  }
  process.stderr.write(USAGE)
  return verb === undefined || verb === '--help' || verb === '-h' ? 0 : 2
}

const entry = process.argv[1]
if (entry !== undefined && existsSync(entry) && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`postgres-cluster: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exit(1)
    },
  )
}
