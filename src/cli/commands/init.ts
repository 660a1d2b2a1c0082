import type { Command } from 'commander'
import type { Operator } from '../../shared/workspaceApi'
import { CsError, hasErrorCode } from '../../shared/errors'
import { readPassphrase } from '../passphrase'
import type { CliIo } from '../io'
import { examples } from '../options'
import { dataDirOf, globalsOf, withSession, type RunState } from '../session'

export function registerInit(program: Command, io: CliIo, state: RunState): void {
  program
    .command('init')
    .description('Create the workspace (or upgrade it to this version) and print where it lives.')
    .option('--admin <name>', 'also create the first operator, with the admin role')
    .option(
      '--database <url>',
      'keep the books in a team database (PostgreSQL): postgres://user@host:5432/database?sslmode=require — password from COUNTERSIGN_SECRET_DATABASE_PASSWORD',
    )
    .addHelpText(
      'after',
      examples(
        'countersign init --data-dir ./books --admin "Dana Admin"',
        'COUNTERSIGN_DATA_DIR=./books countersign init --json',
        'COUNTERSIGN_SECRET_DATABASE_PASSWORD=… countersign init --data-dir ./team-books --database postgres://treasury@db.internal:5432/books?sslmode=require',
      ) +
        '\nWith --database the folder holds only workspace.json (the URL, no password); the books live on the server, shared by every desktop whose folder names it.' +
        '\nWith --json it prints {"info": <app.info>, "admin": <operator or null>}.\n',
    )
    .action(async (opts: { admin?: string; database?: string }, cmd: Command) => {
      const { nameTeamDatabase } = await import('../../main/core/db/nameTeamDatabase')
      // Named before the core opens it (the open checks the server, the password and the schema).
      const { undo } = opts.database === undefined ? { undo: () => {} } : nameTeamDatabase(dataDirOf(globalsOf(cmd), io), opts.database)
      try {
        state.exitCode = await initSession(io, cmd, opts)
      } catch (error) {
        undo()
        throw error
      }
    })
}

async function initSession(io: CliIo, cmd: Command, opts: { admin?: string }): Promise<number> {
  return withSession(io, cmd, { mode: 'create' }, async (s) => {
    const info = await s.call('app.info', {})
    let admin: Operator | null = null
    let created = false
    let inviteCode: string | null = null
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
        const invited = await s.call('operators.add', { name, roles: ['admin'] })
        created = true
        inviteCode = invited.inviteCode
        admin = invited.operator
        // The first admin sets their passphrase now if one is at hand (env, file, or a prompt).
        try {
          const passphrase = await readPassphrase(io, globalsOf(cmd), `Choose a passphrase for ${name}: `)
          const session = await s.core.api.call(
            'operators.activate',
            { operatorId: name, passphrase, ...(inviteCode !== null ? { inviteCode } : {}) },
            {},
            s.channel,
          )
          admin = session.operator
          inviteCode = null
        } catch (error) {
          if (!hasErrorCode(error, 'PASSPHRASE_REQUIRED')) throw error
        }
      }
    }
    if (s.out.json) {
      s.out.data({ info, admin, inviteCode })
      return
    }
    s.out.line(`${s.existed ? 'Workspace ready (already existed)' : 'Workspace created'}: ${info.dataDir}`)
    s.out.line(`  database  ${s.core.ctx.db.backend === 'postgres' ? 'PostgreSQL ' : ''}${s.core.ctx.db.location}`)
    s.out.line(`  schema    ${info.schemaVersion} (Countersign ${info.version})`)
    if (admin) {
      s.out.line(
        created
          ? `Admin operator "${admin.name}" created (id ${admin.id}).`
          : `Admin operator "${admin.name}" already exists (id ${admin.id}).`,
      )
      if (inviteCode !== null) {
        s.out.line(`Set the admin's passphrase with: countersign operators activate --as "${admin.name}" --invite ${inviteCode}`)
      } else {
        s.out.line(`Next: countersign operators add --as "${admin.name}" --name "Alice Preparer" --role preparer`)
      }
    } else if ((await s.call('operators.list', {})).length === 0) {
      s.out.line('Next: create the first admin with  countersign init --admin "YOUR NAME"')
    }
  })
}
