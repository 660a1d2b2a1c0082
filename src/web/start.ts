/**
 * `npm run start:web`: the core plus the built renderer in your browser, no Electron needed.
 *
 *   tsx src/web/start.ts [--data-dir DIR] [--port PORT]
 *
 * Prints one URL with the per-launch token in its fragment (#token=…): browsers never send a
 * fragment to the server, so the token stays out of request logs and Referer headers.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createCore } from '../main/core/core'
import { resolveDataDir } from '../main/core/dataDir'
import { workspaceSignerSource } from '../main/platform/ledgerDevice/workspaceSignerSource'
import { startWebServer } from './server'

const PORT_MAX = 65_535
/** A shutdown that takes longer than this is abandoned (the OS reclaims the rest). */
const SHUTDOWN_TIMEOUT_MS = 10_000

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      sandbox: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) {
    process.stdout.write('Usage: npm run start:web -- [--data-dir DIR] [--port PORT] [--sandbox]\n')
    return
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > PORT_MAX) {
    throw new Error(`--port ${values.port ?? ''} is not a port number — use 0..${PORT_MAX} (0 picks a free one).`)
  }
  const dataDir = resolveDataDir(values['data-dir'])
  const here = path.dirname(fileURLToPath(import.meta.url))
  const rendererDir = path.resolve(here, '../../out/renderer')

  // --sandbox: the whole local world in this process (Anvil + contracts, seeded books, the device
  // emulator as signer). Otherwise the workspace as it is, executing on its configured rails with
  // the Ledger over USB — or the emulator if the folder is a sandbox (`sandbox up` must run for its chain).
  const sandbox = values.sandbox ? await (await import('../main/sandbox/sandboxUp')).sandboxUp({ dataDir, transport: 'web' }) : null
  const core = sandbox ? sandbox.core : await createCore({ dataDir, transport: 'web', signer: workspaceSignerSource, liveUpdates: true })
  const closeCore = (): Promise<void> => (sandbox ? sandbox.stop() : core.close())
  let server: Awaited<ReturnType<typeof startWebServer>>
  try {
    server = await startWebServer({ core, port, rendererDir, onWarning: (m) => process.stderr.write(`countersign web: ${m}\n`) })
  } catch (error) {
    await closeCore()
    throw error
  }
  core.poller.start()

  process.stdout.write(
    [
      'Countersign is running in browser mode.',
      `  Workspace: ${dataDir}${sandbox ? ` (sandbox; Anvil at ${String(sandbox.description.services.anvil?.rpcUrl ?? '?')}, signer: Sandbox device emulator)` : ''}`,
      `  Open:      ${server.url}#token=${server.token}`,
      "  (The link carries this launch's access token; it stops working when you stop the server.)",
      '  Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  )

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\n${signal}: closing the workspace…\n`)
    const timer = setTimeout(() => {
      process.stderr.write('countersign web: shutdown took too long; exiting.\n')
      process.exit(1)
    }, SHUTDOWN_TIMEOUT_MS)
    timer.unref()
    void (async () => {
      try {
        await server.close()
        await closeCore()
        process.exitCode = 0
      } catch (error) {
        process.stderr.write(`countersign web: could not close cleanly: ${error instanceof Error ? error.message : String(error)}\n`)
        process.exitCode = 1
      }
    })()
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error: unknown) => {
  process.stderr.write(`countersign web: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
