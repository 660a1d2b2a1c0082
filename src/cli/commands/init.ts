import type { Command } from 'commander'
import type { Operator } from '../../shared/workspaceApi'
import { CsError } from '../../shared/errors'
import type { CliIo } from '../io'
import { examples } from '../options'
import { withSession, type RunState } from '../session'

export function registerInit(program: Command, io: CliIo, state: RunState): void {
  program
    .command('init')
    .description('Create the workspace (or upgrade it to this version) and print where it lives.')
    .option('--admin <name>', 'also create the first operator, with the admin role')
    .addHelpText(
      'after',
      examples('countersign init --data-dir ./books --admin "Dana Admin"', 'COUNTERSIGN_DATA_DIR=./books countersign init --json') +
        '\nWith --json it prints {"info": <app.info>, "admin": <operator or null>}.\n',
    )
    .action(async (opts: { admin?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'create' }, async (s) => {
        const info = await s.call('app.info', {})
        let admin: Operator | null = null
        let created = false
        if (opts.admin !== undefined) {
          const name = opts.admin.trim()
          const existing = (await s.call('operators.list', {})).find((o) => o.name === name)
          if (existing) {
            if (!existing.roles.includes('admin')) {
              throw new CsError(
                'OPERATOR_EXISTS',
                `An operator named "${name}" already exists without the admin role — pick another name for the admin.`,
              )
            }
            admin = existing
          } else {
            admin = await s.call('operators.add', { name, roles: ['admin'] })
            created = true
          }
        }
        if (s.out.json) {
          s.out.data({ info, admin })
          return
        }
        s.out.line(`${s.existed ? 'Workspace ready (already existed)' : 'Workspace created'}: ${info.dataDir}`)
        s.out.line(`  database  ${s.core.ctx.db.file}`)
        s.out.line(`  schema    ${info.schemaVersion} (Countersign ${info.version})`)
        if (admin) {
          s.out.line(
            created
              ? `Admin operator "${admin.name}" created (id ${admin.id}).`
              : `Admin operator "${admin.name}" already exists (id ${admin.id}).`,
          )
          s.out.line(`Next: countersign operators add --as "${admin.name}" --name "Alice Preparer" --role preparer`)
        } else if ((await s.call('operators.list', {})).length === 0) {
          s.out.line('Next: create the first admin with  countersign init --admin "YOUR NAME"')
        }
      })
    })
}
