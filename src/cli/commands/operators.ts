import { Option, type Command } from 'commander'
import { ROLES, type Operator, type Role } from '../../shared/blocks'
import { CsError } from '../../shared/errors'
import type { AdminChangeResult } from '../../shared/operatorsApi'
import { cell, shortTimestamp } from '../format'
import type { CliIo } from '../io'
import { examples } from '../options'
import { NEW_PASSPHRASE_ENV, readPassphrase } from '../passphrase'
import { renderTable } from '../table'
import { globalsOf, withSession, type RunState, type Session } from '../session'

export function registerOperators(program: Command, io: CliIo, state: RunState): void {
  const operators = program
    .command('operators')
    .description('Operator profiles: who sits at the desk, their roles, passphrases and approval keys.')
    .addHelpText(
      'after',
      examples(
        'countersign operators list',
        'countersign operators add --as "Dana Admin" --name "Alice Preparer" --role preparer',
        'countersign operators activate --as "Alice Preparer" --invite ABCD-EFGH-JKMN-PQRS',
        'countersign operators changes --json',
      ),
    )

  operators
    .command('list', { isDefault: true })
    .description('List operator profiles (the default), with status and approval-key fingerprint.')
    .addHelpText('after', examples('countersign operators list', 'countersign operators list --json'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('operators.list', {})
        if (s.out.json) return s.out.data(list)
        if (list.length === 0) return s.out.line('No operators yet — create the first admin with: countersign init --admin "YOUR NAME"')
        s.out.line(
          renderTable(
            [
              { header: 'ID' },
              { header: 'NAME' },
              { header: 'ROLES' },
              { header: 'STATUS' },
              { header: 'APPROVAL KEY' },
              { header: 'CREATED' },
            ],
            list.map((o) => [
              o.id,
              cell(o.name),
              o.roles.join(', '),
              o.status === 'active' && !o.passphraseSet ? 'active (no passphrase yet)' : o.status,
              o.approvalKey?.fingerprint ?? '—',
              shortTimestamp(o.createdAt),
            ]),
            s.out.bold,
          ),
        )
      })
    })

  operators
    .command('add')
    .description(
      'Invite an operator (needs --as an admin; on an empty workspace the first admin). Prints a one-time invite code to hand them; where the workspace has two admins, the other admin must approve it first.',
    )
    .requiredOption('--name <name>', 'display name, unique in the workspace')
    .addOption(new Option('--role <role...>', 'role(s) to grant; repeat or list several').choices(ROLES).makeOptionMandatory())
    .addHelpText(
      'after',
      examples(
        'countersign operators add --as "Dana Admin" --name "Alice Preparer" --role preparer',
        'countersign operators add --as dana-admin --name "Bob" --role approver --role signer --json',
      ),
    )
    .action(async (opts: { name: string; role: Role[] }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = await s.call('operators.add', { name: opts.name, roles: opts.role })
        if (s.out.json) return s.out.data(result)
        printChange(s, result)
        if (result.inviteCode !== null) {
          const who = result.operator?.name ?? opts.name
          s.out.line(`Invite code for ${who} (shown once — hand it to them privately): ${result.inviteCode}`)
          s.out.line(`They set their own passphrase with: countersign operators activate --as "${who}" --invite ${result.inviteCode}`)
        }
      })
    })

  operators
    .command('activate')
    .description(
      'First unlock: set YOUR passphrase with the invite code an admin gave you (the --as operator). Your approval key is made and sealed by it. The passphrase comes from $COUNTERSIGN_PASSPHRASE, --passphrase-file, or a prompt.',
    )
    .option('--invite <code>', 'the one-time invite code (not needed to claim a profile made before passphrases existed)')
    .addHelpText('after', examples('countersign operators activate --as "Alice Preparer" --invite ABCD-EFGH-JKMN-PQRS'))
    .action(async (opts: { invite?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const who = requireAs(s)
        const passphrase = await newPassphrase(s, cmd, `New passphrase for ${who}: `)
        const session = await s.core.api.call(
          'operators.activate',
          { operatorId: who, passphrase, ...(opts.invite !== undefined ? { inviteCode: opts.invite } : {}) },
          {},
          s.channel,
        )
        if (s.out.json) return s.out.data(session)
        const op = session.operator!
        s.out.line(`${op.name} is set up. Approval key: ${op.approvalKey?.fingerprint ?? '—'} (compare it with what an admin sees).`)
      })
    })

  operators
    .command('passphrase')
    .description(
      'Change your own passphrase (the --as operator). Current one from $COUNTERSIGN_PASSPHRASE / --passphrase-file / prompt; the new one from $COUNTERSIGN_NEW_PASSPHRASE or a prompt.',
    )
    .addHelpText('after', examples('countersign operators passphrase --as "Bob Approver"'))
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const who = requireAs(s)
        const current = await readPassphrase(io, globalsOf(cmd), `Current passphrase for ${who}: `)
        const next = await newPassphrase(s, cmd, `New passphrase for ${who}: `, NEW_PASSPHRASE_ENV)
        await s.core.api.call('operators.unlock', { operatorId: who, passphrase: current }, {}, s.channel)
        const op = await s.core.api.call('operators.changePassphrase', { current, next }, { operatorId: who }, s.channel)
        if (s.out.json) return s.out.data(op)
        s.out.line(`Passphrase of ${op.name} changed; the approval key ${op.approvalKey?.fingerprint ?? ''} is sealed with the new one.`)
      })
    })

  operators
    .command('roles <operator>')
    .description("Set an operator's roles (admin; a second admin approves where there are two; the last admin stays an admin).")
    .addOption(new Option('--role <role...>', 'the roles they should have').choices(ROLES).makeOptionMandatory())
    .addHelpText('after', examples('countersign operators roles bob-approver --role approver --role signer --as "Dana Admin"'))
    .action(async (operatorId: string, opts: { role: Role[] }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = await s.call('operators.setRoles', { operatorId, roles: opts.role })
        if (s.out.json) return s.out.data(result)
        printChange(s, result)
      })
    })

  operators
    .command('deactivate <operator>')
    .description(
      'Deactivate an operator (admin; second-admin approved where there are two). Never deleted: their signatures stay verifiable.',
    )
    .action(async (operatorId: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = await s.call('operators.deactivate', { operatorId })
        if (s.out.json) return s.out.data(result)
        printChange(s, result)
      })
    })

  operators
    .command('reinvite <operator>')
    .description(
      'A forgotten passphrase: reset the operator to invited with a new one-time code (admin; second-admin approved where there are two).',
    )
    .action(async (operatorId: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = await s.call('operators.reinvite', { operatorId })
        if (s.out.json) return s.out.data(result)
        printChange(s, result)
        if (result.inviteCode !== null) s.out.line(`New invite code (shown once): ${result.inviteCode}`)
      })
    })

  operators
    .command('keys')
    .description("Every operator's approval keys, current and revoked, with fingerprints.")
    .option('--rotate', 'replace YOUR approval key (the --as operator) with a new sealed ed25519 key — an admin-approved change')
    .option(
      '--ledger <path>',
      'replace YOUR approval key with the Ledger account at this path (Ethereum app; confirm the address on the device)',
    )
    .addHelpText(
      'after',
      examples(
        'countersign operators keys',
        'countersign operators keys --rotate --as "Bob Approver"',
        "countersign operators keys --ledger \"44'/60'/0'/0/0\" --as bob-approver",
      ),
    )
    .action(async (opts: { rotate?: boolean; ledger?: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing', signer: opts.ledger !== undefined }, async (s) => {
        if (opts.rotate === true || opts.ledger !== undefined) {
          const result =
            opts.ledger !== undefined
              ? await s.call('operators.rotateKey', { kind: 'ledger-evm', path: opts.ledger })
              : await s.call('operators.rotateKey', {
                  kind: 'ed25519',
                  passphrase: await readPassphrase(io, globalsOf(cmd), 'Passphrase: '),
                })
          if (s.out.json) return s.out.data(result)
          return printChange(s, result)
        }
        const list = await s.call('operators.keys', {})
        if (s.out.json) return s.out.data(list)
        s.out.line(
          renderTable(
            [
              { header: 'OPERATOR' },
              { header: 'KEY' },
              { header: 'KIND' },
              { header: 'FINGERPRINT' },
              { header: 'SINCE' },
              { header: 'REVOKED' },
            ],
            list.flatMap((o) =>
              o.keys.map((k) => [
                cell(o.name),
                k.id,
                k.kind,
                k.fingerprint,
                shortTimestamp(k.createdAt),
                k.revokedAt ? shortTimestamp(k.revokedAt) : '—',
              ]),
            ),
            s.out.bold,
          ),
        )
      })
    })

  operators
    .command('verify')
    .description('Check every approval key against the audit log and every approval signature against its key. Exit 1 if anything fails.')
    .action(async (_opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const v = await s.call('operators.verify', {})
        const ok = v.operators.every((o) => o.ok) && v.approvals.broken.length === 0
        if (s.out.json) {
          s.out.data({ ok, ...v })
          return ok ? 0 : 1
        }
        for (const o of v.operators)
          s.out.line(
            `${o.ok ? 'ok  ' : 'FAIL'} ${cell(o.name)} (${o.id}) ${o.fingerprint ?? 'no key'}${o.problem ? ` — ${o.problem}` : ''}`,
          )
        s.out.line(`Approvals: ${v.approvals.valid} of ${v.approvals.checked} signatures verify.`)
        for (const b of v.approvals.broken) s.out.line(`FAIL batch ${b.batchId} v${b.version} by ${b.operatorId}: ${b.problem}`)
        return ok ? 0 : 1
      })
    })

  const changes = operators
    .command('changes')
    .description('Admin changes (invites, roles, deactivations, key rotations): pending ones wait for a second admin.')
    .addHelpText('after', examples('countersign operators changes', 'countersign operators changes approve chg_1a2b --as "Erin Admin"'))
  changes
    .command('list', { isDefault: true })
    .description('List admin changes, pending first.')
    .option('--pending', 'only the pending ones')
    .action(async (opts: { pending?: boolean }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('operators.changes.list', opts.pending === true ? { state: 'pending' } : {})
        if (s.out.json) return s.out.data(list)
        if (list.length === 0) return s.out.line('No admin changes.')
        s.out.line(
          renderTable(
            [
              { header: 'ID' },
              { header: 'STATE' },
              { header: 'CHANGE' },
              { header: 'ASKED BY' },
              { header: 'DECIDED BY' },
              { header: 'SIGNATURE' },
            ],
            list.map((c) => [
              c.id,
              c.state,
              cell(c.summary),
              c.requestedBy,
              c.decidedBy ?? '—',
              c.signatureVerified === null ? '—' : c.signatureVerified ? 'verified' : 'INVALID',
            ]),
            s.out.bold,
          ),
        )
      })
    })
  changes
    .command('approve <id>')
    .description("Approve another admin's change; it is signed with your approval key and applied.")
    .action(async (id: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing', signer: true }, async (s) => {
        const result = await s.call('operators.changes.approve', { id })
        if (s.out.json) return s.out.data(result)
        printChange(s, result)
      })
    })
  changes
    .command('reject <id>')
    .description('Reject a pending change (an admin; or withdraw your own).')
    .action(async (id: string, _opts: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = await s.call('operators.changes.reject', { id })
        if (s.out.json) return s.out.data(result)
        printChange(s, result)
      })
    })
}

function requireAs(s: Session): string {
  if (s.operator === undefined) throw new CsError('OPERATOR_REQUIRED', 'Say who you are with --as NAME (or $COUNTERSIGN_OPERATOR).')
  return s.operator
}

/** A new passphrase: from the environment, or typed twice at a prompt. */
async function newPassphrase(s: Session, cmd: Command, prompt: string, envName?: string): Promise<string> {
  const globals = globalsOf(cmd)
  const first = await readPassphrase(s.io, globals, prompt, envName)
  const fromScript = (envName ?? 'COUNTERSIGN_PASSPHRASE') in s.io.env || (envName === undefined && globals.passphraseFile !== undefined)
  if (fromScript) return first
  const again = await readPassphrase(s.io, globals, 'Type it again: ', envName)
  if (again !== first) throw new CsError('PASSPHRASE_WEAK', 'The two passphrases differ — nothing was changed; try again.')
  return first
}

export function printChange(s: Session, result: AdminChangeResult): void {
  const c = result.change
  if (c.state === 'pending') {
    s.out.line(`Waiting for a second admin: ${cell(c.summary)} (change ${c.id}).`)
    s.out.line(`Another admin approves it with: countersign operators changes approve ${c.id} --as "OTHER ADMIN"`)
  } else if (c.state === 'applied') {
    s.out.line(`Done: ${cell(c.summary)} (change ${c.id}${c.signatureVerified === true ? ', signed' : ''}).`)
  } else {
    s.out.line(`Rejected: ${cell(c.summary)} (change ${c.id}).`)
  }
  if (result.operator) describeOperator(s, result.operator)
}

function describeOperator(s: Session, op: Operator): void {
  s.out.line(
    `  ${cell(op.name)} (id ${op.id}): ${op.roles.join(', ')} — ${op.status}${op.approvalKey ? `, key ${op.approvalKey.fingerprint}` : ''}`,
  )
}
