/** The command tree. Built fresh for every run, so in-process runs never share state. */
import { Command } from 'commander'
import { APP_VERSION } from '../shared/version'
import { registerAssets } from './commands/assets'
import { registerAudit } from './commands/audit'
import { registerBackup } from './commands/backup'
import { registerBatches } from './commands/batches'
import { registerBatchExecute, registerPoll } from './commands/execute'
import { registerInit } from './commands/init'
import { registerLedger } from './commands/ledger'
import { registerOperators } from './commands/operators'
import { registerPayouts } from './commands/payouts'
import { registerSandbox } from './commands/sandbox'
import { registerSettings } from './commands/settings'
import { registerStripe } from './commands/stripe'
import { registerEscrow } from './commands/escrow'
import { registerRecon } from './commands/recon'
import { receiptsCommand } from './commands/receipts'
import { registerWorkspace } from './commands/workspace'
import type { CliIo } from './io'
import { examples } from './options'
import { withSession, type RunState } from './session'

export function createProgram(io: CliIo, state: RunState): Command {
  const program = new Command('countersign')
  program
    .description('Countersign treasury: the same core as the desktop app, from the command line.')
    .version(APP_VERSION, '-V, --version', 'print the version')
    .option('--data-dir <dir>', "workspace folder (else $COUNTERSIGN_DATA_DIR, else the app's data folder)")
    .option('--json', 'machine output: the contract\'s JSON on stdout; errors as {"error":{"code","message"}}')
    .option('--as <operator>', 'operator id or name making a change (else $COUNTERSIGN_OPERATOR)')
    .option('--passphrase-file <file>', "the --as operator's passphrase, on one line (else $COUNTERSIGN_PASSPHRASE, else a prompt)")
    .option('--debug', 'print the log and stacks of unexpected errors to stderr')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // Errors are printed once, in our format, by reportError().
      outputError: () => undefined,
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failure (the code and a sentence on stderr), 2 usage error.
Global options may come before or after the command.
` +
        examples(
          'countersign init --data-dir ./books --admin "Dana Admin"',
          'export COUNTERSIGN_DATA_DIR=./books COUNTERSIGN_OPERATOR="Dana Admin"',
          'countersign assets list',
          'countersign ledger accounts add --id treasury-usdc --name "Treasury USDC" --kind treasury --asset USDC@evm:8453',
          'countersign ledger post opening.json',
          'countersign ledger balances --json',
          'countersign audit verify',
          'countersign sandbox up --data-dir ./.countersign/sandbox',
        ),
    )

  registerInit(program, io, state)

  program
    .command('info')
    .description('Version, data folder and mode of the workspace.')
    .addHelpText('after', examples('countersign info --data-dir ./books', 'countersign info --json'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const info = await s.call('app.info', {})
        if (s.out.json) return s.out.data(info)
        s.out.line(`Countersign ${info.version}  schema ${info.schemaVersion}  ${info.sandbox ? 'SANDBOX' : 'workspace'}`)
        s.out.line(`data folder  ${info.dataDir}`)
      })
    })

  registerOperators(program, io, state)
  registerAssets(program, io, state)
  registerLedger(program, io, state)
  registerPayouts(program, io, state)
  // The execution engine adds `batches execute` on the command this returns.
  registerBatchExecute(registerBatches(program, io, state), io, state)
  registerPoll(program, io, state)
  registerSettings(program, io, state)
  registerStripe(program, io, state)
  registerEscrow(program, io, state)
  registerRecon(program, io, state)
  // The PDF and export commands are added under the command this returns.
  receiptsCommand(program, io, state)
  registerAudit(program, io, state)
  registerBackup(program, io, state)
  registerSandbox(program, io, state)
  registerWorkspace(program, io, state)
  return program
}
