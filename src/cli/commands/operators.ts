import { Option, type Command } from 'commander'
import { ROLES, type Role } from '../../shared/blocks'
import { cell, shortTimestamp } from '../format'
import type { CliIo } from '../io'
import { examples } from '../options'
import { renderTable } from '../table'
import { withSession, type RunState } from '../session'

export function registerOperators(program: Command, io: CliIo, state: RunState): void {
  const operators = program
    .command('operators')
    .description('Operator profiles: who sits at the desk, and with which roles.')
    .addHelpText(
      'after',
      examples('countersign operators list', 'countersign operators add --as "Dana Admin" --name "Alice Preparer" --role preparer'),
    )

  operators
    .command('list', { isDefault: true })
    .description('List operator profiles (the default).')
    .addHelpText('after', examples('countersign operators list', 'countersign operators list --json'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('operators.list', {})
        if (s.out.json) return s.out.data(list)
        if (list.length === 0) return s.out.line('No operators yet — create the first admin with: countersign init --admin "YOUR NAME"')
        s.out.line(
          renderTable(
            [{ header: 'ID' }, { header: 'NAME' }, { header: 'ROLES' }, { header: 'CREATED' }],
            list.map((o) => [o.id, cell(o.name), o.roles.join(', '), shortTimestamp(o.createdAt)]),
            s.out.bold,
          ),
        )
      })
    })

  operators
    .command('add')
    .description('Add an operator profile (needs --as an admin; the very first may be added by anyone and must be an admin).')
    .requiredOption('--name <name>', 'display name, unique in the workspace')
    .addOption(new Option('--role <role...>', 'role(s) to grant; repeat or list several').choices(ROLES).makeOptionMandatory())
    .addHelpText(
      'after',
      examples(
        'countersign operators add --as "Dana Admin" --name "Alice Preparer" --role preparer',
        'countersign operators add --as dana-admin --name "Bob" --role approver --role signer',
      ),
    )
    .action(async (opts: { name: string; role: Role[] }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const op = await s.call('operators.add', { name: opts.name, roles: opts.role })
        if (s.out.json) return s.out.data(op)
        s.out.line(`Added operator "${op.name}" (id ${op.id}) with role${op.roles.length === 1 ? '' : 's'} ${op.roles.join(', ')}.`)
      })
    })
}
