import type { Command } from 'commander'
import type { CliIo } from '../io'
import { createOut } from '../io'
import { examples } from '../options'
import { dataDirOf, globalsOf, routeLog, type RunState } from '../session'

export function registerWorkspace(program: Command, io: CliIo, state: RunState): void {
  const workspace = program.command('workspace').description('Where the workspace keeps its books: this computer, or a team database.')

  workspace
    .command('migrate')
    .description('Copy this single-desk workspace into an empty team database (PostgreSQL), verify the copy, and switch the folder to it.')
    .requiredOption('--to <url>', 'the team database: postgres://user@host:5432/database?sslmode=require (no password in it)')
    .addHelpText(
      'after',
      `
The copy runs in one transaction, then is verified on the team database: the audit chain verifies
and ends at the same row and hash, every table has the same number of rows, every balance is
equal and the ledger adds up. Only then does the folder point at the team database
(workspace.json); the SQLite file is kept, renamed countersign.sqlite.migrated-<time>.
The password comes from COUNTERSIGN_SECRET_DATABASE_PASSWORD (never from the URL or argv).
Stop the app and the poller on this workspace first.

With --json it prints {"location", "backupFile", "tables": [{"table", "rows"}], "auditHead": {"seq", "hash"}, "accountsChecked"}.
` +
        examples(
          'COUNTERSIGN_SECRET_DATABASE_PASSWORD=… countersign workspace migrate --data-dir ./books --to postgres://treasury@db.internal:5432/books?sslmode=require',
        ),
    )
    .action(async (opts: { to: string }, cmd: Command) => {
      const globals = globalsOf(cmd)
      const out = createOut(io, globals.json === true)
      const dataDir = dataDirOf(globals, io)
      await routeLog(io, dataDir, globals.debug === true)
      const { migrateToTeamDatabase } = await import('../../main/core/db/migrateToTeamDatabase')
      const { createEnvSecretStore } = await import('../../main/core/secrets/SecretStore')
      const { DATABASE_PASSWORD_SECRET } = await import('../../main/core/db/openDb')
      const password = await createEnvSecretStore(io.env).get(DATABASE_PASSWORD_SECRET)
      let lastTable = ''
      const result = await migrateToTeamDatabase({
        dataDir,
        to: opts.to,
        password,
        onProgress: (p) => {
          if (p.table !== lastTable || p.copied === p.total) {
            if (p.copied === p.total) out.note(`  ${p.table}: ${p.total} rows`)
            lastTable = p.table
          }
        },
      })
      if (out.json) {
        out.data(result)
      } else {
        out.line(`Workspace ${dataDir} now uses the team database ${result.location}.`)
        out.line(`  copied    ${result.tables.reduce((n, t) => n + t.rows, 0)} rows in ${result.tables.length} tables`)
        out.line(
          `  verified  audit chain to row ${result.auditHead.seq} (${result.auditHead.hash.slice(0, 16)}…), ${result.accountsChecked} balances`,
        )
        out.line(`  backup    ${result.backupFile}`)
      }
      state.exitCode = 0
    })
}
