import type { Command } from 'commander'
import { DATA_DIR_ENV } from '../../main/core/dataDir'
import { UsageError } from '../errors'
import { groupDecimal } from '../format'
import { createOut, type CliIo } from '../io'
import { examples } from '../options'
import { dataDirOf, globalsOf, routeLog, withSession, type RunState } from '../session'

export function registerSandbox(program: Command, io: CliIo, state: RunState): void {
  const sandbox = program
    .command('sandbox')
    .description('A complete local world for demos and tests: seeded operators, assets, accounts and balances.')
    .addHelpText('after', examples('countersign sandbox up --data-dir ./.countersign/sandbox'))

  sandbox
    .command('up')
    .description('Prepare a sandbox workspace (idempotently) and keep it running until Ctrl-C / SIGTERM.')
    .option(
      '--database <url>',
      'keep the sandbox books in a team database (PostgreSQL): postgres://user@host:5432/database — password from COUNTERSIGN_SECRET_DATABASE_PASSWORD',
    )
    .addHelpText(
      'after',
      `
Seeds Dana Admin [admin], Alice Preparer [preparer], Bob Approver [approver] and Carol Signer
[signer]; local assets (USDC and ETH on Anvil 31337, XLM and USDC on Stellar testnet, USD on
Stripe); treasury, opening-balance, fees and payee accounts; and opening balances with
stable entry ids, so running it again replays instead of posting twice. It refuses a folder
that holds a real (non-sandbox) workspace.

It starts Anvil (chain 31337; its state kept in DIR/anvil-state.json) with the USDC token, the
batch contract and the escrow contract ("services.anvil.batchContract" / "escrowContract"), funds the treasury with exactly the opening balances, records the chain as
the workspace's rails, and signs with the "Sandbox device emulator" (public test keys only), so
"countersign batches execute ID" in another terminal pays on that chain.

With --json it prints ONE line of JSON once ready:
  {"dataDir", "sandbox": true, "operators" (each with its "demoPassphrase"), "assets", "accounts", "entries": {"posted", "replayed"}, "services",
   "database": {"backend": "sqlite" | "postgres", "location"}}
` + examples('countersign sandbox up --data-dir ./.countersign/sandbox', 'countersign sandbox up --data-dir /tmp/cs-sandbox --json'),
    )
    .action(async (opts: { database?: string }, cmd: Command) => {
      const globals = globalsOf(cmd)
      const out = createOut(io, globals.json === true)
      if (globals.dataDir === undefined && !io.env[DATA_DIR_ENV]) {
        // The default folder is the desktop app's real workspace: never seed demo money there.
        throw new UsageError(
          "The sandbox needs --data-dir DIR (or COUNTERSIGN_DATA_DIR): it never uses the app's default workspace folder.",
        )
      }
      const dataDir = dataDirOf(globals, io)
      await routeLog(io, dataDir, globals.debug === true)
      // Listen before anything is printed: whoever reads the ready line may signal at once, and a
      // signal during seeding must still lead to a clean stop.
      const stop = waitForStop(io)
      const { sandboxUp } = await import('../../main/sandbox/sandboxUp')
      let sb: Awaited<ReturnType<typeof sandboxUp>>
      try {
        sb = await sandboxUp({
          dataDir,
          ...(opts.database ? { database: { url: opts.database, password: await databasePassword(io) } } : {}),
        })
      } catch (error) {
        stop.cancel()
        throw error
      }
      try {
        const d = sb.description
        if (out.json) {
          out.data(d)
        } else {
          out.line(`Sandbox running in ${d.dataDir}`)
          out.line(`  operators  ${d.operators.map((o) => `${o.name} [${o.roles.join(', ')}]`).join('; ')}`)
          out.line(`  passphrases (demo only) ${d.operators.map((o) => o.demoPassphrase).join(', ')} — COUNTERSIGN_PASSPHRASE for --as`)
          out.line(`  assets     ${d.assets.map((a) => a.id).join(', ')}`)
          out.line(`  accounts   ${d.accounts.length} (countersign ledger balances --data-dir ${d.dataDir})`)
          out.line(`  entries    ${d.entries.posted.length} posted, ${d.entries.replayed.length} replayed`)
          for (const a of d.assets) {
            const treasury = (await sb.core.api.call('ledger.balances', { assetId: a.id, kind: 'treasury' }))[0]
            if (treasury) out.line(`  treasury   ${groupDecimal(treasury.balance)} ${a.id}`)
          }
          const services = Object.entries(d.services)
          out.line(
            `  services   ${services.length === 0 ? 'none yet' : services.map(([name, info]) => `${name} ${JSON.stringify(info)}`).join('; ')}`,
          )
          out.line('Press Ctrl-C to stop.')
        }
        io.onReady?.(d)
        await stop.done
      } finally {
        await sb.stop()
      }
      if (!out.json) out.line('Sandbox stopped.')
      state.exitCode = 0
    })

  sandbox
    .command('clock')
    .description('Move the sandbox forward in time: its workspace clock, Anvil (evm_increaseTime) and the Stellar harness together.')
    .requiredOption('--advance <duration>', 'how far: 90m, 5h, 3d')
    .addHelpText('after', examples('countersign sandbox clock --advance 5h --data-dir ./.countersign/sandbox'))
    .action(async (opts: { advance: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const { moveSandboxClock, parseDuration } = await import('../../main/sandbox/moveSandboxClock')
        const moved = await moveSandboxClock(s.core.ctx, s.core.rails.config, parseDuration(opts.advance))
        if (s.out.json) return s.out.data(moved)
        s.out.line(`The sandbox clock now reads ${moved.now} (${Math.round(moved.offsetMs / 60_000)} min ahead of this machine).`)
        for (const c of moved.chains) s.out.line(`Anvil ${c.chainId}: latest block at ${c.blockTime}.`)
        for (const n of moved.stellar) s.out.line(`Stellar ${n.network}: ledger closed at ${n.closedAt}.`)
      })
    })
}

/** How often the keep-alive timer fires; it only holds the event loop open (the poller's timer is unref'd). */
const KEEP_ALIVE_INTERVAL_MS = 60 * 60 * 1000

/** Resolves `done` on io.signal, or else on SIGINT / SIGTERM of this process; `cancel` stops listening. */
export function waitForStop(io: CliIo): { done: Promise<void>; cancel(): void } {
  let cancel = (): void => undefined
  const done = new Promise<void>((resolve) => {
    const keepAlive = setInterval(() => undefined, KEEP_ALIVE_INTERVAL_MS)
    const onStop = (): void => {
      cancel()
      resolve()
    }
    cancel = () => {
      clearInterval(keepAlive)
      io.signal?.removeEventListener('abort', onStop)
      process.off('SIGINT', onStop)
      process.off('SIGTERM', onStop)
    }
    if (io.signal) {
      if (io.signal.aborted) return onStop()
      io.signal.addEventListener('abort', onStop, { once: true })
      return
    }
    process.on('SIGINT', onStop)
    process.on('SIGTERM', onStop)
  })
  return { done, cancel }
}

async function databasePassword(io: CliIo): Promise<string | null> {
  const { createEnvSecretStore } = await import('../../main/core/secrets/SecretStore')
  const { DATABASE_PASSWORD_SECRET } = await import('../../main/core/db/openDb')
  return createEnvSecretStore(io.env).get(DATABASE_PASSWORD_SECRET)
}
