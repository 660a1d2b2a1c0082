/**
 * `npm run demo` (after `electron-vite build`): a seeded sandbox workspace, then the app on it.
 *
 *   tsx scripts/demo.ts [--data-dir DIR] [--port PORT] [--web]
 *
 * The sandbox (operators, assets, accounts, opening balances, Anvil with the token and batch
 * contract, the device emulator as signer) runs in this process; batches executed in the app or
 * the browser are signed by the emulator and paid on that Anvil. Then, if an Electron binary is installed, the desktop app is
 * launched on the same workspace; otherwise — or with --web — the same renderer is served in
 * browser mode and its URL printed. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DATA_DIR_ENV } from '../src/main/core/dataDir'
import { sandboxUp, type Sandbox } from '../src/main/sandbox/sandboxUp'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** Default workspace of the demo; .countersign/ is git-ignored. */
const DEMO_DATA_DIR_DEFAULT = path.join(ROOT, '.countersign', 'demo')
const RENDERER_DIR = path.join(ROOT, 'out', 'renderer')
const PORT_MAX = 65_535
/** A shutdown slower than this is abandoned (the OS reclaims the rest). */
const SHUTDOWN_TIMEOUT_MS = 10_000

interface Running {
  describe: string
  stop(): Promise<void>
  /** Resolves when the app ends by itself (the Electron window closed). */
  ended: Promise<number>
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, web: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) {
    process.stdout.write('Usage: npm run demo -- [--data-dir DIR] [--port PORT] [--web]\n')
    return 0
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > PORT_MAX)
    throw new Error(`--port ${values.port ?? ''} is not a port number — use 0..${PORT_MAX} (0 picks a free one).`)
  const dataDir = path.resolve(values['data-dir'] ?? DEMO_DATA_DIR_DEFAULT)
  const electron = values.web ? null : await electronReady()

  const sandbox = await sandboxUp({ dataDir, transport: electron ? 'direct' : 'web' })
  const d = sandbox.description
  process.stdout.write(
    [
      `Sandbox ready in ${dataDir}`,
      `  operators: ${d.operators.map((o) => o.name).join(', ')}`,
      `  assets:    ${d.assets.map((a) => a.id).join(', ')}`,
      `  entries:   ${d.entries.posted.length} posted, ${d.entries.replayed.length} replayed`,
      ...Object.entries(d.services).map(([name, info]) => `  ${name}:${' '.repeat(Math.max(1, 10 - name.length))}${JSON.stringify(info)}`),
      '  signer:    Sandbox device emulator (test keys only — never a real Ledger)',
      '',
    ].join('\n'),
  )

  let running: Running
  try {
    running = electron ? launchElectron(electron, dataDir) : await serveBrowser(sandbox, port)
  } catch (error) {
    await sandbox.stop()
    throw error
  }
  process.stdout.write(`${running.describe}\n  Press Ctrl+C to stop.\n`)

  const stopped = new Promise<number>((resolve) => {
    let stopping = false
    const stop = (why: string, code: number): void => {
      if (stopping) return
      stopping = true
      process.stdout.write(`\n${why}: stopping the demo…\n`)
      const timer = setTimeout(() => {
        process.stderr.write('demo: shutdown took too long; exiting.\n')
        process.exit(1)
      }, SHUTDOWN_TIMEOUT_MS)
      timer.unref()
      void (async () => {
        let exit = code
        for (const part of [running, sandbox]) {
          try {
            await part.stop()
          } catch (error) {
            process.stderr.write(`demo: could not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`)
            exit = 1
          }
        }
        resolve(exit)
      })()
    }
    process.once('SIGINT', () => stop('SIGINT', 0))
    process.once('SIGTERM', () => stop('SIGTERM', 0))
    void running.ended.then((code) => stop('The app closed', code))
  })
  return stopped
}

/** The Electron executable if one is installed and its SQLite build is ready; else null (browser mode). */
async function electronReady(): Promise<string | null> {
  // Not require('electron'): since Electron 45 that starts a download when the binary is missing
  // (no network here, and a demo must not fetch anything). This reads node_modules/electron/path.txt.
  const { electronBinaryStatus, main: prepareElectronSqlite } = await import('./electron-native.mjs')
  const status = electronBinaryStatus(ROOT)
  if (!status.present) {
    process.stdout.write(`No Electron binary: ${status.reason} — using browser mode.\n`)
    return null
  }
  // Electron needs better-sqlite3 built for its ABI (what \`npm start\` does first).
  if ((await prepareElectronSqlite([], ROOT)) !== 0) {
    process.stdout.write('Could not prepare SQLite for Electron — using browser mode instead.\n')
    return null
  }
  return status.executable
}

function launchElectron(executable: string, dataDir: string): Running {
  const child: ChildProcess = spawn(executable, [ROOT, `--data-dir=${dataDir}`], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, [DATA_DIR_ENV]: dataDir },
  })
  const ended = new Promise<number>((resolve) => {
    child.once('exit', (code) => resolve(code ?? 0))
    child.once('error', (error) => {
      process.stderr.write(`demo: Electron did not start — ${error.message}\n`)
      resolve(1)
    })
  })
  return {
    describe: `Countersign (Electron) is starting on ${dataDir}.`,
    ended,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        await ended
      }
    },
  }
}

async function serveBrowser(sandbox: Sandbox, port: number): Promise<Running> {
  const { startWebServer } = await import('../src/web/server')
  const server = await startWebServer({
    core: sandbox.core,
    host: '127.0.0.1',
    port,
    rendererDir: RENDERER_DIR,
    onWarning: (m) => process.stderr.write(`countersign web: ${m}\n`),
  })
  return {
    describe: [
      'Countersign is running in browser mode (no Electron binary here).',
      `  Open:  ${server.url}#token=${server.token}`,
      "  (The link carries this launch's access token; it stops working when the demo stops.)",
    ].join('\n'),
    ended: new Promise<number>(() => undefined),
    stop: () => server.close(),
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
